import {
  CheckpointError,
  describeCheckpoint,
  openCheckpoint,
  type VerifiedCheckpoint,
} from './checkpoint';
import { decodeBase64 } from './encoding';
import { leafProblem } from './leaf';
import { HASH_SIZE, leafHash, verifyConsistency, verifyInclusion } from './merkle';
import type { VerifierKey } from './verifier-key';

/**
 * Verifies an audit export (docs/audit-log.md §5) line by line: the header's checkpoint with the
 * log key, then each event line's leaf (canonical, in increasing leaf order) and its inclusion
 * proof against that checkpoint, and, given a checkpoint the auditor kept from before, that the
 * log only grew since. Only one line is held at a time; the first failure ends the run.
 */
export type ExportCheck =
  | 'header'
  | 'checkpoint'
  | 'previous-checkpoint'
  | 'rollback'
  | 'fork'
  | 'consistency'
  | 'entry'
  | 'leaf-order'
  | 'leaf-index'
  | 'canonical-leaf'
  | 'inclusion';

export interface ExportFailure {
  /** 1-based line of the export file; absent when the previous checkpoint itself is at fault. */
  line?: number;
  check: ExportCheck;
  detail: string;
}

export interface ExportSummary {
  entries: number;
  checkpoint: VerifiedCheckpoint;
  /** The kept checkpoint, when one was given and the export's checkpoint extends it. */
  previous?: VerifiedCheckpoint;
  /** The size the header's consistency proof starts from, when no kept checkpoint was given to
   * check it against: it proves nothing by itself. */
  uncheckedConsistencyFrom?: number;
}

export type ExportVerdict =
  { ok: true; summary: ExportSummary } | { ok: false; failure: ExportFailure };

export interface ExportVerificationOptions {
  logKey: VerifierKey;
  /** The signed note of a checkpoint the auditor kept from an earlier export or witness. */
  previousCheckpoint?: string;
}

class Failed extends Error {
  constructor(readonly failure: ExportFailure) {
    super(failure.detail);
  }
}
const fail = (check: ExportCheck, detail: string, line?: number): never => {
  throw new Failed({ check, detail, ...(line === undefined ? {} : { line }) });
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parseJsonLine(text: string, check: ExportCheck, line: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail(check, 'not a JSON line', line);
  }
  return isObject(value) ? value : fail(check, 'not a JSON object', line);
}

function parseProof(value: unknown, check: ExportCheck, line: number): Buffer[] {
  if (!Array.isArray(value)) return fail(check, 'the proof is not an array of hashes', line);
  return value.map((hash, position) => {
    const bytes = typeof hash === 'string' ? decodeBase64(hash, HASH_SIZE) : undefined;
    return bytes ?? fail(check, `proof[${position}] is not a base64 SHA-256 hash`, line);
  });
}

function openOrFail(note: unknown, logKey: VerifierKey, check: ExportCheck, line?: number) {
  if (typeof note !== 'string') return fail(check, 'no signed checkpoint note', line);
  try {
    return openCheckpoint(note, logKey);
  } catch (error) {
    if (error instanceof CheckpointError) return fail(check, error.message, line);
    throw error;
  }
}

/** The kept checkpoint against the export's: never smaller, never another root at one size. */
function checkExtends(
  previous: VerifiedCheckpoint,
  current: VerifiedCheckpoint,
  consistency: unknown,
): void {
  const both = `kept ${describeCheckpoint(previous)}; export ${describeCheckpoint(current)}`;
  if (previous.size > current.size) fail('rollback', `the export's tree is smaller: ${both}`, 1);
  if (previous.size === current.size) {
    if (!previous.rootHash.equals(current.rootHash))
      fail('fork', `two roots for one tree size: ${both}`, 1);
    return;
  }
  if (previous.size === 0) return; // every tree extends the empty one
  if (!isObject(consistency))
    fail('consistency', `the header has no consistency proof from size ${previous.size}`, 1);
  const { from, proof } = consistency as Record<string, unknown>;
  if (from !== previous.size)
    fail(
      'consistency',
      `the header's consistency proof starts at ${String(from)}, not at the kept size ${previous.size}`,
      1,
    );
  const hashes = parseProof(proof, 'consistency', 1);
  if (!verifyConsistency(previous.size, current.size, previous.rootHash, current.rootHash, hashes))
    fail('consistency', `the consistency proof does not verify: ${both}`, 1);
}

export async function verifyExport(
  lines: AsyncIterable<string> | Iterable<string>,
  options: ExportVerificationOptions,
): Promise<ExportVerdict> {
  try {
    return { ok: true, summary: await verifyLines(lines, options) };
  } catch (error) {
    if (error instanceof Failed) return { ok: false, failure: error.failure };
    throw error;
  }
}

async function verifyLines(
  lines: AsyncIterable<string> | Iterable<string>,
  { logKey, previousCheckpoint }: ExportVerificationOptions,
): Promise<ExportSummary> {
  // The kept checkpoint is checked first: a forged one is the auditor's problem, not the export's.
  const previous =
    previousCheckpoint === undefined
      ? undefined
      : openOrFail(previousCheckpoint, logKey, 'previous-checkpoint');

  let lineNumber = 0;
  let checkpoint: VerifiedCheckpoint | undefined;
  let lastLeafIndex = -1;
  let entries = 0;
  let uncheckedConsistencyFrom: number | undefined;
  for await (const text of lines) {
    lineNumber += 1;
    if (!checkpoint) {
      const header = parseJsonLine(text, 'header', lineNumber);
      checkpoint = openOrFail(header.checkpoint, logKey, 'checkpoint', lineNumber);
      if (previous) checkExtends(previous, checkpoint, header.consistency);
      else if (isObject(header.consistency) && typeof header.consistency.from === 'number')
        uncheckedConsistencyFrom = header.consistency.from;
      continue;
    }
    lastLeafIndex = verifyEntry(text, lineNumber, checkpoint, lastLeafIndex);
    entries += 1;
  }
  if (!checkpoint) return fail('header', 'the export is empty: no header line', 1);
  return {
    entries,
    checkpoint,
    ...(previous ? { previous } : {}),
    ...(uncheckedConsistencyFrom === undefined ? {} : { uncheckedConsistencyFrom }),
  };
}

function verifyEntry(
  text: string,
  line: number,
  checkpoint: VerifiedCheckpoint,
  lastLeafIndex: number,
): number {
  const entry = parseJsonLine(text, 'entry', line);
  const { leafIndex, leaf, proof } = entry;
  if (typeof leafIndex !== 'number' || !Number.isSafeInteger(leafIndex) || leafIndex < 0)
    fail('entry', 'leafIndex is not a whole number', line);
  if (typeof leaf !== 'string') fail('entry', 'leaf is not a string', line);
  const index = leafIndex as number;
  if (index <= lastLeafIndex)
    fail(
      'leaf-order',
      `leaf ${index} comes after leaf ${lastLeafIndex}: lines are in leaf order`,
      line,
    );
  if (index >= checkpoint.size)
    fail(
      'leaf-index',
      `leaf ${index} is outside the checkpoint's tree of size ${checkpoint.size}`,
      line,
    );
  const problem = leafProblem(leaf as string);
  if (problem) fail('canonical-leaf', `leaf ${index}: ${problem}`, line);
  const hashes = parseProof(proof, 'entry', line);
  const hash = leafHash(Buffer.from(leaf as string, 'utf8'));
  if (!verifyInclusion(index, checkpoint.size, hash, hashes, checkpoint.rootHash))
    fail(
      'inclusion',
      `the inclusion proof of leaf ${index} does not lead to the root of the checkpoint of size ${checkpoint.size}`,
      line,
    );
  return index;
}

/** One line for a person: where the export failed and which check. */
export const describeFailure = ({ line, check, detail }: ExportFailure) =>
  `${line === undefined ? 'previous checkpoint' : `line ${line}`}: ${check}: ${detail}`;
