/**
 * RFC 8785 (JCS) canonical JSON of `value`: object members sorted by their UTF-16 code units at every depth, no
 * whitespace, numbers and strings written as ECMAScript's JSON.stringify writes them. Members whose value has no JSON
 * form (undefined, functions, symbols) are dropped and array slots holding one become `null`, as JSON.stringify does.
 *
 * Two deliberate departures, both so that the hash always covers what is stored (the record on Kafka is JSON):
 * a number JSON cannot carry (NaN, Infinity) is written `null`, and a lone UTF-16 surrogate (which a JSON body may
 * carry as `"\ud800"`) is written as JSON.stringify's `\ud800` escape rather than refused. Throws TypeError for a
 * BigInt; a cyclic value overflows the stack (RangeError), as it would in JSON.stringify.
 */
export function canonicalJson(value: unknown): string {
  const text = serialize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}

/** Canonical JSON of one value, or undefined when it has none. */
export function serialize(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string': return quote(value);
    case 'number': return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean': return value ? 'true' : 'false';
    case 'object': return value === null ? 'null' : serializeObject(value);
    case 'bigint': throw new TypeError('a BigInt has no JSON form');
    default: return undefined;
  }
}

function serializeObject(value: object): string | undefined {
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return serialize((toJSON as () => unknown).call(value));
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) out += (i === 0 ? '' : ',') + (serialize(value[i]) ?? 'null');
    return `${out}]`;
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean) return serialize(value.valueOf());
  return serializeMembers(value as Record<string, unknown>, Object.keys(value).sort());
}

/** `{…}` of the members of `record` named by `sortedKeys` (in that order), skipping those without a JSON form. */
export function serializeMembers(record: Record<string, unknown>, sortedKeys: readonly string[]): string {
  let out = '{';
  let first = true;
  for (const key of sortedKeys) {
    const member = serialize(record[key]);
    if (member === undefined) continue;
    out += `${first ? '' : ','}${quote(key)}:${member}`;
    first = false;
  }
  return `${out}}`;
}

/** Printable ASCII other than `"` and `\\`: written between quotes as it is. */
const PLAIN = /^[ !#-[\]-~]*$/;

/** The JSON string literal of `text`, as JSON.stringify writes it (the common, plain case without calling it). */
function quote(text: string): string {
  return PLAIN.test(text) ? `"${text}"` : JSON.stringify(text);
}
