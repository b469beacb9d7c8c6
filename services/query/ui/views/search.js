// Search view: filter form (reflected in the URL, so links are shareable) → events table with "load more".

import { toQuery } from '../api-client.js';
import { h, replaceChildren } from '../dom.js';
import { appendEventRows, eventsTable, loadMoreButton, RANGE_PRESETS } from '../widgets.js';
import { histogramPanel, withRange } from './histogram-panel.js';
import { trailBadge } from './trail-badge.js';

const PAGE_SIZE = 50;

/** The event filters the form offers, in the API's parameter names. */
export const FILTER_FIELDS = [
  { name: 'actor', label: 'Actor', placeholder: 'username' },
  { name: 'onBehalfOf', label: 'On behalf of', placeholder: 'username' },
  { name: 'verb', label: 'Verb', placeholder: 'get,list,delete' },
  { name: 'resource', label: 'Resource', placeholder: 'secrets' },
  { name: 'namespace', label: 'Namespace' },
  { name: 'name', label: 'Name' },
  { name: 'decision', label: 'Decision', options: [['', 'any'], ['allow', 'allow'], ['deny', 'deny'], ['mask', 'mask']] },
  { name: 'status', label: 'Status', placeholder: '403 or 4xx' },
  { name: 'refused', label: 'Refused', options: [['', 'any'], ['true', 'refused (deny or 403)'], ['false', 'not refused']] },
  { name: 'cluster', label: 'Cluster' },
  { name: 'session', label: 'MCP session' },
  { name: 'secretAccess', label: 'Secret access', options: [['', 'any'], ['true', 'Secrets only'], ['false', 'no Secrets']] },
  { name: 'clusterWide', label: 'Scope', options: [['', 'any'], ['true', 'cluster-wide'], ['false', 'namespaced']] },
  { name: 'q', label: 'Text in URI', placeholder: 'free text', wide: true },
];

const RANGE_KEYS = ['since', 'from', 'to'];

/** The API filters named in a URL query (unknown keys dropped; default range: last 24 hours). */
export function filtersFromQuery(query) {
  const filters = {};
  for (const key of [...RANGE_KEYS, ...FILTER_FIELDS.map((f) => f.name)]) {
    const value = query.get(key);
    if (value !== null && value.trim() !== '') filters[key] = value.trim();
  }
  if (!filters.since && !filters.from && !filters.to) filters.since = '24h';
  return filters;
}

/** The time-range fields (preset select, custom from/to) initialised from `filters`; `read()` gives the range. */
export function rangeFields(filters, idPrefix) {
  const known = RANGE_PRESETS.some(([v]) => v === filters.since);
  const preset = filters.from || filters.to || !known ? 'custom' : filters.since;
  const from = h('input', { id: `${idPrefix}-from`, name: 'from', value: filters.from ?? (known ? '' : `now-${filters.since ?? '24h'}`), placeholder: 'now-24h or 2026-05-01T00:00:00Z', autocomplete: 'off' });
  const to = h('input', { id: `${idPrefix}-to`, name: 'to', value: filters.to ?? '', placeholder: 'now', autocomplete: 'off' });
  const custom = [
    h('div', { class: 'field custom-range' }, h('label', { for: from.id }, 'From'), from),
    h('div', { class: 'field custom-range' }, h('label', { for: to.id }, 'To'), to),
  ];
  const toggle = () => { for (const el of custom) el.hidden = select.value !== 'custom'; };
  const select = h('select', { id: `${idPrefix}-range`, name: 'range', onchange: toggle },
    RANGE_PRESETS.map(([value, label]) => h('option', { value, selected: value === preset }, label)));
  toggle();
  return {
    nodes: [h('div', { class: 'field' }, h('label', { for: select.id }, 'Time range'), select), ...custom],
    read: () => (select.value === 'custom'
      ? { from: from.value.trim(), to: to.value.trim() }
      : { since: select.value }),
  };
}

/** Renders the search view into `main`. */
export async function renderSearch(ctx, main) {
  ctx.setTitle('Search events');
  const filters = filtersFromQuery(ctx.query);
  const range = rangeFields(filters, 'f');
  const inputs = new Map();
  const fields = FILTER_FIELDS.map((f) => {
    const id = `f-${f.name}`;
    const input = f.options
      ? h('select', { id, name: f.name }, f.options.map(([value, label]) => h('option', { value, selected: (filters[f.name] ?? '') === value }, label)))
      : h('input', { id, name: f.name, value: filters[f.name] ?? '', placeholder: f.placeholder, autocomplete: 'off', spellcheck: 'false' });
    inputs.set(f.name, input);
    return h('div', { class: f.wide ? 'field wide' : 'field' }, h('label', { for: id }, f.label), input);
  });
  const form = h('form', {
    class: 'filters', role: 'search', 'aria-label': 'Event filters',
    onsubmit: (e) => {
      e.preventDefault();
      const params = { ...range.read() };
      for (const [name, input] of inputs) params[name] = input.value.trim();
      ctx.navigate(`/ui/search${toQuery(params)}`);
    },
  },
  range.nodes, fields,
  h('div', { class: 'actions' },
    h('button', { type: 'submit' }, 'Search'),
    h('button', { type: 'button', class: 'secondary', onclick: () => ctx.navigate('/ui/search') }, 'Reset')));
  const results = h('section', { class: 'results', 'aria-label': 'Results', 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Searching…'));
  const trail = trailBadge(ctx, { from: filters.from, to: filters.to, since: filters.since });
  const histogram = histogramPanel(ctx, {
    filters, title: 'Matching events over time · drag to narrow', className: 'panel histogram-panel search-histogram',
    onSelect: (from, to) => ctx.navigate(`/ui/search${toQuery(withRange(filters, from, to))}`),
    hrefFor: (from, to) => `/ui/search${toQuery(withRange(filters, from, to))}`,
  });
  replaceChildren(main, h('h1', { class: 'sr-only' }, 'Search events'), form, trail, histogram, results);

  let page;
  try {
    page = await ctx.api.get('/events', { ...filters, size: PAGE_SIZE }, ctx.signal);
  } catch (error) {
    markInvalid(error, inputs, form);
    replaceChildren(results, h('p', { class: 'muted' }, 'No results: the search failed.'));
    results.setAttribute('aria-busy', 'false');
    throw error;
  }
  results.setAttribute('aria-busy', 'false');
  if (page.events.length === 0) {
    replaceChildren(results, h('div', { class: 'empty-state' },
      h('p', null, h('strong', null, 'No events match these filters')), h('p', { class: 'muted' }, 'Widen the time range or remove a filter.')));
    return;
  }
  let shown = page.events.length;
  const summary = h('p', { class: 'summary', role: 'status' });
  const setSummary = () => { summary.textContent = `${page.total} event${page.total === 1 ? '' : 's'} · showing ${shown}`; };
  setSummary();
  const table = eventsTable(page.events, { navigate: ctx.navigate, caption: 'Matching events, newest first' });
  let cursor = page.nextCursor;
  const more = loadMoreButton(async () => {
    const next = await ctx.api.get('/events', { ...filters, size: PAGE_SIZE, cursor }, ctx.signal).catch(ctx.fail);
    if (!next) return true;
    appendEventRows(table.tBodies[0], next.events, { navigate: ctx.navigate });
    shown += next.events.length;
    setSummary();
    cursor = next.nextCursor;
    return Boolean(cursor) && next.events.length > 0;
  });
  more.hidden = !cursor;
  replaceChildren(results, summary, h('div', { class: 'table-wrap' }, table), more);
}

function markInvalid(error, inputs, form) {
  const name = error?.status === 400 ? error.parameter : undefined;
  if (!name) return;
  const input = inputs.get(name) ?? form.querySelector(`[name="${CSS.escape(name)}"]`);
  if (!input) return;
  input.setAttribute('aria-invalid', 'true');
  input.focus();
}
