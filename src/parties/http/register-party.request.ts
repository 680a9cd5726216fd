import { z } from 'zod';
import { PARTY_KINDS } from '../../shared/domain/party-kind';
import { partyIdSchema, reasonSchema } from '../../http/common-schemas';

export const registerPartyRequest = z.strictObject({
  partyId: partyIdSchema,
  name: z.string().min(1).max(200),
  kind: z.enum(PARTY_KINDS.filter((kind) => kind !== 'platform') as [string, ...string[]]),
  reason: reasonSchema,
});
export type RegisterPartyRequest = z.infer<typeof registerPartyRequest>;
