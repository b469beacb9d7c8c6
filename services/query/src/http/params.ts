import { badRequest } from '../errors/bad-request.js';
import { single, type RawParams } from '../search/parse-filters.js';

/** An integer parameter within [min, max]; `fallback` when absent. */
export function intParam(params: RawParams, key: string, fallback: number, min: number, max: number): number {
  const raw = single(params, key);
  if (raw === undefined) return fallback;
  if (!/^\d{1,9}$/.test(raw)) throw badRequest(key, `"${raw}" is not a whole number`);
  const n = Number(raw);
  if (n < min || n > max) throw badRequest(key, `must be between ${min} and ${max}`);
  return n;
}

/** One of `allowed`; `fallback` when absent. */
export function enumParam<T extends string>(params: RawParams, key: string, allowed: readonly T[], fallback: T): T {
  const raw = single(params, key);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw badRequest(key, `must be one of ${allowed.join(', ')}`);
  return raw as T;
}

/** A path segment matching `pattern`, else a 400 naming `key`. */
export function pathParam(value: string | undefined, key: string, pattern: RegExp): string {
  if (value === undefined || !pattern.test(value)) throw badRequest(key, 'malformed');
  return value;
}
