/** Marks a value the native path does not take (the full serializer decides what it is). */
const DECLINE = Symbol('decline');

/** Nesting the native path takes; deeper (or cyclic) values go to the full serializer. */
const MAX_DEPTH = 128;

/**
 * RFC 8785 canonical JSON of `value` written by the engine's JSON.stringify over a key-sorted view of it, or undefined
 * when the value holds anything for which that is not proven to be the canonical text: the caller then uses the full
 * serializer, which writes or refuses it. Taken: plain objects and arrays (any member order), strings, finite numbers,
 * booleans, null, undefined (dropped as a member, null in an array, as both write it). Declined: any other object
 * (toJSON, boxed primitives, class instances), functions, symbols, BigInts, NaN and ±Infinity, a member named
 * `__proto__` or an array index (the engine orders those first, not by code unit), nesting past {@link MAX_DEPTH}, and
 * a lone surrogate (seen in the output as the `\ud…` escape JSON.stringify writes for one). For all it takes, RFC 8785
 * is by definition ES JSON.stringify with members sorted by UTF-16 code units, which `<` on strings compares.
 */
export function nativeCanonicalJson(value: unknown): string | undefined {
  const view = sortedView(value, 0);
  if (view === DECLINE || view === undefined) return undefined;
  const text = JSON.stringify(view);
  // A lone surrogate (not I-JSON), or a string holding a backslash before "ud": the full serializer tells which.
  return text.includes('\\ud') ? undefined : text;
}

/** `value` itself when JSON.stringify already writes it canonically, a copy with members sorted when not, or DECLINE. */
function sortedView(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string': case 'boolean': case 'undefined': return value;
    case 'number': return Number.isFinite(value) ? value : DECLINE;
    case 'object': return value === null ? value : sortedObject(value, depth);
    default: return DECLINE;
  }
}

function sortedObject(value: object, depth: number): unknown {
  if (depth >= MAX_DEPTH) return DECLINE;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Array.prototype) return Array.isArray(value) ? sortedItems(value, depth) : DECLINE;
  return proto === Object.prototype || proto === null ? sortedMembers(value as Record<string, unknown>, depth) : DECLINE;
}

function sortedItems(items: readonly unknown[], depth: number): unknown {
  let copy: unknown[] | undefined;
  for (let i = 0; i < items.length; i += 1) {
    const item = items[i];
    // Primitives inline: most values are strings, and a call per value is most of the walk.
    const view = typeof item === 'string' ? item : sortedView(item, depth + 1);
    if (view === DECLINE) return DECLINE;
    if (copy !== undefined) copy.push(view);
    else if (view !== item) { copy = items.slice(0, i); copy.push(view); }
  }
  return copy ?? items;
}

function sortedMembers(record: Record<string, unknown>, depth: number): unknown {
  const keys = Object.keys(record);
  let copy: Record<string, unknown> | undefined;
  for (let i = 1; i < keys.length; i += 1) {
    if (keys[i - 1]! > keys[i]!) { keys.sort(); copy = {}; break; }
  }
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i]!;
    if (key === '__proto__' || isArrayIndex(key)) return DECLINE;
    const member = record[key];
    const view = typeof member === 'string' ? member : sortedView(member, depth + 1);
    if (view === DECLINE) return DECLINE;
    if (copy === undefined && view !== member) {
      copy = {};
      for (let j = 0; j < i; j += 1) copy[keys[j]!] = record[keys[j]!];
    }
    if (copy !== undefined) copy[key] = view;
  }
  return copy ?? record;
}

/** Whether the engine treats `key` as an array index (a canonical integer below 2³² − 1), enumerating it first. */
function isArrayIndex(key: string): boolean {
  const c = key.charCodeAt(0);
  if (c < 48 || c > 57) return false;
  return String(Number(key)) === key && Number(key) < 4294967295;
}
