import * as pkcs11js from 'pkcs11js';
import { ecPointToJwk, P256_EC_PARAMS } from './ec-point';
import type { JWK } from 'jose';

export interface Pkcs11TokenOptions {
  /** Path of the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so. */
  library: string;
  tokenLabel: string;
  pin: string;
}

export interface Pkcs11KeyPair {
  privateKey: pkcs11js.Handle;
  publicJwk: JWK;
}

/**
 * A PKCS#11 module may be initialised once per process; several users (the service's signer, a
 * CLI, tests) share it and the last one out finalises it.
 */
const modules = new Map<string, { module: pkcs11js.PKCS11; users: number }>();

function acquireModule(library: string): pkcs11js.PKCS11 {
  const shared = modules.get(library);
  if (shared) {
    shared.users += 1;
    return shared.module;
  }
  const module = new pkcs11js.PKCS11();
  module.load(library);
  try {
    module.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  } catch (error) {
    if ((error as { code?: number }).code !== pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED)
      throw error;
  }
  modules.set(library, { module, users: 1 });
  return module;
}

function releaseModule(library: string): void {
  const shared = modules.get(library);
  if (!shared) return;
  shared.users -= 1;
  if (shared.users > 0) return;
  modules.delete(library);
  shared.module.C_Finalize();
  shared.module.close();
}

/**
 * One logged-in session on the token with the given label. PKCS#11 runs one operation at a time
 * per session, so every call goes through a queue; signing is short and an HSM is the bottleneck
 * anyway.
 */
export class Pkcs11Token {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly options: Pkcs11TokenOptions,
    readonly module: pkcs11js.PKCS11,
    private readonly session: pkcs11js.Handle,
  ) {}

  static open(options: Pkcs11TokenOptions): Pkcs11Token {
    const module = acquireModule(options.library);
    try {
      const slot = module
        .C_GetSlotList(true)
        .find((candidate) => module.C_GetTokenInfo(candidate).label.trim() === options.tokenLabel);
      if (!slot)
        throw new Error(`No PKCS#11 token labelled "${options.tokenLabel}" in ${options.library}`);
      const session = module.C_OpenSession(
        slot,
        pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION,
      );
      try {
        module.C_Login(session, pkcs11js.CKU_USER, options.pin);
      } catch (error) {
        if ((error as { code?: number }).code !== pkcs11js.CKR_USER_ALREADY_LOGGED_IN) {
          module.C_CloseSession(session);
          throw new Error(
            `PKCS#11 login to token "${options.tokenLabel}" failed: ${(error as Error).message}`,
            { cause: error },
          );
        }
      }
      return new Pkcs11Token(options, module, session);
    } catch (error) {
      releaseModule(options.library);
      throw error;
    }
  }

  /** The EC key pair stored under `label`: the private key's handle and the public key as JWK. */
  findKeyPair(label: string): Promise<Pkcs11KeyPair> {
    return this.exclusive(() => {
      const privateKey = this.findOne(pkcs11js.CKO_PRIVATE_KEY, label);
      const publicKey = this.findOne(pkcs11js.CKO_PUBLIC_KEY, label);
      const [point, params] = this.module.C_GetAttributeValue(this.session, publicKey, [
        { type: pkcs11js.CKA_EC_POINT },
        { type: pkcs11js.CKA_EC_PARAMS },
      ]);
      return { privateKey, publicJwk: ecPointToJwk(point.value, params.value) };
    });
  }

  /**
   * A new P-256 key pair on the token. The private key is sensitive and not extractable: it can
   * sign and nothing else, and it never leaves the HSM.
   */
  generateKeyPair(label: string): Promise<Pkcs11KeyPair> {
    return this.exclusive(() => {
      if (this.findAll(pkcs11js.CKO_PRIVATE_KEY, label).length > 0)
        throw new Error(`The token already holds a key labelled "${label}"`);
      const id = Buffer.from(label, 'utf8');
      const { privateKey, publicKey } = this.module.C_GenerateKeyPair(
        this.session,
        { mechanism: pkcs11js.CKM_EC_KEY_PAIR_GEN },
        [
          { type: pkcs11js.CKA_TOKEN, value: true },
          { type: pkcs11js.CKA_LABEL, value: label },
          { type: pkcs11js.CKA_ID, value: id },
          { type: pkcs11js.CKA_VERIFY, value: true },
          { type: pkcs11js.CKA_EC_PARAMS, value: P256_EC_PARAMS },
        ],
        [
          { type: pkcs11js.CKA_TOKEN, value: true },
          { type: pkcs11js.CKA_LABEL, value: label },
          { type: pkcs11js.CKA_ID, value: id },
          { type: pkcs11js.CKA_PRIVATE, value: true },
          { type: pkcs11js.CKA_SENSITIVE, value: true },
          { type: pkcs11js.CKA_EXTRACTABLE, value: false },
          { type: pkcs11js.CKA_SIGN, value: true },
        ],
      );
      const [point, params] = this.module.C_GetAttributeValue(this.session, publicKey, [
        { type: pkcs11js.CKA_EC_POINT },
        { type: pkcs11js.CKA_EC_PARAMS },
      ]);
      return { privateKey, publicJwk: ecPointToJwk(point.value, params.value) };
    });
  }

  /** Raw CKM_ECDSA over a digest the caller computed: the r||s signature (64 bytes for P-256). */
  signDigest(privateKey: pkcs11js.Handle, digest: Buffer): Promise<Buffer> {
    return this.exclusive(async () => {
      this.module.C_SignInit(this.session, { mechanism: pkcs11js.CKM_ECDSA }, privateKey);
      return this.module.C_SignAsync(this.session, digest, Buffer.alloc(64));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    try {
      this.module.C_Logout(this.session);
    } catch {
      // Another session of this process may share the login; closing is what matters.
    }
    this.module.C_CloseSession(this.session);
    releaseModule(this.options.library);
  }

  private exclusive<T>(operation: () => T | Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The PKCS#11 session is closed'));
    const run = this.queue.then(operation, operation);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private findAll(objectClass: number, label: string): pkcs11js.Handle[] {
    this.module.C_FindObjectsInit(this.session, [
      { type: pkcs11js.CKA_CLASS, value: objectClass },
      { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_EC },
      { type: pkcs11js.CKA_LABEL, value: label },
    ]);
    try {
      // Two are enough to tell "exactly one" from "ambiguous".
      return this.module.C_FindObjects(this.session, 2);
    } finally {
      this.module.C_FindObjectsFinal(this.session);
    }
  }

  private findOne(objectClass: number, label: string): pkcs11js.Handle {
    const found = this.findAll(objectClass, label);
    const what = objectClass === pkcs11js.CKO_PRIVATE_KEY ? 'private' : 'public';
    if (found.length === 0)
      throw new Error(
        `No EC ${what} key labelled "${label}" on token "${this.options.tokenLabel}"`,
      );
    if (found.length > 1)
      throw new Error(
        `Several EC ${what} keys are labelled "${label}" on token "${this.options.tokenLabel}"; labels must be unique`,
      );
    return found[0];
  }
}
