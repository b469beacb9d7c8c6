// Actor timeline: the actor's exchanges in time order, with a per-hour activity strip.

import { seg, toQuery } from '../api-client.js';
import { h, replaceChildren } from '../dom.js';
import { formatHour } from '../format.js';
import { actorPath } from '../router.js';
import { appendEventRows, eventsTable, loadMoreButton } from '../widgets.js';
import { rangeFields } from './search.js';

const PAGE_SIZE = 100;
const HOUR = 3_600_000;
const MAX_BUCKETS = 24 * 31;

const SINCE = /^(\d+)([mhd])$/;

/** The [from, to] of a `since` range (`24h`, `7d`) ending at `now`, or undefined for other ranges. */
export function sinceWindow(since, now) {
  const m = SINCE.exec(since ?? '');
  if (!m) return undefined;
  return [now - Number(m[1]) * { m: 60_000, h: HOUR, d: 24 * HOUR }[m[2]], now];
}

/**
 * Per-hour buckets `{ t, count, denied }` of `events` (by requestReceivedTimestamp), covering `span` ([from, to] ms)
 * when given, else the first to the last event's hour; at most a month of hours (the latest ones).
 */
export function hourBuckets(events, span) {
  const counts = new Map();
  for (const doc of events) {
    const ms = Date.parse(String(doc.requestReceivedTimestamp ?? '').replace(/(\.\d{3})\d+/, '$1'));
    if (!Number.isFinite(ms)) continue;
    const t = Math.floor(ms / HOUR) * HOUR;
    const b = counts.get(t) ?? { t, count: 0, denied: 0 };
    b.count += 1;
    if (doc.auditgate?.policy?.decision === 'deny' || doc.responseStatus?.code === 403) b.denied += 1;
    counts.set(t, b);
  }
  const keys = [...counts.keys()];
  if (span) keys.push(Math.floor(span[0] / HOUR) * HOUR, Math.floor(span[1] / HOUR) * HOUR);
  if (keys.length === 0) return [];
  const first = Math.min(...keys);
  const last = Math.max(...keys);
  const out = [];
  for (let t = Math.max(first, last - (MAX_BUCKETS - 1) * HOUR); t <= last; t += HOUR) out.push(counts.get(t) ?? { t, count: 0, denied: 0 });
  return out;
}

/** The activity strip: one bar per hour, height by count, denied share in red; each bar labelled for screen readers. */
export function activityStrip(buckets) {
  const max = Math.max(1, ...buckets.map((b) => b.count));
  return h('figure', { class: 'strip-wrap' },
    h('ol', { class: 'strip', 'aria-label': 'Activity per hour (UTC)' }, buckets.map((b) => {
      const label = `${formatHour(b.t)}: ${b.count} event${b.count === 1 ? '' : 's'}${b.denied ? `, ${b.denied} denied` : ''}`;
      const bar = h('span', { class: 'bar', style: { height: `${Math.round((b.count / max) * 100)}%` } },
        b.denied ? h('span', { class: 'bar-denied', style: { height: `${Math.round((b.denied / b.count) * 100)}%` } }) : null);
      return h('li', { class: b.count ? 'hour' : 'hour idle', title: label, 'aria-label': label, dataset: { count: String(b.count) } }, bar);
    })),
    h('figcaption', { class: 'muted' }, buckets.length
      ? `${formatHour(buckets[0].t)} → ${formatHour(buckets[buckets.length - 1].t)} · per hour, denied in red`
      : 'No activity'));
}

/** Renders the timeline of actor `ctx.param` into `main`. */
export async function renderTimeline(ctx, main) {
  const actor = ctx.param;
  ctx.setTitle(`Timeline of ${actor}`);
  const filters = {};
  for (const key of ['since', 'from', 'to']) if (ctx.query.get(key)) filters[key] = ctx.query.get(key);
  if (!filters.since && !filters.from && !filters.to) filters.since = '24h';
  const range = rangeFields(filters, 't');
  const form = h('form', {
    class: 'filters inline', 'aria-label': 'Timeline range',
    onsubmit: (e) => { e.preventDefault(); ctx.navigate(`${actorPath(actor)}${toQuery(range.read())}`); },
  }, range.nodes, h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Apply')));
  const body = h('section', { class: 'results', 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading timeline…'));
  replaceChildren(main,
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '/ui/search' }, 'Search'), ' › ', 'Actor'),
    h('header', { class: 'detail-head' }, h('h1', null, 'Timeline of ', h('span', { class: 'mono' }, actor)),
      h('p', null, h('a', { href: `/ui/search${toQuery({ ...filters, actor })}` }, 'Search this actor\'s events'), ' · ',
        h('a', { href: `/ui/search${toQuery({ ...filters, onBehalfOf: actor })}` }, 'Events on behalf of this actor'))),
    form, body);

  const page = await ctx.api.get(`/actors/${seg(actor)}/timeline`, { ...filters, size: PAGE_SIZE }, ctx.signal);
  body.setAttribute('aria-busy', 'false');
  const events = [...page.events];
  const span = sinceWindow(filters.since, Date.now());
  if (events.length === 0) {
    replaceChildren(body, h('div', { class: 'empty-state' }, h('p', null, h('strong', null, 'No activity in this time range'))));
    return;
  }
  const stripHolder = h('div', { class: 'panel' }, h('h2', null, 'Activity'), activityStrip(hourBuckets(events, span)));
  const summary = h('p', { class: 'summary', role: 'status' });
  const setSummary = () => { summary.textContent = `${page.total} event${page.total === 1 ? '' : 's'} · showing ${events.length}, oldest first`; };
  setSummary();
  const table = eventsTable(events, { navigate: ctx.navigate, caption: `Events of ${actor}, oldest first`, showActor: false });
  let cursor = page.nextCursor;
  const more = loadMoreButton(async () => {
    const next = await ctx.api.get(`/actors/${seg(actor)}/timeline`, { ...filters, size: PAGE_SIZE, cursor }, ctx.signal).catch(ctx.fail);
    if (!next) return true;
    events.push(...next.events);
    appendEventRows(table.tBodies[0], next.events, { navigate: ctx.navigate, showActor: false });
    replaceChildren(stripHolder, h('h2', null, 'Activity'), activityStrip(hourBuckets(events, span)));
    setSummary();
    cursor = next.nextCursor;
    return Boolean(cursor) && next.events.length > 0;
  });
  more.hidden = !cursor;
  replaceChildren(body, stripHolder, summary, h('div', { class: 'table-wrap' }, table), more);
}
