import { base64url, compactVerify, importJWK, type CryptoKey } from 'jose';
import { z } from 'zod';
import type { PublicKey } from '../../shared/domain/public-key';
import { canonicalBase64url } from '../../shared/crypto/bytes';
import {
  explainWeakness,
  publicKeyWeakness,
  type PublicKeyWeakness,
} from '../../shared/crypto/public-key-strength';
import { signatureWeakness } from '../../shared/crypto/signature-strictness';
import { DEVICE_PROOF_TYP, type DeviceProofClaims } from './device-proof';
import { DeviceProofError } from './device-proof.error';
import { ReplayCache } from './replay-cache';

/** A device clock may run this far ahead of ours. */
export const PROOF_CLOCK_SKEW_SECONDS = 5;
/** Longer proofs are not proofs: a P-256 or Ed25519 proof of this shape is well under 1 KiB. */
const MAX_PROOF_LENGTH = 4096;
/** Device keys (imported, or found weak) kept at once; a miss costs one check and import, so this only trims the hot path. */
const KEY_CACHE_ENTRIES = 10_000;
/** Both ES256 (r ‖ s) and Ed25519 (R ‖ S) signatures are 64 bytes. */
const SIGNATURE_BYTES = 64;

const ALGORITHM_OF_KEY_TYPE: Record<string, 'ES256' | 'EdDSA'> = { EC: 'ES256', OKP: 'EdDSA' };

/** A registered key, imported once it is known to be strong; or why it never will be. */
type CachedKey = { key: CryptoKey } | { weakness: PublicKeyWeakness };

const claimsSchema = z.object({
  jti: z.string().regex(/^[\x21-\x7e]{8,128}$/, 'must be 8–128 visible ASCII characters'),
  htm: z.string().min(1).max(16),
  htu: z.string().min(1).max(2048),
  iat: z.number().int().nonnegative(),
  sub: z.string().min(1).max(128),
  ack: z
    .strictObject({ ver: z.number().int().positive(), iat: z.number().int().nonnegative() })
    .optional(),
});

export interface ProofRequest {
  /** The `Device-Proof` header as received. */
  proof: string | undefined;
  method: string;
  /** The request URL as received (path and query). */
  url: string;
  serial: string;
  /** The battery's registered identity key; undefined when no battery has this serial. */
  deviceKey: PublicKey | undefined;
}

export interface VerifiedProof {
  claims: DeviceProofClaims;
  deviceKeyThumbprint: string;
}

export interface DeviceProofVerifierOptions {
  maxAgeSeconds: number;
  replayCacheEntries: number;
  now?: () => Date;
}

/**
 * Checks a device's proof: signed by the battery's registered key with the algorithm of that key
 * type, explicitly typed, bound to this method, URL and battery, fresh, and not seen before. Each
 * refusal names its reason, so a firmware team can tell a clock problem from an attack.
 */
export class DeviceProofVerifier {
  private readonly replays: ReplayCache;
  private readonly keys = new Map<string, CachedKey>();
  private readonly now: () => Date;

  constructor(private readonly options: DeviceProofVerifierOptions) {
    this.now = options.now ?? (() => new Date());
    // Remembered until no clock could still accept it: issued up to `skew` ahead, valid `maxAge` after.
    this.replays = new ReplayCache(
      options.replayCacheEntries,
      (options.maxAgeSeconds + 2 * PROOF_CLOCK_SKEW_SECONDS) * 1000,
    );
  }

  /** Proof ids remembered now, and how many fit: when full, device requests get 503. */
  replayCacheFill(): { entries: number; capacity: number } {
    return { entries: this.replays.size, capacity: this.options.replayCacheEntries };
  }

  async verify(request: ProofRequest): Promise<VerifiedProof> {
    const proof = request.proof;
    if (proof === undefined || proof === '')
      throw new DeviceProofError(
        'device-proof-missing',
        'Device requests carry a Device-Proof header',
      );
    if (
      proof.length > MAX_PROOF_LENGTH ||
      !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(proof)
    ) {
      throw new DeviceProofError(
        'device-proof-malformed',
        'The Device-Proof header is not a compact JWS',
      );
    }
    const header = decodeHeader(proof);
    if (header.typ !== DEVICE_PROOF_TYP)
      throw new DeviceProofError(
        'device-proof-wrong-type',
        `A device proof has typ ${DEVICE_PROOF_TYP}`,
      );
    const deviceKey = request.deviceKey;
    // An unknown serial and a foreign key look the same from outside: no serial enumeration.
    if (!deviceKey || header.kid !== deviceKey.thumbprint) {
      throw new DeviceProofError(
        'device-proof-unknown-key',
        `The proof is not made with the identity key registered for battery ${request.serial}`,
      );
    }
    const algorithm = ALGORITHM_OF_KEY_TYPE[deviceKey.jwk.kty];
    if (header.alg !== algorithm) {
      throw new DeviceProofError(
        'device-proof-algorithm-refused',
        `This battery's key signs proofs with ${algorithm}, not ${String(header.alg)}`,
      );
    }
    const claims = await this.verifySignature(proof, deviceKey, algorithm, request.serial);
    this.checkBinding(claims, request);
    this.checkFreshness(claims);
    const remembered = this.replays.remember(
      `${deviceKey.thumbprint}\n${claims.jti}`,
      this.now().getTime(),
    );
    if (remembered === 'replayed')
      throw new DeviceProofError('device-proof-replayed', `Proof ${claims.jti} was already used`);
    if (remembered === 'full')
      throw new DeviceProofError(
        'device-proof-cache-full',
        'Too many device requests at once; retry shortly',
      );
    return { claims, deviceKeyThumbprint: deviceKey.thumbprint };
  }

  /**
   * Strict: the registered key must be one a real private key could have (batteries provisioned
   * before keys were checked may hold a small-order one, for which proofs can be forged), and the
   * signature must be in its one canonical form, before the signature itself is checked.
   */
  private async verifySignature(
    proof: string,
    deviceKey: PublicKey,
    algorithm: 'ES256' | 'EdDSA',
    serial: string,
  ): Promise<DeviceProofClaims> {
    const key = await this.importKey(deviceKey, algorithm);
    if ('weakness' in key) {
      throw new DeviceProofError(
        'device-proof-weak-key',
        `The identity key registered for battery ${serial} ${explainWeakness(key.weakness)}; it cannot authenticate a device`,
      );
    }
    const signature = canonicalBase64url(proof.slice(proof.lastIndexOf('.') + 1), SIGNATURE_BYTES);
    const weakness = signature
      ? signatureWeakness(algorithm, signature)
      : 'not canonical base64url';
    if (weakness !== undefined)
      throw new DeviceProofError(
        'device-proof-bad-signature',
        `The proof signature is not in canonical form (${weakness})`,
      );
    let payload: Uint8Array;
    try {
      ({ payload } = await compactVerify(proof, key.key, { algorithms: [algorithm] }));
    } catch {
      throw new DeviceProofError(
        'device-proof-bad-signature',
        'The proof signature does not verify with the registered identity key',
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(payload));
    } catch {
      throw new DeviceProofError('device-proof-malformed', 'The proof payload is not JSON');
    }
    const parsed = claimsSchema.safeParse(json);
    if (!parsed.success) {
      throw new DeviceProofError(
        'device-proof-malformed',
        `Proof claims: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
      );
    }
    return parsed.data;
  }

  private checkBinding(claims: DeviceProofClaims, request: ProofRequest): void {
    if (claims.sub !== request.serial)
      throw new DeviceProofError(
        'device-proof-wrong-battery',
        `The proof is for battery ${claims.sub}, not ${request.serial}`,
      );
    if (claims.htm !== request.method)
      throw new DeviceProofError(
        'device-proof-wrong-method',
        `The proof is for ${claims.htm}, not ${request.method}`,
      );
    if (pathOf(claims.htu) !== pathOf(request.url))
      throw new DeviceProofError('device-proof-wrong-url', 'The proof is for another URL');
  }

  private checkFreshness(claims: DeviceProofClaims): void {
    const now = Math.floor(this.now().getTime() / 1000);
    if (claims.iat > now + PROOF_CLOCK_SKEW_SECONDS)
      throw new DeviceProofError(
        'device-proof-not-yet-valid',
        'The proof is issued in the future; check the device clock',
      );
    if (claims.iat < now - this.options.maxAgeSeconds) {
      throw new DeviceProofError(
        'device-proof-expired',
        `The proof is older than ${this.options.maxAgeSeconds} s; make a new one per request`,
      );
    }
  }

  /** The verdict on a registered key is cached per thumbprint with the imported key: one check per key, not per proof. */
  private async importKey(deviceKey: PublicKey, algorithm: string): Promise<CachedKey> {
    const cached = this.keys.get(deviceKey.thumbprint);
    if (cached) return cached;
    const weakness = publicKeyWeakness(deviceKey.jwk);
    const entry: CachedKey =
      weakness === undefined
        ? { key: (await importJWK(deviceKey.jwk, algorithm)) as CryptoKey }
        : { weakness };
    if (this.keys.size >= KEY_CACHE_ENTRIES)
      this.keys.delete(this.keys.keys().next().value as string);
    this.keys.set(deviceKey.thumbprint, entry);
    return entry;
  }
}

function decodeHeader(proof: string): Record<string, unknown> {
  try {
    const header: unknown = JSON.parse(
      new TextDecoder().decode(base64url.decode(proof.slice(0, proof.indexOf('.')))),
    );
    if (typeof header === 'object' && header !== null && !Array.isArray(header))
      return header as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new DeviceProofError('device-proof-malformed', 'The proof header is not a JSON object');
}

/** The path of an absolute URL or of a request target, normalised the same way for both. */
function pathOf(url: string): string | undefined {
  try {
    return new URL(url, 'http://request.invalid').pathname;
  } catch {
    return undefined;
  }
}
