import { badRequest } from '../errors/bad-request.js';
import type { EventFilters } from './event-filters.js';
import { parseDuration, parseInstant } from './parse-time.js';

/** Query parameters as Express parses them (a repeated key becomes an array). */
export type RawParams = Readonly<Record<string, unknown>>;

/** Limits applied while parsing. */
export interface FilterLimits { readonly maxRangeDays: number }

// Values are matched exactly (term queries); these shapes also keep query syntax, quotes and wildcards out.
const PATTERNS: Record<string, RegExp> = {
  actor: /^[A-Za-z0-9._:@+/#=~-]{1,253}$/,
  onBehalfOf: /^[A-Za-z0-9._:@+/#=~-]{1,253}$/,
  verb: /^[a-z]{1,32}$/,
  resource: /^[a-z0-9.-]{1,253}$/,
  namespace: /^[a-z0-9-]{1,63}$/,
  name: /^[A-Za-z0-9._:@-]{1,253}$/,
  apiGroup: /^[a-z0-9.-]{0,253}$/,
  subresource: /^[a-z]{1,63}$/,
  decision: /^(allow|deny|mask)$/,
  cluster: /^[A-Za-z0-9._:/-]{1,253}$/,
  session: /^[A-Za-z0-9._:@/+=-]{1,256}$/,
  tool: /^[A-Za-z0-9._:@/-]{1,256}$/,
  call: /^[A-Za-z0-9-]{8,64}$/,
  server: /^[a-z0-9-]{1,63}$/,
};
const Q = /^[A-Za-z0-9/._~:?=&%,;+@!$'()[\]-]{1,256}$/;
const MAX_VALUES = 20;

/** One string parameter, or undefined; a repeated parameter is a 400. */
export function single(params: RawParams, key: string): string | undefined {
  const v = params[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw badRequest(key, 'must be given once, as a plain value');
  return v;
}

/** 400 naming the first parameter not in `allowed`. */
export function rejectUnknown(params: RawParams, allowed: readonly string[]): void {
  for (const key of Object.keys(params)) if (!allowed.includes(key)) throw badRequest(key, 'unknown parameter');
}

function list(params: RawParams, key: string): string[] | undefined {
  const raw = single(params, key);
  if (raw === undefined) return undefined;
  const values = raw.split(',').map((s) => s.trim());
  if (values.length > MAX_VALUES) throw badRequest(key, `at most ${MAX_VALUES} values`);
  for (const v of values) if (!PATTERNS[key]!.test(v)) throw badRequest(key, `"${v}" is not a valid ${key}`);
  return values;
}

function bool(params: RawParams, key: string): boolean | undefined {
  const raw = single(params, key);
  if (raw === undefined) return undefined;
  if (raw !== 'true' && raw !== 'false') throw badRequest(key, 'must be true or false');
  return raw === 'true';
}

function status(raw: string | undefined): EventFilters['status'] {
  if (raw === undefined) return undefined;
  if (/^[1-5]\d\d$/.test(raw)) return { code: Number(raw) };
  if (/^[1-5]xx$/.test(raw)) return { classOf: Number(raw[0]) };
  throw badRequest('status', `"${raw}" is not a status code (403) or class (4xx)`);
}

/** The time range of `params` (`from`/`to`/`since`), validated: default last 24 h, never reversed nor too long. */
export function parseRange(params: RawParams, now: number, limits: FilterLimits, defaultSpanMs = 86_400_000): { from: number; to: number } {
  const since = single(params, 'since');
  const rawFrom = single(params, 'from');
  const rawTo = single(params, 'to');
  if (since !== undefined && rawFrom !== undefined) throw badRequest('since', 'give either since or from, not both');
  const to = rawTo === undefined ? now : parseInstant('to', rawTo, now);
  const from = since !== undefined ? now - parseDuration('since', since)
    : rawFrom !== undefined ? parseInstant('from', rawFrom, now) : to - defaultSpanMs;
  if (from > to) throw badRequest(rawFrom !== undefined ? 'from' : since !== undefined ? 'since' : 'to', 'the range is reversed (from after to)');
  if (to - from > limits.maxRangeDays * 86_400_000) throw badRequest(since !== undefined ? 'since' : 'from', `the range exceeds ${limits.maxRangeDays} days`);
  return { from, to };
}

/** Parses and validates the event filters of `params`; every problem is a 400 naming its parameter. */
export function parseFilters(params: RawParams, now: number, limits: FilterLimits, defaultSpanMs?: number): EventFilters {
  const { from, to } = parseRange(params, now, limits, defaultSpanMs);
  const out: Record<string, unknown> = { from, to };
  for (const key of Object.keys(PATTERNS)) {
    const v = list(params, key);
    if (v !== undefined) out[key] = v;
  }
  const st = status(single(params, 'status'));
  if (st !== undefined) out['status'] = st;
  for (const key of ['secretAccess', 'clusterWide', 'refused']) {
    const v = bool(params, key);
    if (v !== undefined) out[key] = v;
  }
  const q = single(params, 'q');
  if (q !== undefined) {
    if (!Q.test(q)) throw badRequest('q', 'only URI characters, 1-256 of them (no spaces, quotes or wildcards)');
    out['q'] = q;
  }
  return out as unknown as EventFilters;
}
