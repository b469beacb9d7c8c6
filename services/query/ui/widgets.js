// Small shared pieces of the views: badges, the events table, definition lists, time-range presets.

import { actorName, fitNames } from './actor-names.js';
import { h } from './dom.js';
import { actorOf, formatObjectName, formatResource, formatTime, statusClass, statusCode } from './format.js';
import { eventPath } from './router.js';

/** Time-range presets, as `since` values of the API. */
export const RANGE_PRESETS = [
  ['15m', 'Last 15 minutes'], ['1h', 'Last hour'], ['6h', 'Last 6 hours'], ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'], ['30d', 'Last 30 days'], ['custom', 'Custom range'],
];

/** A policy decision badge. */
export function decisionBadge(decision) {
  if (!decision) return h('span', { class: 'muted' }, '—');
  return h('span', { class: `badge decision-${decision}` }, decision);
}

/** An HTTP status badge (`pending` before the response stage is recorded). */
export function statusBadge(code) {
  return h('span', { class: `code ${statusClass(code)}` }, code === undefined ? 'pending' : String(code));
}

/** A severity badge. */
export function severityBadge(severity) {
  return h('span', { class: `badge severity-${severity ?? 'unknown'}` }, severity ?? 'unknown');
}

/** A `<dl>` of `[term, value]` pairs; values may be nodes or text; empty values are skipped. */
export function definitionList(pairs, className = 'facts') {
  const dl = h('dl', { class: className });
  for (const [term, value] of pairs) {
    if (value === undefined || value === null || value === '') continue;
    dl.append(h('dt', null, term), h('dd', null, value));
  }
  return dl;
}

/** The events table; rows open the event detail (`navigate`), actor cells the actor's timeline. */
export function eventsTable(events, { navigate, caption, showActor = true }) {
  const head = ['Time (UTC)', showActor && 'Actor', 'Verb', 'Resource', 'Namespace/Name', 'Code', 'Decision', 'Request URI']
    .filter(Boolean).map((label) => h('th', { scope: 'col' }, label));
  const body = h('tbody');
  appendEventRows(body, events, { navigate, showActor });
  return h('table', { class: 'grid events' },
    h('caption', { class: 'sr-only' }, caption), h('thead', null, h('tr', null, head)), body);
}

/** Appends one row per event to a table body made by {@link eventsTable}. */
export function appendEventRows(body, events, { navigate, showActor = true }) {
  for (const doc of events) {
    const open = () => navigate(eventPath(doc.auditID));
    const actor = actorOf(doc);
    const obo = doc.auditgate?.onBehalfOf?.username;
    const row = h('tr', {
      class: 'row-link', tabindex: 0, dataset: { auditId: doc.auditID ?? '' },
      onclick: (e) => { if (!e.target.closest('a')) open(); },
      onkeydown: (e) => { if (e.key === 'Enter' && !e.target.closest('a')) open(); },
    },
    h('td', { class: 'nowrap mono' }, h('a', { href: eventPath(doc.auditID) }, formatTime(doc.requestReceivedTimestamp))),
    showActor && h('td', { class: 'actor' },
      actorName(actor, { className: 'actor-link' }),
      obo ? h('span', { class: 'obo', title: 'on behalf of' }, ' ↳ ', actorName(obo, { link: false })) : null),
    h('td', { class: 'mono' }, doc.verb ?? '—'),
    h('td', { class: 'mono' }, formatResource(doc.objectRef)),
    h('td', { class: 'mono' }, formatObjectName(doc.objectRef)),
    h('td', null, statusBadge(statusCode(doc))),
    h('td', null, decisionBadge(doc.auditgate?.policy?.decision)),
    h('td', { class: 'uri mono', title: doc.requestURI ?? '' }, doc.requestURI ?? '—'));
    body.append(row);
  }
  // Names are cut among all the rows shown, so a page loaded later may re-cut earlier ones.
  fitNames(body);
}

/** A "load more" button that calls `load()` and hides itself when `load()` resolves to false. */
export function loadMoreButton(load) {
  const button = h('button', {
    type: 'button', class: 'secondary load-more',
    onclick: async () => {
      button.disabled = true;
      button.textContent = 'Loading…';
      try {
        const more = await load();
        button.hidden = !more;
      } finally {
        button.disabled = false;
        button.textContent = 'Load more';
      }
    },
  }, 'Load more');
  return button;
}
