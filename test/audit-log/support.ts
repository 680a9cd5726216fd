import Database from 'better-sqlite3';
import { generateKeyPairSync, sign } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseCheckpointText, type Checkpoint } from '../../src/audit-log/domain/checkpoint';
import { cosignatureBlob, cosignedMessage } from '../../src/audit-log/domain/cosignature';
import { toBase64 } from '../../src/audit-log/domain/hashing';
import {
  COSIGNATURE_V1_TYPE,
  formatVerifierKey,
  keyIdOf,
  parseSignedNote,
} from '../../src/audit-log/domain/signed-note';
import type { TestApp } from '../support/test-app';

/** Events of this service's streams in events.db (every stream it writes is followed). */
export function eventsInStore(dataDir: string): number {
  const db = new Database(join(dataDir, 'events.db'), { readonly: true });
  try {
    return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events').get()!.n;
  } finally {
    db.close();
  }
}

/** Polls the public checkpoint until it covers `size` leaves (bounded). */
export async function checkpointOf(app: TestApp, size: number, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await app.request('GET', '/v1/log/checkpoint');
    if (response.status === 200) {
      const note = parseSignedNote(response.text);
      const checkpoint = note && parseCheckpointText(note.text);
      if (checkpoint && checkpoint.size >= size)
        return { note: note, checkpoint, text: response.text };
    }
    if (Date.now() > deadline)
      throw new Error(`no checkpoint of ${size} leaves: ${response.status} ${response.text}`);
    await sleep(50);
  }
}

/** A witness with its own Ed25519 key, cosigning as C2SP tlog-cosignature says. */
export function newWitness(name: string) {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(-32));
  const keyId = keyIdOf(name, COSIGNATURE_V1_TYPE, raw);
  return {
    name,
    verifierKey: formatVerifierKey(name, raw, COSIGNATURE_V1_TYPE),
    cosign(checkpointText: string, timestamp = BigInt(Math.floor(Date.now() / 1000))): string {
      const signature = sign(
        null,
        Buffer.from(cosignedMessage(timestamp, checkpointText)),
        privateKey,
      );
      return `\u2014 ${name} ${toBase64(cosignatureBlob(keyId, timestamp, new Uint8Array(signature)))}`;
    },
  };
}

export type { Checkpoint };
