import {
  CheckpointError,
  describeCheckpoint,
  openCheckpoint,
  type VerifiedCheckpoint,
} from './checkpoint';
import { cosign, type Cosigner } from './cosignature';
import { decodeBase64 } from './encoding';
import { HASH_SIZE, verifyConsistency } from './merkle';
import type { VerifierKey } from './verifier-key';
import { readWitnessState, writeWitnessState, type WitnessState } from './witness-state';

/**
 * One round of a witness (c2sp.org/tlog-cosignature semantics): fetch the log's newest checkpoint,
 * check the log's signature, check that it extends the largest checkpoint this witness has seen
 * (a consistency proof, from the log, verified here), then cosign it and hand the cosignature to
 * the log. A log that shows a smaller tree (rollback) or another root for a size already seen
 * (fork) gets no cosignature, and the witness keeps what it saw.
 */
export interface WitnessOptions {
  logUrl: string;
  logKey: VerifierKey;
  cosigner: Cosigner;
  stateFile: string;
  /** Unix seconds; the cosignature's timestamp. */
  now?: () => number;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export type AlarmKind = 'rollback' | 'fork' | 'inconsistent' | 'unverifiable';

export type RoundOutcome =
  | {
      kind: 'cosigned';
      checkpoint: VerifiedCheckpoint;
      previous?: VerifiedCheckpoint;
      time: number;
    }
  | { kind: 'unchanged'; checkpoint: VerifiedCheckpoint }
  | {
      kind: 'alarm';
      alarm: AlarmKind;
      detail: string;
      /** The signed note the log served this round. */
      served: string;
      /** The checkpoint the witness had seen, when there is one. */
      seen?: VerifiedCheckpoint;
    }
  /** The round could not be completed: the log was unreachable or refused the cosignature. */
  | { kind: 'failed'; detail: string };

class RoundFailed extends Error {}

export async function runWitnessRound(options: WitnessOptions): Promise<RoundOutcome> {
  try {
    return await round(options);
  } catch (error) {
    if (error instanceof RoundFailed) return { kind: 'failed', detail: error.message };
    throw error;
  }
}

async function round(options: WitnessOptions): Promise<RoundOutcome> {
  const { logKey, stateFile } = options;
  const seenState = readWitnessState(stateFile, logKey);
  const seen = seenState?.checkpoint;
  const served = await getText(options, '/v1/log/checkpoint');
  const alarm = (kind: AlarmKind, detail: string): RoundOutcome => ({
    kind: 'alarm',
    alarm: kind,
    detail,
    served,
    ...(seen ? { seen } : {}),
  });

  let checkpoint: VerifiedCheckpoint;
  try {
    checkpoint = openCheckpoint(served, logKey);
  } catch (error) {
    if (error instanceof CheckpointError)
      return alarm('unverifiable', `the served checkpoint does not verify: ${error.message}`);
    throw error;
  }

  if (seen) {
    const both = `served ${describeCheckpoint(checkpoint)}, seen ${describeCheckpoint(seen)}`;
    if (checkpoint.size < seen.size)
      return alarm('rollback', `the log shows a smaller tree than the witness has seen: ${both}`);
    if (checkpoint.size === seen.size) {
      if (!checkpoint.rootHash.equals(seen.rootHash))
        return alarm('fork', `two roots for one tree size: ${both}`);
      // Already verified; cosign again only if the log never took the cosignature.
      if (seenState?.deliveredAt !== undefined) return { kind: 'unchanged', checkpoint: seen };
    } else if (seen.size > 0) {
      const proof = await consistencyProof(options, seen.size, checkpoint.size);
      if (!verifyConsistency(seen.size, checkpoint.size, seen.rootHash, checkpoint.rootHash, proof))
        return alarm('inconsistent', `the consistency proof does not verify: ${both}`);
    }
  }

  // What was verified is remembered before it is cosigned: if the delivery fails, the witness has
  // still seen this tree and judges the next one against it.
  const observed: WitnessState = { checkpoint };
  writeWitnessState(stateFile, observed);
  const time = (options.now ?? (() => Math.floor(Date.now() / 1000)))();
  const cosignature = cosign(checkpoint.text, options.cosigner, time);
  await postCosignature(options, checkpoint.text, cosignature);
  writeWitnessState(stateFile, { ...observed, deliveredAt: time });
  return { kind: 'cosigned', checkpoint, time, ...(seen ? { previous: seen } : {}) };
}

const endpoint = (options: WitnessOptions, path: string) =>
  new URL(path, options.logUrl.endsWith('/') ? options.logUrl : `${options.logUrl}/`);

async function request(options: WitnessOptions, path: string, init: RequestInit = {}) {
  const url = endpoint(options, path.replace(/^\//, ''));
  try {
    return await (options.fetch ?? fetch)(url, {
      ...init,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    throw new RoundFailed(`${init.method ?? 'GET'} ${url.href}: ${(error as Error).message}`);
  }
}

async function getText(options: WitnessOptions, path: string): Promise<string> {
  const response = await request(options, path);
  const text = await response.text();
  if (response.status !== 200)
    throw new RoundFailed(`GET ${path} answered ${response.status}: ${text.slice(0, 200)}`);
  return text;
}

async function consistencyProof(options: WitnessOptions, from: number, to: number) {
  const text = await getText(options, `/v1/log/proofs/consistency?from=${from}&to=${to}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new RoundFailed('the consistency proof is not JSON');
  }
  const answer = body as { from?: unknown; to?: unknown; proof?: unknown };
  if (answer.from !== from || answer.to !== to || !Array.isArray(answer.proof))
    throw new RoundFailed(`the log answered another consistency proof than ${from} → ${to}`);
  return answer.proof.map((hash: unknown) => {
    const bytes = typeof hash === 'string' ? decodeBase64(hash, HASH_SIZE) : undefined;
    if (!bytes) throw new RoundFailed('the consistency proof holds something not a hash');
    return bytes;
  });
}

async function postCosignature(options: WitnessOptions, checkpoint: string, cosignature: string) {
  const response = await request(options, '/v1/log/cosignatures', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ checkpoint, cosignature }),
  });
  const text = await response.text();
  if (response.status !== 204 && response.status !== 200)
    throw new RoundFailed(
      `the log refused the cosignature: ${response.status} ${text.slice(0, 300)}`,
    );
}
