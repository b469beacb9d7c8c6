// Actor timeline: the actor's exchanges in time order, below an activity strip (requests per minute by verb).

import { displayName } from '../actor-names.js';
import { seg, toQuery } from '../api-client.js';
import { h, replaceChildren } from '../dom.js';
import { actorPath } from '../router.js';
import { appendEventRows, eventsTable, loadMoreButton } from '../widgets.js';
import { histogramPanel, withRange } from './histogram-panel.js';
import { toolCallsTable } from './tool-call.js';
import { rangeFields } from './search.js';

const PAGE_SIZE = 100;

/** The activity strip of `actor` over `filters`' range: requests per minute by verb (the histogram API); a drag narrows the timeline. */
export function activityStrip(ctx, actor, filters) {
  const narrowed = (from, to) => `${actorPath(actor)}${toQuery(withRange(filters, from, to))}`;
  return histogramPanel(ctx, {
    filters: { ...filters, actor }, stack: 'verb', unit: 'requests', perMinute: true, height: 64,
    title: 'Activity · requests per minute by verb · drag to narrow', className: 'panel histogram-panel activity-strip',
    onSelect: (from, to) => ctx.navigate(narrowed(from, to)), hrefFor: narrowed,
  });
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
    h('header', { class: 'detail-head' }, h('h1', null, 'Timeline of ', h('span', { class: 'mono', title: actor }, displayName(actor)),
      displayName(actor) === actor ? null : h('span', { class: 'mono muted actor-full' }, actor)),
      h('p', null, h('a', { href: `/ui/search${toQuery({ ...filters, actor })}` }, 'Search this actor\'s events'), ' · ',
        h('a', { href: `/ui/search${toQuery({ ...filters, onBehalfOf: actor })}` }, 'Events on behalf of this actor'))),
    form, activityStrip(ctx, actor, filters), body);

  const page = await ctx.api.get(`/actors/${seg(actor)}/timeline`, { ...filters, size: PAGE_SIZE }, ctx.signal);
  body.setAttribute('aria-busy', 'false');
  const events = [...page.events];
  if (events.length === 0) {
    replaceChildren(body, h('div', { class: 'empty-state' }, h('p', null, h('strong', null, 'No activity in this time range'))));
    return;
  }
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
    setSummary();
    cursor = next.nextCursor;
    return Boolean(cursor) && next.events.length > 0;
  });
  more.hidden = !cursor;
  // The person's MCP tool calls in the range; each opens the call with the Kubernetes requests it made.
  const calls = page.toolCalls ?? [];
  const callsPanel = calls.length === 0 ? null : h('section', { class: 'panel tool-calls-panel', 'aria-labelledby': 'tl-calls' },
    h('h2', { id: 'tl-calls' }, `Tool calls (${page.toolCallsTotal ?? calls.length})`),
    h('div', { class: 'table-wrap' }, toolCallsTable(calls, { navigate: ctx.navigate, caption: `MCP tool calls of ${actor}, newest first` })));
  replaceChildren(body, callsPanel, summary, h('div', { class: 'table-wrap' }, table), more);
}
