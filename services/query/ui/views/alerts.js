// Alert inbox: filters, list, detail, and Acknowledge / Resolve (responder or admin) with in-place status updates.

import { actorName, displayName, fitNames } from '../actor-names.js';
import { seg, toQuery } from '../api-client.js';
import { h, replaceChildren } from '../dom.js';
import { formatShortTime, formatTime, text } from '../format.js';
import { jsonView } from '../json-view.js';
import { alertPath, eventPath } from '../router.js';
import { definitionList, loadMoreButton, severityBadge } from '../widgets.js';

const PAGE_SIZE = 50;
const STATUSES = [['', 'any status'], ['open', 'open'], ['acknowledged', 'acknowledged'], ['resolved', 'resolved']];
const SEVERITIES = [['', 'any severity'], ['critical', 'critical'], ['high', 'high'], ['medium', 'medium'], ['low', 'low'], ['info', 'info']];

/** The triage status of an alert (`open` until someone acts). */
export function alertStatus(alert) {
  return alert?.triage?.status ?? alert?.status ?? 'open';
}

/** True when `roles` may acknowledge and resolve alerts. */
export function canRespond(roles) {
  return (roles ?? []).some((r) => r === 'responder' || r === 'admin');
}

const statusBadge = (status) => h('span', { class: `badge triage-${status}` }, status);

/** The MITRE ATT&CK technique an alert's rule names (`T1609`), titled with its name; null when it names none. */
export function techniqueTag(technique) {
  return technique?.id ? h('span', { class: 'badge technique mono', title: technique.name ?? '' }, technique.id) : null;
}

/** How an alert's events ended: `refused`, or `2 allowed, 1 refused` when they differ. */
export function outcomeText(alert) {
  const counts = Object.entries(alert?.outcomes ?? {}).filter(([, n]) => n > 0);
  if (counts.length > 1) return counts.map(([o, n]) => `${n} ${o}`).join(', ');
  return counts[0]?.[0] ?? alert?.outcome;
}

/** Renders the alert inbox (and the alert `ctx.param`, when given) into `main`. */
export async function renderAlerts(ctx, main) {
  ctx.setTitle('Alerts');
  const filters = {};
  // from/to (on lastSeen) come from the overview's links; the form keeps them and says so.
  for (const key of ['status', 'severity', 'from', 'to']) if (ctx.query.get(key)) filters[key] = ctx.query.get(key);
  const select = (name, label, options) => h('div', { class: 'field' }, h('label', { for: `a-${name}` }, label),
    h('select', { id: `a-${name}`, name, onchange: (e) => ctx.navigate(`/ui/alerts${toQuery({ ...filters, [name]: e.target.value })}`) },
      options.map(([value, text]) => h('option', { value, selected: (filters[name] ?? '') === value }, text))));
  const form = h('form', { class: 'filters inline', 'aria-label': 'Alert filters', onsubmit: (e) => e.preventDefault() },
    select('status', 'Status', STATUSES), select('severity', 'Severity', SEVERITIES),
    filters.from || filters.to ? h('p', { class: 'range-note muted' }, `Last seen ${[filters.from && `from ${filters.from}`, filters.to && `to ${filters.to}`].filter(Boolean).join(' ')}`,
      h('a', { href: `/ui/alerts${toQuery({ status: filters.status, severity: filters.severity })}` }, 'any time')) : null);
  const list = h('section', { class: 'results alert-list', 'aria-label': 'Alerts', 'aria-busy': 'true' }, h('p', { class: 'muted' }, 'Loading alerts…'));
  const detail = h('section', { class: 'panel alert-detail', 'aria-label': 'Alert detail', 'aria-live': 'polite' },
    h('p', { class: 'muted' }, 'Select an alert to see its evidence and triage it.'));
  replaceChildren(main, h('h1', { class: 'sr-only' }, 'Alerts'), form, h('div', { class: 'split' }, list, detail));

  const rows = new Map();
  const showDetail = async (id, push) => {
    if (push) ctx.navigate(`${alertPath(id)}${toQuery(filters)}`, { silent: true });
    for (const [rowId, row] of rows) row.setAttribute('aria-selected', String(rowId === id));
    replaceChildren(detail, h('p', { class: 'muted' }, 'Loading alert…'));
    const alert = await ctx.api.get(`/alerts/${seg(id)}`, undefined, ctx.signal);
    renderDetail(ctx, detail, alert, (updated) => updateRow(rows.get(updated.id), updated));
  };

  const page = await ctx.api.get('/alerts', { ...filters, size: PAGE_SIZE }, ctx.signal);
  list.setAttribute('aria-busy', 'false');
  const body = h('tbody');
  const addRows = (alerts) => {
    for (const alert of alerts) {
      const open = () => showDetail(alert.id, true).catch(ctx.fail);
      const row = h('tr', {
        class: 'row-link', tabindex: 0, 'aria-selected': 'false', dataset: { alertId: alert.id },
        onclick: (e) => { if (!e.target.closest('a')) open(); },
        onkeydown: (e) => { if (e.key === 'Enter' && !e.target.closest('a')) open(); },
      },
      h('td', null, severityBadge(alert.severity)),
      h('td', { class: 'title' }, h('a', { href: alertPath(alert.id), onclick: (e) => { e.preventDefault(); open(); } }, alert.title ?? alert.rule ?? alert.id),
        alert.technique?.id ? ' ' : null, techniqueTag(alert.technique)),
      h('td', { class: 'actor' }, actorName(alert.actor)),
      h('td', { class: 'num' }, text(alert.count)),
      h('td', { class: 'mono nowrap', title: formatTime(alert.lastSeen) }, formatShortTime(alert.lastSeen)),
      h('td', { class: 'status-cell' }, statusBadge(alertStatus(alert))));
      rows.set(alert.id, row);
      body.append(row);
    }
    fitNames(body);
  };
  if (page.alerts.length === 0) {
    replaceChildren(list, h('div', { class: 'empty-state' }, h('p', null, h('strong', null, 'No alerts match'))));
  } else {
    addRows(page.alerts);
    let cursor = page.nextCursor;
    const more = loadMoreButton(async () => {
      const next = await ctx.api.get('/alerts', { ...filters, size: PAGE_SIZE, cursor }, ctx.signal).catch(ctx.fail);
      if (!next) return true;
      addRows(next.alerts);
      cursor = next.nextCursor;
      return Boolean(cursor) && next.alerts.length > 0;
    });
    more.hidden = !cursor;
    replaceChildren(list,
      h('p', { class: 'summary', role: 'status' }, `${page.total} alert${page.total === 1 ? '' : 's'}`),
      h('div', { class: 'table-wrap' }, h('table', { class: 'grid alerts' },
        h('caption', { class: 'sr-only' }, 'Alerts'),
        h('thead', null, h('tr', null, ['Severity', 'Alert', 'Actor', 'Count', 'Last seen (UTC)', 'Status'].map((l) => h('th', { scope: 'col' }, l)))),
        body)),
      more);
  }
  if (ctx.param) await showDetail(ctx.param, false);
}

function updateRow(row, alert) {
  const cell = row?.querySelector('.status-cell');
  if (cell) replaceChildren(cell, statusBadge(alertStatus(alert)));
}

function renderDetail(ctx, container, alert, onUpdated) {
  const status = alertStatus(alert);
  const allowed = canRespond(ctx.session?.roles);
  const note = h('input', { id: 'triage-note', name: 'note', placeholder: 'optional note', autocomplete: 'off', disabled: !allowed, maxlength: 2000 });
  const act = (action) => async () => {
    for (const b of buttons) b.disabled = true;
    try {
      const body = note.value.trim() ? { note: note.value.trim() } : {};
      const updated = await ctx.api.post(`/alerts/${seg(alert.id)}/${action}`, body, ctx.signal);
      const merged = { ...alert, ...updated };
      onUpdated(merged);
      renderDetail(ctx, container, merged, onUpdated);
      ctx.announce(`Alert ${action === 'acknowledge' ? 'acknowledged' : 'resolved'}.`);
    } catch (error) {
      for (const b of buttons) b.disabled = false;
      ctx.fail(error);
    }
  };
  const why = allowed ? undefined : `Needs the responder role (you have: ${(ctx.session?.roles ?? []).join(', ') || 'none'})`;
  const buttons = [
    h('button', { type: 'button', class: 'ack', disabled: !allowed || status !== 'open', title: why, onclick: act('acknowledge') }, 'Acknowledge'),
    h('button', { type: 'button', class: 'resolve secondary', disabled: !allowed || status === 'resolved', title: why, onclick: act('resolve') }, 'Resolve'),
  ];
  const target = alert.target ?? {};
  replaceChildren(container,
    h('header', { class: 'detail-head' },
      h('h2', null, severityBadge(alert.severity), ' ', alert.title ?? alert.rule ?? alert.id),
      h('p', { class: 'alert-status' }, 'Status: ', statusBadge(status))),
    alert.summary ? h('p', { class: 'summary-text' }, alert.summary) : null,
    h('div', { class: 'triage' }, h('label', { for: note.id, class: 'sr-only' }, 'Triage note'), note, buttons,
      why ? h('p', { class: 'muted small' }, why) : null),
    definitionList([
      ['Rule', `${alert.rule ?? '—'}${alert.ruleSource ? ` (${alert.ruleSource})` : ''}`],
      // Text, not a link: the UI links only within itself (dom.js safeHref).
      ['ATT&CK technique', alert.technique?.id ? h('span', { class: 'technique' }, `${alert.technique.id} ${alert.technique.name ?? ''}`.trim()) : undefined],
      ['Outcome', outcomeText(alert)],
      ['Actor', alert.actor ? [actorName(alert.actor), displayName(alert.actor) === alert.actor ? null : h('span', { class: 'mono muted actor-full' }, alert.actor)] : undefined],
      ['On behalf of', alert.onBehalfOf ? actorName(alert.onBehalfOf) : undefined],
      ['Cluster', alert.cluster],
      ['Target', [target.verb, target.resource, [target.namespace, target.name].filter(Boolean).join('/')].filter(Boolean).join(' ')],
      ['Request URI', target.requestURI ? h('span', { class: 'mono' }, target.requestURI) : undefined],
      ['First seen', formatTime(alert.firstSeen)],
      ['Last seen', formatTime(alert.lastSeen)],
      ['Count', text(alert.count)],
      ['Alert ID', h('span', { class: 'mono' }, alert.id)],
    ]),
    h('h3', null, 'Evidence'),
    (alert.evidence ?? []).length
      ? h('ol', { class: 'evidence' }, alert.evidence.map((id) => h('li', null, h('a', { href: eventPath(id), class: 'mono' }, id))))
      : h('p', { class: 'muted' }, 'No evidence recorded.'),
    h('h3', null, 'Triage history'),
    (alert.triage?.history ?? []).length
      ? h('ol', { class: 'history' }, alert.triage.history.map((e) => h('li', null,
        h('span', { class: 'mono nowrap' }, formatTime(e.at)), ' ', h('strong', null, e.action ?? '?'), ' by ', e.by ?? '?',
        e.note ? h('q', null, e.note) : null)))
      : h('p', { class: 'muted' }, 'No triage yet.'),
    alert.details && Object.keys(alert.details).length ? [h('h3', null, 'Details'), jsonView(alert.details, 'Alert details')] : null);
}
