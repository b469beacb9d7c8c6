// A chart of the histogram API for a filter: loads `/aggregations/histogram` and draws it with stackedBars.

import { h, replaceChildren } from '../dom.js';
import { describeSeries } from '../charts/series.js';
import { stackedBars } from '../charts/stacked-bars.js';

/** `filters` with its range replaced by [from, to] (ms, as ISO instants): what a selection on a chart narrows to. */
export function withRange(filters, from, to) {
  const { since: _since, from: _from, to: _to, ...rest } = filters;
  return { ...rest, from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const INTERVALS = [['1m', 60_000], ['5m', 300_000], ['15m', 900_000], ['1h', 3_600_000], ['6h', 21_600_000], ['1d', 86_400_000]];

/** Epoch ms of a range bound as the API reads it (`now`, `now-24h`, an ISO instant), or NaN. */
function instant(raw, now) {
  const rel = /^now(?:-(\d+)([smhdw]))?$/.exec(raw ?? '');
  if (rel) return rel[1] === undefined ? now : now - Number(rel[1]) * UNIT_MS[rel[2]];
  return Date.parse(String(raw ?? '').replace(/(\.\d{3})\d+/, '$1'));
}

/** The histogram interval for a narrow chart: the finest giving at most `maxBars` over `range`; `auto` when unknown. */
export function intervalFor(range, maxBars, now = Date.now()) {
  const m = /^(\d+)([smhdw])$/.exec(range.since ?? '');
  const to = range.to ? instant(range.to, now) : now;
  const from = m ? now - Number(m[1]) * UNIT_MS[m[2]] : range.from ? instant(range.from, now) : to - 86_400_000;
  if (!Number.isFinite(from) || !Number.isFinite(to) || to < from) return 'auto';
  return INTERVALS.find(([, ms]) => Math.floor(to / ms) - Math.floor(from / ms) + 1 <= maxBars)?.[0] ?? 'auto';
}

/** Shows `error` in `body` instead of a figure; a 401 goes to the app (sign-in), an aborted load is ignored. */
export function figureFailed(ctx, body, error) {
  if (error?.name === 'AbortError') return;
  if (error?.status === 401) { ctx.fail(error); return; }
  replaceChildren(body, h('p', { class: 'muted figure-error' }, `Unavailable: ${error?.message ?? error}`));
}

/**
 * A `<section class="histogram">` that loads the histogram of `filters` stacked by `stack` and draws it; `onSelect`
 * and `hrefFor` get the [from, to] (ms) of a dragged range or of a bucket. `data-ready` is set once drawn.
 */
export function histogramPanel(ctx, { filters, stack = 'outcome', title, unit = 'events', perMinute = false, height, onSelect, hrefFor, className }) {
  const body = h('div', { class: 'histogram-body' }, h('p', { class: 'muted chart-loading' }, 'Loading chart…'));
  const section = h('section', { class: ['histogram', className], 'aria-label': title, 'aria-busy': 'true' },
    title ? h('h2', { class: 'histogram-title' }, title) : null, body);
  ctx.api.get('/aggregations/histogram', { ...filters, stack }, ctx.signal).then((data) => {
    const buckets = data.buckets.map((b) => ({ t: Date.parse(b.t), count: b.count, stacks: b.stacks }));
    const series = data.series.map((s) => ({ ...describeSeries(stack, s.key), count: s.count }));
    replaceChildren(body, stackedBars({
      buckets, series, intervalMs: data.intervalMs, range: [Date.parse(data.from), Date.parse(data.to)],
      label: title ?? 'Histogram', unit, perMinute, height, onSelect, hrefFor,
    }));
    section.dataset.ready = 'true';
  }).catch((error) => figureFailed(ctx, body, error)).finally(() => section.setAttribute('aria-busy', 'false'));
  return section;
}
