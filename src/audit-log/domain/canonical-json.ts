import canonicalize from 'canonicalize';

/**
 * RFC 8785 canonical JSON of a JSON value, the text every leaf is hashed from. The same text as
 * the `canonicalize` package, which the auditor's verifier uses (src/audit-verifier): this one
 * walks the values JSON.parse gives (objects, arrays, strings, finite numbers, booleans, null)
 * with loops instead of a chain of template strings per member and without a JSON.stringify per
 * string that has nothing to escape, about twice as fast (3.9 against 7.5 µs per event), and hands
 * anything else (a toJSON, an undefined, a function) to `canonicalize` itself, so the two agree on
 * every input (canonical-json.spec.ts checks them against each other).
 */
export function canonicalJson(value: unknown): string {
  const text = write(value);
  // canonicalize answers undefined only for a top-level undefined (or function, or symbol).
  if (text === undefined) throw new Error('Only JSON values have a canonical form');
  return text;
}

function write(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return quoted(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      // NaN and the infinities are refused by canonicalize itself, with its own message.
      return Number.isFinite(value) ? JSON.stringify(value) : canonicalize(value);
    case 'object':
      if (Array.isArray(value)) return writeArray(value);
      if (Object.getPrototypeOf(value) === Object.prototype && !('toJSON' in value))
        return writeObject(value as Record<string, unknown>);
      return canonicalize(value);
    default:
      return canonicalize(value);
  }
}

function writeArray(values: readonly unknown[]): string | undefined {
  let text = '[';
  for (let i = 0; i < values.length; i++) {
    // A hole (never in parsed JSON) is skipped by canonicalize's reduce: its text, not ours.
    if (!(i in values)) return canonicalize(values);
    if (i > 0) text += ',';
    const value = values[i];
    // As canonicalize: undefined and symbols stand as null in an array.
    text += value === undefined || typeof value === 'symbol' ? 'null' : write(value);
  }
  return `${text}]`;
}

/** Characters JSON.stringify would escape (surrogates: only lone ones, so it decides). */
// eslint-disable-next-line no-control-regex -- the control characters are what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify of a string, without calling it for the common string that has nothing to escape. */
function quoted(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** An event's objects have a handful of members: insertion sort beats Array.prototype.sort's setup. */
const INSERTION_SORT_UP_TO = 16;

/** Sorted by UTF-16 code units, which is what `<`/`>` and Array.prototype.sort compare strings by. */
function sortedNames(object: object): string[] {
  const names = Object.keys(object);
  if (names.length > INSERTION_SORT_UP_TO) return names.sort();
  for (let i = 1; i < names.length; i++) {
    const name = names[i];
    let j = i - 1;
    while (j >= 0 && names[j] > name) {
      names[j + 1] = names[j];
      j--;
    }
    names[j + 1] = name;
  }
  return names;
}

function writeObject(object: Record<string, unknown>): string {
  const names = sortedNames(object);
  let text = '{';
  let first = true;
  for (const name of names) {
    const value = object[name];
    if (value === undefined || typeof value === 'symbol') continue;
    if (!first) text += ',';
    first = false;
    text += `${quoted(name)}:${write(value)}`;
  }
  return `${text}}`;
}
