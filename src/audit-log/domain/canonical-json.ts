import canonicalize from 'canonicalize';

/**
 * RFC 8785 canonical JSON of a JSON value, the text every leaf is hashed from. The same text as
 * the `canonicalize` package, which the auditor's verifier uses (src/audit-verifier), on every
 * input (canonical-json.spec.ts checks the two against each other):
 * - a value as JSON.parse gives them (objects, arrays, strings, finite numbers, booleans, null) is
 *   copied with each object's members in canonical order and written by JSON.stringify, whose
 *   strings and numbers are canonicalize's own (it calls JSON.stringify for them). Building the
 *   text member by member made and copied a string per member and level, about 8 KB of garbage per
 *   event for a text of 800 bytes: a third of all a catching-up service allocated;
 * - a member name JSON.stringify would not write in the copy's order (an array index, which
 *   objects list first, in numeric order) or could not copy (`__proto__`), and anything else
 *   (a toJSON, an undefined in an array, a hole, a function) goes through `write`, which walks the
 *   value itself and hands what is not plain JSON to `canonicalize`.
 */
export function canonicalJson(value: unknown): string {
  const copy = canonicalCopy(value);
  if (copy !== NOT_PLAIN) return JSON.stringify(copy);
  const text = write(value);
  // canonicalize answers undefined only for a top-level undefined (or function, or symbol).
  if (text === undefined) throw new Error('Only JSON values have a canonical form');
  return text;
}

const NOT_PLAIN = Symbol('not plain JSON');

/** The value with every object's members in canonical order, or NOT_PLAIN (see canonicalJson). */
function canonicalCopy(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : NOT_PLAIN;
    case 'object':
      if (value === null) return value;
      if (Array.isArray(value)) return canonicalArrayCopy(value);
      if (Object.getPrototypeOf(value) !== Object.prototype || 'toJSON' in value) return NOT_PLAIN;
      return canonicalObjectCopy(value as Record<string, unknown>);
    default:
      return NOT_PLAIN;
  }
}

function canonicalArrayCopy(values: readonly unknown[]): unknown {
  let copy: unknown[] | undefined;
  for (let i = 0; i < values.length; i++) {
    if (!(i in values)) return NOT_PLAIN;
    const value = values[i];
    const valueCopy = canonicalCopy(value);
    if (valueCopy === NOT_PLAIN) return NOT_PLAIN;
    if (valueCopy !== value) (copy ??= values.slice())[i] = valueCopy;
  }
  return copy ?? values;
}

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

function canonicalObjectCopy(object: Record<string, unknown>): unknown {
  const names = Object.keys(object);
  for (const name of names) {
    // An array index is listed before every other name, whatever the order of insertion; a name
    // starting with a digit is sent the long way, index or not.
    const first = name.charCodeAt(0);
    if ((first >= DIGIT_0 && first <= DIGIT_9) || name === '__proto__') return NOT_PLAIN;
  }
  const copy: Record<string, unknown> = {};
  for (const name of sortInPlace(names)) {
    const value = object[name];
    // As canonicalize and JSON.stringify both do: an undefined member is left out.
    if (value === undefined) continue;
    const valueCopy = canonicalCopy(value);
    if (valueCopy === NOT_PLAIN) return NOT_PLAIN;
    copy[name] = valueCopy;
  }
  return copy;
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
  return sortInPlace(Object.keys(object));
}

function sortInPlace(names: string[]): string[] {
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
