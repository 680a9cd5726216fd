/**
 * What a party can be told by webhook. Each names a reason for the party to act: an approval only
 * it can give, a battery coming to it, a theft on one of its batteries, a device that still
 * honours a key that was taken away.
 */
export const WEBHOOK_KINDS = [
  'approval.waiting',
  'transfer.requested',
  'theft.reported',
  'revoked-key.still-live',
] as const;
export type WebhookKind = (typeof WEBHOOK_KINDS)[number];
