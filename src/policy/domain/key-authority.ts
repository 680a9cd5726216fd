/**
 * Under whose authority a key was issued. A key lives only as long as that authority: the owner's
 * keys end with its ownership, an operator's with its lease. The issuer matrix decides which one
 * a new key rests on.
 */
export type KeyAuthority =
  | { relationship: 'owner'; partyId: string }
  | { relationship: 'operator'; partyId: string; leaseId: string };
