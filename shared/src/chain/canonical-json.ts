import { AppError } from '../errors/app-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { nativeCanonicalJson } from './native-canonical.js';

/** Refuses a value without RFC 8785 canonical JSON (`AUDITGATE_E_NOT_CANONICAL_JSON`). */
function refuse(why: string): never {
  throw new AppError(`not canonical JSON: ${why}`, { code: ErrorCodes.NOT_CANONICAL_JSON, status: 500 });
}

/**
 * RFC 8785 (JCS) canonical JSON of `value`: object members sorted by their UTF-16 code units at every depth, no
 * whitespace, numbers and strings written as ECMAScript's JSON.stringify writes them. Members whose value has no JSON
 * form (undefined, functions, symbols) are dropped and array slots holding one become `null`, as JSON.stringify does.
 *
 * Exactly RFC 8785 on what it accepts, so the text equals the reference implementation's (the `canonicalize` package):
 * what is not I-JSON is refused (`AUDITGATE_E_NOT_CANONICAL_JSON`), never rewritten: NaN and ±Infinity, a string or
 * member name holding a lone UTF-16 surrogate (the chain makes an event I-JSON before it links it, see {@link toIJson}), a BigInt, a cyclic value. Any depth the heap holds is written, whatever the call stack.
 * Plain JSON values are written by the engine's JSON.stringify over a key-sorted view ({@link nativeCanonicalJson}: a quarter
 * to a third less CPU on gateway events); whatever that path declines is written, or refused, by the serializer below.
 */
export function canonicalJson(value: unknown): string {
  const text = nativeCanonicalJson(value) ?? serialize(value);
  if (text === undefined) refuse('the value has no JSON form');
  return text;
}

/**
 * Nesting served by plain recursion; deeper values are written by {@link serializeIteratively}, so how deep a record can
 * be never depends on the call stack (nor on whether V8 has optimized this code yet): what the gateway wrote, a cold
 * indexer or verifier can always read and hash again.
 */
const RECURSION_DEPTH = 128;

/** Canonical JSON of one value, or undefined when it has none. */
export function serialize(value: unknown, depth = 0): string | undefined {
  switch (typeof value) {
    case 'string': return quote(value);
    case 'number': return Number.isFinite(value) ? JSON.stringify(value) : refuse(`${value} is not an I-JSON number`);
    case 'boolean': return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      return depth < RECURSION_DEPTH ? serializeObject(value, depth) : serializeIteratively(value);
    case 'bigint': return refuse('a BigInt has no JSON form');
    default: return undefined;
  }
}

/** An object's own value for JSON: its toJSON() result (called once, as JSON.stringify does), or a boxed primitive's value. */
function jsonValueOf(value: object): unknown {
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  const own: unknown = typeof toJSON === 'function' ? (toJSON as () => unknown).call(value) : value;
  return own instanceof Number || own instanceof String || own instanceof Boolean ? own.valueOf() : own;
}

function serializeObject(object: object, depth: number): string | undefined {
  const value = jsonValueOf(object);
  if (typeof value !== 'object' || value === null) return serialize(value, depth);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) out += (i === 0 ? '' : ',') + (serialize(value[i], depth + 1) ?? 'null');
    return `${out}]`;
  }
  return serializeMembers(value as Record<string, unknown>, Object.keys(value).sort(), depth);
}

/** `{…}` of the members of `record` named by `sortedKeys` (in that order), skipping those without a JSON form. */
export function serializeMembers(record: Record<string, unknown>, sortedKeys: readonly string[], depth = 0): string {
  let out = '{';
  let first = true;
  for (const key of sortedKeys) {
    const member = serialize(record[key], depth + 1);
    if (member === undefined) continue;
    out += `${first ? '' : ','}${quote(key)}:${member}`;
    first = false;
  }
  return `${out}}`;
}

/** An array or object being written by {@link serializeIteratively}. */
type Frame =
  | { readonly items: readonly unknown[]; next: number; out: string }
  | { readonly record: Record<string, unknown>; readonly keys: readonly string[]; next: number; out: string; first: boolean; key: string };

/** Marks a container whose text is not written yet (its frame was pushed). */
const OPENED = Symbol('opened');

/** The same text as {@link serialize}, with an explicit stack instead of recursion: any depth the heap holds. */
function serializeIteratively(root: object): string | undefined {
  const stack: Frame[] = [];
  const open = new Set<object>();
  const enter = (raw: unknown): string | undefined | typeof OPENED => {
    const value = typeof raw === 'object' && raw !== null ? jsonValueOf(raw) : raw;
    if (typeof value !== 'object' || value === null) return serialize(value);
    if (open.has(value)) refuse('a cyclic value has no JSON form');
    open.add(value);
    if (Array.isArray(value)) stack.push({ items: value, next: 0, out: '[' });
    else stack.push({ record: value as Record<string, unknown>, keys: Object.keys(value).sort(), next: 0, out: '{', first: true, key: '' });
    return OPENED;
  };
  let text = enter(root);
  for (;;) {
    const top = stack[stack.length - 1];
    if (top === undefined) return text === OPENED ? undefined : text;
    if (text !== OPENED) {
      // A finished child of `top`: append it.
      if ('items' in top) top.out += (top.next === 1 ? '' : ',') + (text ?? 'null');
      else if (text !== undefined) { top.out += `${top.first ? '' : ','}${quote(top.key)}:${text}`; top.first = false; }
    }
    if ('items' in top) {
      if (top.next < top.items.length) { text = enter(top.items[top.next++]); continue; }
      stack.pop();
      open.delete(top.items);
      text = `${top.out}]`;
    } else {
      if (top.next < top.keys.length) { top.key = top.keys[top.next++]!; text = enter(top.record[top.key]); continue; }
      stack.pop();
      open.delete(top.record);
      text = `${top.out}}`;
    }
  }
}

/** Printable ASCII other than `"` and `\\`: written between quotes as it is. */
const PLAIN = /^[ !#-[\]-~]*$/;

/** The JSON string literal of `text`, as JSON.stringify writes it (the common, plain case without calling it); refuses a lone surrogate. */
export function quote(text: string): string {
  if (PLAIN.test(text)) return `"${text}"`;
  if (!text.isWellFormed()) refuse('a string holds a lone UTF-16 surrogate (not I-JSON)');
  return JSON.stringify(text);
}

/** The I-JSON form of a primitive: a lone surrogate becomes U+FFFD, NaN and ±Infinity become null; anything else is kept. */
function iJsonPrimitive(value: unknown): unknown {
  if (typeof value === 'string') return value.isWellFormed() ? value : value.toWellFormed();
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  return value;
}

/**
 * Makes `value` I-JSON in place, so it has canonical JSON: every lone UTF-16 surrogate in its strings and member names
 * becomes U+FFFD (as the API server does when it decodes a JSON body: `"\ud800"` is valid JSON), and NaN or ±Infinity
 * becomes `null` (what JSON.stringify would have stored). Returns how many values changed. Explicit stack: any depth.
 */
export function toIJson(value: unknown): number {
  let changed = 0;
  const stack: unknown[] = [value];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null || seen.has(node)) continue;
    seen.add(node);
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i += 1) {
        const item: unknown = node[i];
        const fixed = iJsonPrimitive(item);
        if (!Object.is(fixed, item)) { node[i] = fixed; changed += 1; } else stack.push(item);
      }
      continue;
    }
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      let name = key;
      if (!key.isWellFormed()) {
        name = key.toWellFormed();
        const moved = record[key];
        delete record[key];
        // Two names that differ only in their lone surrogates become one: the later keeps it, as JSON.parse would.
        record[name] = moved;
        changed += 1;
      }
      const member = record[name];
      const fixed = iJsonPrimitive(member);
      if (!Object.is(fixed, member)) { record[name] = fixed; changed += 1; } else stack.push(member);
    }
  }
  return changed;
}
