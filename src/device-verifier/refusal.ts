/**
 * Why a device refuses a bundle: one code per check, so every attack of docs/key-bundle.md is
 * told apart from the others and from an honest mistake.
 */
export const REFUSAL_REASONS = [
  'malformed',
  'unknown-format',
  'encryption-required',
  'jwe-alg-not-allowed',
  'decryption-failed',
  'root-chain-broken',
  'root-statement-bad-signature',
  'delegation-malformed',
  'delegation-bad-signature',
  'delegation-wrong-issuer',
  'delegation-rollback',
  'unsecured-jws',
  'symmetric-alg-refused',
  'alg-not-allowed',
  'wrong-typ',
  'unknown-kid',
  'signing-key-not-yet-valid',
  'signing-key-retired',
  'bad-signature',
  'invalid-claims',
  'wrong-issuer',
  'wrong-serial',
  'wrong-device-key',
  'expired',
  'issued-in-future',
  'rollback',
  'replayed',
  'params-outside-hard-limits',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export class BundleRefused extends Error {
  constructor(
    readonly reason: RefusalReason,
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
    this.name = 'BundleRefused';
  }
}

export const refuse = (reason: RefusalReason, detail: string): never => {
  throw new BundleRefused(reason, detail);
};
