import { HASH_BYTES, hashFromBase64, toBase64 } from './hashing';
import { isKeyName } from './signed-note';

/** C2SP tlog-checkpoint body: origin, tree size, root hash, each line ending in a newline. */
export interface Checkpoint {
  origin: string;
  size: number;
  root: Uint8Array;
}

export function checkpointText({ origin, size, root }: Checkpoint): string {
  if (!isKeyName(origin)) throw new Error('A checkpoint origin holds no whitespace and no +');
  if (root.length !== HASH_BYTES) throw new Error('A checkpoint root is 32 bytes');
  return `${origin}\n${size}\n${toBase64(root)}\n`;
}

/** The checkpoint of a note text of exactly the three lines this log writes; undefined otherwise. */
export function parseCheckpointText(text: string): Checkpoint | undefined {
  const lines = text.split('\n');
  if (lines.length !== 4 || lines[3] !== '') return undefined;
  const [origin, sizeText, rootText] = lines;
  if (!isKeyName(origin) || !/^(0|[1-9]\d{0,15})$/.test(sizeText)) return undefined;
  const size = Number(sizeText);
  const root = hashFromBase64(rootText);
  if (!Number.isSafeInteger(size) || !root) return undefined;
  return { origin, size, root };
}
