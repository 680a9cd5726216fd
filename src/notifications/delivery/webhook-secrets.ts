import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The prefix Standard Webhooks gives a symmetric secret. */
const SECRET_PREFIX = 'whsec_';
const KEY_BYTES = 32;
/** Separates this use of the key from any other it might be put to later. */
const DERIVATION_LABEL = 'battery-keys webhook endpoint secret v1\n';

/**
 * Each endpoint's signing secret, derived from its id with one service key (HMAC-SHA256). No
 * event or table holds a secret, so the audit view and the change feed, which show the
 * registration event, cannot leak one; every instance that shares the key file signs alike.
 */
export class WebhookSecrets {
  constructor(private readonly key: Buffer) {}

  /** Reads the key file, or makes it (mode 600) on first start. */
  static fromFile(file: string): WebhookSecrets {
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true });
      try {
        writeFileSync(file, `${randomBytes(KEY_BYTES).toString('base64url')}\n`, {
          mode: 0o600,
          flag: 'wx',
        });
      } catch (error) {
        // Another start made it a moment ago: read theirs.
        if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
      }
    }
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
    if (key.length < KEY_BYTES)
      throw new Error(`Webhook key file ${file} holds fewer than ${KEY_BYTES} bytes`);
    return new WebhookSecrets(key);
  }

  /** `whsec_` + base64 of 32 bytes: what `standardwebhooks`' Webhook takes. */
  secretFor(endpointId: string): string {
    const secret = createHmac('sha256', this.key)
      .update(DERIVATION_LABEL + endpointId)
      .digest();
    return SECRET_PREFIX + secret.toString('base64');
  }
}
