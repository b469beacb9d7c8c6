import type { KeyObject } from 'node:crypto';
import type { MaskingOptions, SecretPattern } from './masking-types.js';

/** A decoded JSON object. */
export type JsonRecord = Record<string, unknown>;

/** State of one masking pass: options, the current JSON path as a stack, and the paths masked so far. */
export interface MaskContext {
  readonly key: Buffer | KeyObject;
  readonly keyPatterns: readonly SecretPattern[];
  readonly valuePatterns: readonly SecretPattern[];
  readonly encodeBinaryMarkers: boolean;
  /** Segments of the path being visited; pushed and popped around each descent so no strings are built needlessly. */
  readonly stack: (string | number)[];
  readonly maskedPaths: string[];
}

/** A fresh context for one call; `maskedPaths` may be shared with a parent pass. */
export function createMaskContext(options: MaskingOptions, maskedPaths: string[] = []): MaskContext {
  return {
    key: options.key,
    keyPatterns: options.patterns.filter((p) => p.appliesTo === 'key'),
    valuePatterns: options.patterns.filter((p) => p.appliesTo === 'value'),
    encodeBinaryMarkers: options.encodeBinaryMarkers === true,
    stack: [],
    maskedPaths,
  };
}

/** True for a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Escapes one JSON-pointer segment (RFC 6901). */
export function escapePointer(segment: string | number): string {
  const s = String(segment);
  return s.includes('~') || s.includes('/') ? s.replaceAll('~', '~0').replaceAll('/', '~1') : s;
}

/** The current path (plus `last`, if given) as a JSON pointer. */
export function currentPointer(ctx: MaskContext, last?: string | number): string {
  let out = '';
  for (const seg of ctx.stack) out += `/${escapePointer(seg)}`;
  return last === undefined ? out : `${out}/${escapePointer(last)}`;
}

/** Records that the value at the current path (plus `last`) was masked. */
export function recordMasked(ctx: MaskContext, last?: string | number): void {
  ctx.maskedPaths.push(currentPointer(ctx, last));
}

/** Sets `obj[key]` on a copy made on first change (`copy` is that copy, or undefined); safe for `__proto__`. */
export function assignCopy(obj: JsonRecord, copy: JsonRecord | undefined, key: string, value: unknown): JsonRecord {
  const out = copy ?? { ...obj };
  Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
  return out;
}

/** `obj` itself when `obj[key]` already is `value`, else a shallow copy with it replaced. */
export function withField(obj: JsonRecord, key: string, value: unknown): JsonRecord {
  return obj[key] === value ? obj : assignCopy(obj, undefined, key, value);
}

/** Maps each own entry through `fn` under the path segment of its key; copies only on the first change. */
export function mapEntries(
  ctx: MaskContext, obj: JsonRecord, fn: (key: string, value: unknown) => unknown,
): JsonRecord {
  let copy: JsonRecord | undefined;
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    ctx.stack.push(key);
    const next = fn(key, value);
    ctx.stack.pop();
    if (next !== value) copy = assignCopy(obj, copy, key, next);
  }
  return copy ?? obj;
}

/** Maps each item through `fn` under the path segment of its index; copies only on the first change. */
export function mapItems(ctx: MaskContext, items: readonly unknown[], fn: (item: unknown, index: number) => unknown): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    ctx.stack.push(i);
    const next = fn(item, i);
    ctx.stack.pop();
    if (next !== item) {
      copy ??= items.slice();
      copy[i] = next;
    }
  }
  return copy ?? (items as unknown[]);
}

/** Applies `fn` to `obj[key]` (under that path segment) when it is present; copy-on-write. */
export function updateField(ctx: MaskContext, obj: JsonRecord, key: string, fn: (value: unknown) => unknown): JsonRecord {
  if (!Object.hasOwn(obj, key)) return obj;
  ctx.stack.push(key);
  const next = fn(obj[key]);
  ctx.stack.pop();
  return withField(obj, key, next);
}
