import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { CheckpointError, openCheckpoint, type VerifiedCheckpoint } from './checkpoint';
import type { VerifierKey } from './verifier-key';

/**
 * What a witness remembers between rounds: the largest checkpoint it verified for one log, and
 * whether the log has its cosignature of it yet. Losing this file makes the witness forget what it
 * saw (it would then trust the next checkpoint on first use), so it is written whole or not at all.
 */
export interface WitnessState {
  checkpoint: VerifiedCheckpoint;
  /** Unix seconds of the cosignature the log accepted for this checkpoint; absent until then. */
  deliveredAt?: number;
}

interface StoredState {
  version: 1;
  /** The signed note as the log served it: the witness's evidence of what it saw. */
  checkpoint: string;
  seenAt: string;
  deliveredAt?: number;
}

export class WitnessStateError extends Error {}

/** The state, re-verified with the log key (so a state file of another log is refused), or
 * undefined when there is none yet. */
export function readWitnessState(file: string, logKey: VerifierKey): WitnessState | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WitnessStateError(`cannot read the state file ${file}: ${(error as Error).message}`);
  }
  let stored: StoredState;
  try {
    stored = JSON.parse(text) as StoredState;
  } catch {
    throw new WitnessStateError(`the state file ${file} is not JSON`);
  }
  if (stored.version !== 1 || typeof stored.checkpoint !== 'string')
    throw new WitnessStateError(`the state file ${file} is not a witness state (version 1)`);
  try {
    const checkpoint = openCheckpoint(stored.checkpoint, logKey);
    return {
      checkpoint,
      ...(typeof stored.deliveredAt === 'number' ? { deliveredAt: stored.deliveredAt } : {}),
    };
  } catch (error) {
    if (error instanceof CheckpointError)
      throw new WitnessStateError(
        `the state file ${file} holds no checkpoint of this log: ${error.message}`,
      );
    throw error;
  }
}

/** Writes a temporary file next to the state, flushes it to disk, then renames it over the state. */
export function writeWitnessState(file: string, state: WitnessState, now = new Date()): void {
  const stored: StoredState = {
    version: 1,
    checkpoint: state.checkpoint.note,
    seenAt: now.toISOString(),
    ...(state.deliveredAt === undefined ? {} : { deliveredAt: state.deliveredAt }),
  };
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(stored, null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new WitnessStateError(`cannot write the state file ${file}: ${(error as Error).message}`);
  }
  // The rename itself is durable once the directory is flushed too.
  const directory = openSync(dirname(file), 'r');
  try {
    fsyncSync(directory);
  } finally {
    closeSync(directory);
  }
}
