/**
 * apimachinery's `fields.ParseSelector` followed by `RequiresExactMatch("metadata.name")`: terms split on
 * unescaped commas and sorted bytewise, each `lhs (!=|==|=) rhs` with `rhs` unescaped (`\\`, `\,`, `\=`), and the
 * name taken from the first `metadata.name` equality in that order.
 */

/** What the API server reads from a `fieldSelector`: whether it parses, and the exact `metadata.name` it pins. */
export interface FieldSelectorName {
  readonly valid: boolean;
  /** The name pinned by `metadata.name=` / `metadata.name==`, when the selector parses and has one. */
  readonly name: string | undefined;
}

const INVALID: FieldSelectorName = { valid: false, name: undefined };
const NO_NAME: FieldSelectorName = { valid: true, name: undefined };
const NAME_FIELD = 'metadata.name';

/** Go's `fields.UnescapeValue`; undefined when the value has an unknown escape or an unescaped `,` or `=`. */
function unescapeValue(s: string): string | undefined {
  if (s.indexOf('\\') < 0 && s.indexOf(',') < 0 && s.indexOf('=') < 0) return s;
  let out = '';
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') return undefined;
      out += c;
      inSlash = false;
    } else if (c === '\\') inSlash = true;
    else if (c === ',' || c === '=') return undefined;
    else out += c;
  }
  return inSlash ? undefined : out;
}

/** Orders strings by code point, which is the byte order of their UTF-8 (Go's string order). */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Parses `selector` like the API server's `fields.ParseSelector` and returns the `metadata.name` it pins, if any. */
export function readFieldSelectorName(selector: string): FieldSelectorName {
  let bestTerm: string | undefined;
  let bestName: string | undefined;
  let start = 0;
  let inSlash = false;
  for (let i = 0; i <= selector.length; i++) {
    const atEnd = i === selector.length;
    if (!atEnd) {
      const c = selector.charCodeAt(i);
      if (inSlash) {
        inSlash = false;
        continue;
      }
      if (c === 0x5c /* \ */) {
        inSlash = true;
        continue;
      }
      if (c !== 0x2c /* , */) continue;
    }
    const term = selector.slice(start, i);
    start = i + 1;
    if (term.length === 0) continue;
    let opAt = -1;
    let opLen = 0;
    for (let j = 0; j < term.length; j++) {
      const c = term.charCodeAt(j);
      const next = term.charCodeAt(j + 1);
      if (c === 0x21 /* ! */ && next === 0x3d) {
        opAt = j;
        opLen = 2;
        break;
      }
      if (c === 0x3d /* = */) {
        opAt = j;
        opLen = next === 0x3d ? 2 : 1;
        break;
      }
    }
    if (opAt < 0) return INVALID;
    const value = unescapeValue(term.slice(opAt + opLen));
    if (value === undefined) return INVALID;
    const equality = term.charCodeAt(opAt) === 0x3d;
    if (equality && opAt === NAME_FIELD.length && term.startsWith(NAME_FIELD)) {
      if (bestTerm === undefined || compareCodePoints(term, bestTerm) < 0) {
        bestTerm = term;
        bestName = value;
      }
    }
  }
  return bestTerm === undefined ? NO_NAME : { valid: true, name: bestName };
}
