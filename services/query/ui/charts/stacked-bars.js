// A stacked bar chart over time in plain SVG: one bar per bucket, split by series, a legend with totals, the numbers as
// a table, and dragging across it (or clicking a bar) selects a time range.

import { h } from '../dom.js';
import { bucketLabel, intervalText, niceMax, timeTicks } from './time-axis.js';
import { svg } from './svg.js';

const W = 1000;
const H = 100;
const CLICK_PX = 4;

const fmt = (v) => (Number.isInteger(v) ? String(v) : v < 10 ? v.toFixed(1) : String(Math.round(v)));
const pct = (v) => `${(v * 100).toFixed(3)}%`;

/** The [from, to] (ms, inclusive) of the buckets a selection from fraction `a` to `b` of the plot touches, within `range`. */
export function selectionRange(a, b, domain, intervalMs, range) {
  const [d0, d1] = domain;
  const lo = d0 + Math.min(a, b) * (d1 - d0);
  const hi = d0 + Math.max(a, b) * (d1 - d0);
  const from = Math.floor(lo / intervalMs) * intervalMs;
  const to = Math.max(from + intervalMs, Math.ceil(hi / intervalMs) * intervalMs) - 1;
  return [Math.max(from, range[0]), Math.min(to, range[1])];
}

/**
 * A `<figure class="chart">` of `buckets` ({ t: ms, count, stacks: { key: n } }) stacked by `series`
 * ({ key, label, cls, count }, bottom first). `perMinute` scales the axis to `unit`/min; `onSelect(from, to)` gets a
 * dragged or clicked range (ms, clamped to `range`); `hrefFor(from, to)` links each bucket in the numbers table.
 */
export function stackedBars({ buckets, series, intervalMs, range, label, unit = 'events', perMinute = false, height = 120, onSelect, hrefFor }) {
  const d0 = buckets.length ? buckets[0].t : range[0];
  const d1 = buckets.length ? buckets[buckets.length - 1].t + intervalMs : range[1];
  const span = Math.max(1, d1 - d0);
  const scale = perMinute ? 60_000 / intervalMs : 1;
  const total = buckets.reduce((n, b) => n + b.count, 0);
  const peak = buckets.reduce((m, b) => Math.max(m, b.count), 0);
  const yMax = niceMax(peak * scale);
  const bw = (intervalMs / span) * W;
  const gap = bw >= 3 ? Math.min(bw * 0.2, 2) : 0;
  const rateText = (n) => (perMinute ? `, ${fmt(n * scale)}/min` : '');

  const grid = [0.5, 1].map((f) => svg('line', { class: 'grid-line', x1: 0, x2: W, y1: H - f * H, y2: H - f * H, 'vector-effect': 'non-scaling-stroke' }));
  const bars = buckets.map((b) => {
    const x = ((b.t - d0) / span) * W + gap / 2;
    let y = H;
    const parts = series.filter((s) => b.stacks[s.key] > 0).map((s) => {
      const n = b.stacks[s.key];
      const hgt = ((n * scale) / yMax) * H;
      y -= hgt;
      return svg('rect', { class: s.cls, x: x.toFixed(3), y: y.toFixed(3), width: Math.max(0.1, bw - gap).toFixed(3), height: hgt.toFixed(3), dataset: { series: s.key, count: n } });
    });
    const detail = series.filter((s) => b.stacks[s.key] > 0).map((s) => `${s.label} ${b.stacks[s.key]}`).join(', ');
    return svg('g', { class: 'bucket', dataset: { t: new Date(b.t).toISOString(), count: b.count } },
      b.count ? svg('title', null, `${bucketLabel(b.t, intervalMs)}: ${b.count} ${unit}${rateText(b.count)}${detail ? ` — ${detail}` : ''}`) : null, parts);
  });
  const plotSvg = svg('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': `${label}: ${total} ${unit}`, 'shape-rendering': 'crispEdges' }, grid, bars);
  const brush = h('div', { class: 'chart-brush', hidden: true });
  const plot = h('div', { class: ['chart-plot', onSelect ? 'selectable' : null], style: { height: `${height}px` } }, plotSvg, brush,
    total === 0 ? h('p', { class: 'chart-empty muted' }, `No ${unit} in this range`) : null);
  if (onSelect) attachBrush(plot, brush, (a, b) => onSelect(...selectionRange(a, b, [d0, d1], intervalMs, range)), (a, b) => {
    // A click selects the bucket under the pointer.
    const f = (Math.floor((d0 + a * span) / intervalMs) * intervalMs - d0) / span;
    return Math.abs(a - b) * plot.getBoundingClientRect().width < CLICK_PX ? [f + 1e-9, f + intervalMs / span - 1e-9] : [a, b];
  });

  const yAxis = h('div', { class: 'chart-y', 'aria-hidden': 'true' },
    [0, 0.5, 1].map((f) => h('span', { class: 'tick', style: { bottom: pct(f) } }, fmt(f * yMax))));
  const xAxis = h('div', { class: 'chart-x', 'aria-hidden': 'true' },
    timeTicks(d0, d1).map((tk) => {
      const f = (tk.t - d0) / span;
      // A label centred on an end tick would stick out of the chart: it leans inwards instead.
      return h('span', { class: ['tick', f < 0.04 ? 'at-start' : f > 0.96 ? 'at-end' : null], style: { left: pct(f) } }, tk.label);
    }));
  const legend = h('ul', { class: 'legend' }, series.map((s) => h('li', { dataset: { series: s.key, count: s.count } },
    h('span', { class: `swatch ${s.cls}`, 'aria-hidden': 'true' }), `${s.label} `, h('span', { class: 'num muted' }, String(s.count)))));
  const rows = buckets.filter((b) => b.count > 0);
  const table = h('details', { class: 'chart-table' }, h('summary', null, `Numbers (${rows.length} non-empty bucket${rows.length === 1 ? '' : 's'})`),
    h('table', { class: 'grid compact' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Bucket (UTC)'), h('th', { scope: 'col', class: 'num' }, 'Total'),
        series.map((s) => h('th', { scope: 'col', class: 'num' }, s.label)))),
      h('tbody', null, rows.map((b) => h('tr', null,
        h('td', { class: 'mono nowrap' }, hrefFor ? h('a', { href: hrefFor(b.t, b.t + intervalMs - 1) }, bucketLabel(b.t, intervalMs)) : bucketLabel(b.t, intervalMs)),
        h('td', { class: 'num' }, String(b.count)), series.map((s) => h('td', { class: 'num' }, String(b.stacks[s.key] ?? 0))))))));
  return h('figure', { class: 'chart', dataset: { intervalMs: String(intervalMs), total: String(total) } },
    h('div', { class: 'chart-body' }, yAxis, plot), xAxis,
    h('figcaption', null, legend, h('span', { class: 'chart-unit muted' },
      perMinute ? `${unit} per minute, ${intervalText(intervalMs)} bars · UTC` : `${unit} per ${intervalText(intervalMs)} · UTC`)),
    table);
}

/** Pointer dragging over `plot`: shows `brush` and calls `done(a, b)` with the plot fractions, adjusted by `adjust`. */
function attachBrush(plot, brush, done, adjust) {
  let start;
  const frac = (e) => { const r = plot.getBoundingClientRect(); return Math.min(1, Math.max(0, (e.clientX - r.left) / r.width)); };
  const show = (a, b) => { brush.hidden = false; brush.style.left = pct(Math.min(a, b)); brush.style.width = pct(Math.abs(b - a)); };
  plot.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    e.preventDefault();
    plot.setPointerCapture(e.pointerId);
    start = frac(e);
    show(start, start);
  });
  plot.addEventListener('pointermove', (e) => { if (start !== undefined) show(start, frac(e)); });
  plot.addEventListener('pointerup', (e) => {
    if (start === undefined) return;
    const [a, b] = adjust(start, frac(e));
    start = undefined;
    show(a, b);
    done(a, b);
  });
  plot.addEventListener('pointercancel', () => { start = undefined; brush.hidden = true; });
}
