// Overview of a time range: refusals over time, open alerts by severity, top actors (with on-behalf-of), Secret
// accesses by namespace and the busiest MCP sessions. Every figure and every entry links to the search behind it.

import { toQuery } from '../api-client.js';
import { actorName, fitNames, shortenName } from '../actor-names.js';
import { barList } from '../charts/bar-list.js';
import { h, replaceChildren } from '../dom.js';
import { severityBadge } from '../widgets.js';
import { figureFailed, histogramPanel, intervalFor, withRange } from './histogram-panel.js';
import { rangeFields } from './search.js';

const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];
/** The overview's lists are wider than table cells: names are cut later. */
const OVERVIEW_NAME_MAX = 40;

/** The range of a URL query: `since`, or `from`/`to`; the last 24 hours by default. */
export function rangeFromQuery(query) {
  const range = {};
  for (const key of ['since', 'from', 'to']) if (query.get(key)?.trim()) range[key] = query.get(key).trim();
  if (!range.since && !range.from && !range.to) range.since = '24h';
  return range;
}

/** The alert API's `from`/`to` (on lastSeen) for an event range (`since=24h` → `from=now-24h`). */
export function alertRange(range) {
  return range.since ? { from: `now-${range.since}` } : { from: range.from, to: range.to };
}

/** A figure panel: a heading with a link to the search that produced it, and a body to fill. */
function figure(name, title, href, linkText) {
  const body = h('div', { class: 'figure-body', 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading…'));
  const total = h('span', { class: 'figure-total muted' });
  const section = h('section', { class: `panel figure fig-${name}`, dataset: { figure: name }, 'aria-label': title },
    h('header', { class: 'figure-head' }, h('h2', null, title, ' ', total), h('a', { class: 'figure-link', href }, linkText)), body);
  const done = (n) => { body.setAttribute('aria-busy', 'false'); section.dataset.ready = 'true'; if (n !== undefined) total.textContent = String(n); };
  return { section, body, done };
}

/** Fills `f.body` with `render(data)` once `load` resolves, and its heading with `total(data)`; failures show in the figure. */
function fill(ctx, f, load, render, total) {
  return load.then((data) => { replaceChildren(f.body, render(data)); f.done(total(data)); f.onFilled?.(); })
    .catch((error) => { figureFailed(ctx, f.body, error); f.done(); });
}

const countText = (n) => h('span', { class: 'num' }, ` ${n}`);

/** Renders the overview into `main`. */
export async function renderOverview(ctx, main) {
  ctx.setTitle('Overview');
  const range = rangeFromQuery(ctx.query);
  const fields = rangeFields(range, 'o');
  const search = (extra = {}) => `/ui/search${toQuery({ ...range, ...extra })}`;
  const alerts = (extra = {}) => `/ui/alerts${toQuery({ status: 'open', ...alertRange(range), ...extra })}`;
  const form = h('form', {
    class: 'filters inline overview-range', 'aria-label': 'Overview range',
    onsubmit: (e) => { e.preventDefault(); ctx.navigate(`/ui/overview${toQuery(fields.read())}`); },
  }, fields.nodes, h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Apply')));

  const refusals = h('section', { class: 'panel figure fig-refusals', dataset: { figure: 'refusals' }, 'aria-label': 'Refusals over time' },
    h('header', { class: 'figure-head' }, h('h2', null, 'Refusals over time'), h('span', { class: 'muted small' }, 'policy deny or HTTP 403 · drag to narrow'),
      h('a', { class: 'figure-link', href: search({ refused: 'true' }) }, 'Search refusals ›')),
    histogramPanel(ctx, {
      filters: { ...range, refused: 'true', interval: intervalFor(range, 120) }, stack: 'outcome', unit: 'refusals', height: 96,
      onSelect: (from, to) => ctx.navigate(`/ui/overview${toQuery(withRange(range, from, to))}`),
      hrefFor: (from, to) => `/ui/search${toQuery(withRange({ ...range, refused: 'true' }, from, to))}`,
    }));
  const open = figure('alerts', 'Open alerts by severity', alerts(), 'Alert inbox ›');
  const actors = figure('actors', 'Top actors', search(), 'Search events ›');
  const secrets = figure('secrets', 'Secret accesses by namespace', search({ secretAccess: 'true' }), 'Search ›');
  const sessions = figure('sessions', 'Busiest MCP sessions', search(), 'Search ›');

  const grid = h('div', { class: 'overview-grid' }, refusals, open.section, actors.section, secrets.section, sessions.section);
  replaceChildren(main, h('div', { class: 'overview-head' }, h('h1', null, 'Overview'), form), grid);
  // Names are cut among every name on the page, so two agents told apart in one figure stay apart in another.
  for (const f of [actors, sessions]) f.onFilled = () => fitNames(grid, OVERVIEW_NAME_MAX);

  const params = (extra) => ({ ...range, ...extra });
  await Promise.all([
    fill(ctx, open, ctx.api.get('/aggregations/alerts', { status: 'open', ...alertRange(range) }, ctx.signal), (data) => {
      const known = SEVERITIES.map((s) => ({ key: s, count: data.severity.find((x) => x.key === s)?.count ?? 0 }));
      const other = data.severity.filter((x) => !SEVERITIES.includes(x.key));
      return barList([...known, ...other].map((s) => ({ key: s.key, count: s.count, label: severityBadge(s.key), href: alerts({ severity: s.key }), cls: `sev-${s.key}` })),
        { label: 'Open alerts by severity' });
    }, (data) => `${data.total} open`),
    fill(ctx, actors, ctx.api.get('/aggregations/terms', params({ field: 'actor', by: 'onBehalfOf', size: 6, bySize: 3 }), ctx.signal), (data) =>
      barList(data.buckets.map((b) => ({
        key: b.key, count: b.count, href: search({ actor: b.key }), label: actorName(b.key, { link: false }),
        detail: onBehalfOf(b, (obo) => search({ actor: b.key, onBehalfOf: obo })),
      })), { label: 'Top actors', empty: 'No events in this range' }), (data) => `${data.total} events`),
    fill(ctx, secrets, ctx.api.get('/aggregations/terms', params({ field: 'namespace', secretAccess: 'true', size: 6 }), ctx.signal), (data) => barList([
      ...data.buckets.map((b) => ({ key: b.key, count: b.count, label: h('span', { class: 'mono' }, b.key), href: search({ secretAccess: 'true', namespace: b.key }), cls: 'secret' })),
      ...(data.missing > 0 ? [{ key: '', count: data.missing, label: h('em', null, 'cluster-wide'), href: search({ secretAccess: 'true', clusterWide: 'true' }), cls: 'secret' }] : []),
    ], { label: 'Secret accesses by namespace', empty: 'No Secret was read or changed in this range' }), (data) => `${data.total} accesses`),
    fill(ctx, sessions, ctx.api.get('/aggregations/terms', params({ field: 'session', by: 'actor,onBehalfOf,tool', size: 5, bySize: 3 }), ctx.signal), (data) => {
      const ids = data.buckets.map((b) => b.key);
      return barList(data.buckets.map((b) => ({
        key: b.key, count: b.count, href: search({ session: b.key }),
        label: h('span', { class: 'mono session-id', title: b.key }, shortenName(b.key, ids, 34)),
        detail: sessionDetail(b),
      })), { label: 'Busiest MCP sessions', empty: 'No MCP session in this range: sessions appear once the MCP gate records them.' });
    }, (data) => `${data.total - data.missing} events in sessions`),
  ]);
}

/** `for alice 31 · bob 12 · direct 3`: who an actor's requests were made for, each a link to that search. */
function onBehalfOf(bucket, hrefFor) {
  const obo = bucket.by.onBehalfOf ?? [];
  const direct = bucket.byMissing.onBehalfOf ?? 0;
  if (obo.length === 0) return null;
  return h('span', { class: 'obo-list' }, 'for ',
    obo.map((o, i) => [i ? ' · ' : '', h('a', { href: hrefFor(o.key), dataset: { obo: o.key, count: String(o.count) } }, actorName(o.key, { link: false })), countText(o.count)]),
    direct ? [' · ', h('span', { title: 'requests with no on-behalf-of user' }, 'direct'), countText(direct)] : null);
}

/** `agents/mcp for bob · resources_get 12`: who drove an MCP session, for whom, with which tools. */
function sessionDetail(bucket) {
  const [actor] = bucket.by.actor ?? [];
  const [obo] = bucket.by.onBehalfOf ?? [];
  const tools = bucket.by.tool ?? [];
  return [
    actor ? actorName(actor.key, { link: false }) : null,
    obo ? [' for ', actorName(obo.key, { link: false })] : null,
    tools.length ? [' · ', tools.map((t, i) => [i ? ', ' : '', h('span', { class: 'mono' }, t.key), countText(t.count)])] : null,
  ];
}
