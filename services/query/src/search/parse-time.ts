import { badRequest } from '../errors/bad-request.js';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(\d{1,6})([smhdw])$/;
const RELATIVE = /^now(?:-(\d{1,6})([smhdw]))?$/;
const ISO = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/** Milliseconds of a duration like `15m`, `1h`, `7d`; a 400 naming `parameter` otherwise. */
export function parseDuration(parameter: string, raw: string): number {
  const m = DURATION.exec(raw);
  if (m === null) throw badRequest(parameter, `"${raw}" is not a duration like 15m, 1h, 7d`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

/** Epoch ms of an ISO-8601 instant (with zone) or `now`/`now-<duration>`; a 400 naming `parameter` otherwise. */
export function parseInstant(parameter: string, raw: string, now: number): number {
  const rel = RELATIVE.exec(raw);
  if (rel !== null) return rel[1] === undefined ? now : now - Number(rel[1]) * UNITS[rel[2]!]!;
  // Date.parse reads at most milliseconds: drop finer fractions first.
  const ms = ISO.test(raw) ? Date.parse(raw.replace(/(\.\d{3})\d+/, '$1')) : Number.NaN;
  if (!Number.isFinite(ms)) throw badRequest(parameter, `"${raw}" is not an ISO-8601 instant or now-<duration>`);
  return ms;
}
