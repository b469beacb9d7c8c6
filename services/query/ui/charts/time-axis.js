// Time-axis ticks for charts, in UTC like every time the analyst UI shows.

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const STEPS = [MIN, 5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY];
const pad = (n) => String(n).padStart(2, '0');

/** `HH:MM`, or `MM-DD` at midnight and for steps of a day or more. */
export function tickLabel(ms, stepMs) {
  const d = new Date(ms);
  if (stepMs >= DAY || (d.getUTCHours() === 0 && d.getUTCMinutes() === 0)) return `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** At most `max` ticks `{ t, label }` on round UTC instants inside [start, end]. */
export function timeTicks(start, end, max = 8) {
  const span = Math.max(1, end - start);
  const step = STEPS.find((s) => span / s <= max) ?? Math.ceil(span / max / DAY) * DAY;
  const ticks = [];
  for (let t = Math.ceil(start / step) * step; t <= end; t += step) ticks.push({ t, label: tickLabel(t, step) });
  return ticks;
}

/** `12:05–12:10Z` or `05-01 12:05–12:10Z` when `withDate`: the span of one bucket. */
export function bucketLabel(t, intervalMs, withDate = true) {
  const a = new Date(t);
  const b = new Date(t + intervalMs);
  const hm = (d) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  const date = (d) => `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (intervalMs >= DAY) return `${date(a)}${intervalMs > DAY ? `–${date(b)}` : ''} (UTC)`;
  return `${withDate ? `${date(a)} ` : ''}${hm(a)}–${hm(b)}Z`;
}

/** A round upper bound for an axis whose largest value is `max` (1, 2, 2.5 or 5 × 10ⁿ; at least 1). */
export function niceMax(max) {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((v) => v >= max);
}

/** `5 min`, `1 h`, `1 d`: the width of a bucket. */
export function intervalText(ms) {
  if (ms < HOUR) return `${ms / MIN} min`;
  return ms < DAY ? `${ms / HOUR} h` : `${ms / DAY} d`;
}
