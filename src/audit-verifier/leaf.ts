import canonicalize from 'canonicalize';

/**
 * A leaf as docs/audit-log.md §1 defines it: the RFC 8785 canonical JSON of exactly these members.
 * The check is of form only; what the event says is the auditor's to read.
 */
const LEAF_MEMBERS = ['data', 'eventId', 'metadata', 'revision', 'stream', 'type'];

export interface LeafEvent {
  stream: string;
  revision: number;
  eventId: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Why a leaf text is not a canonical leaf, or undefined when it is one. */
export function leafProblem(leafText: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(leafText);
  } catch {
    return 'the leaf is not JSON';
  }
  // Re-serializing what was parsed gives the one canonical text; any other spelling of the same
  // value (spaces, key order, escapes, number forms, a duplicate key) differs from it.
  if (canonicalize(value) !== leafText) return 'the leaf is not RFC 8785 canonical JSON';
  if (!isObject(value)) return 'the leaf is not a JSON object';
  const members = Object.keys(value).sort();
  if (members.join(',') !== LEAF_MEMBERS.join(','))
    return `the leaf's members are ${members.join(', ')}, not ${LEAF_MEMBERS.join(', ')}`;
  const leaf = value as unknown as LeafEvent;
  if (typeof leaf.stream !== 'string' || leaf.stream.startsWith('$'))
    return 'the leaf names no stream of the service';
  if (!Number.isSafeInteger(leaf.revision) || leaf.revision < 0)
    return 'the leaf revision is not a whole number';
  if (typeof leaf.eventId !== 'string' || typeof leaf.type !== 'string')
    return 'the leaf eventId and type are strings';
  if (!isObject(leaf.data) || !isObject(leaf.metadata))
    return 'the leaf data and metadata are JSON objects';
  return undefined;
}
