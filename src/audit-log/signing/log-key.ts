import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  ED25519_SIGNATURE_TYPE,
  formatVerifierKey,
  keyIdOf,
  signatureLine,
} from '../domain/signed-note';

export const AUDIT_LOG_KEY_FILE = 'audit-log-key.jwk';

/**
 * The log's Ed25519 key (its name is the origin): signs checkpoints as C2SP signed notes. The
 * private half is an OKP JWK in DATA_DIR (mode 0600, created on first start and never
 * overwritten). The PKCS#11 signer cannot hold it: the HSM port offers raw ECDSA P-256 only
 * (CKM_ECDSA), not Ed25519 (CKM_EDDSA), so the log key stays a file even when bundles are signed
 * in an HSM.
 */
export class LogKey {
  readonly keyId: Uint8Array;

  private constructor(
    readonly name: string,
    readonly publicKey: Uint8Array,
    private readonly privateKey: KeyObject,
  ) {
    this.keyId = keyIdOf(name, ED25519_SIGNATURE_TYPE, publicKey);
  }

  static readOrCreate(file: string, name: string): LogKey {
    if (!existsSync(file)) {
      const { privateKey } = generateKeyPairSync('ed25519');
      const { kty, crv, x, d } = privateKey.export({ format: 'jwk' });
      mkdirSync(dirname(file), { recursive: true });
      try {
        // 'wx': never overwrite a log key; checkpoints already handed out are signed with it.
        writeFileSync(file, JSON.stringify({ kty, crv, x, d }), { mode: 0o600, flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    return LogKey.fromJwk(
      JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>,
      name,
      file,
    );
  }

  static fromJwk(jwk: Record<string, unknown>, name: string, file = 'the log key'): LogKey {
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string')
      throw new Error(`${file} does not hold an Ed25519 private key (kty OKP, crv Ed25519, d)`);
    const privateKey = createPrivateKey({ key: jwk as never, format: 'jwk' });
    const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' });
    const publicKey = new Uint8Array(Buffer.from(publicJwk.x as string, 'base64url'));
    return new LogKey(name, publicKey, privateKey);
  }

  /** `<name>+<key ID>+<base64(0x01 ‖ public key)>`, what an auditor saves as log.pub. */
  verifierKey(): string {
    return formatVerifierKey(this.name, this.publicKey);
  }

  /** The signature line of this key over a note text. */
  signatureLineOver(text: string): string {
    const signature = sign(null, Buffer.from(text, 'utf8'), this.privateKey);
    return signatureLine(this.name, this.keyId, new Uint8Array(signature));
  }
}
