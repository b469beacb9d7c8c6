// Tool call: one MCP tool call (the person, the agent, the tool, its arguments and result as the gateway recorded them)
// with every Kubernetes request it made under it, joined by the call id its delegated token carried.

import { actorName, fitNames } from '../actor-names.js';
import { seg } from '../api-client.js';
import { h, replaceChildren } from '../dom.js';
import { formatTime } from '../format.js';
import { jsonView } from '../json-view.js';
import { actorPath, callPath } from '../router.js';
import { decisionBadge, definitionList, eventsTable } from '../widgets.js';

/** A badge of an MCP outcome (ok, tool-error, jsonrpc-error, transport-error, denied, cancelled; pending before it ended). */
export function outcomeBadge(outcome) {
  const kind = outcome === 'ok' ? 'ok' : outcome === undefined ? 'pending' : outcome === 'denied' ? 'deny' : 'warn';
  return h('span', { class: `badge outcome-${kind}` }, outcome ?? 'pending');
}

/** `namespace/resource/name` of a tool call's scope. */
export function scopeText(scope) {
  return [scope?.namespace, scope?.resource, scope?.name].filter((x) => x !== undefined && x !== '').join('/') || '—';
}

/** A table of tool calls (newest first); rows open the tool call; people's names are cut among each other (fitNames). */
export function toolCallsTable(calls, { navigate, caption, showActor = false }) {
  const head = ['Time (UTC)', showActor && 'Person', 'Server', 'Tool', 'Scope', 'Outcome', 'Kubernetes requests'].filter(Boolean).map((l) => h('th', { scope: 'col' }, l));
  return fitNames(h('table', { class: 'grid tool-calls' }, h('caption', { class: 'sr-only' }, caption), h('thead', null, h('tr', null, head)),
    h('tbody', null, calls.map((doc) => {
      const mcp = doc.auditgate?.mcp ?? {};
      const open = () => navigate(callPath(mcp.callId));
      return h('tr', {
        class: 'row-link', tabindex: 0, dataset: { callId: mcp.callId ?? '' },
        onclick: (e) => { if (!e.target.closest('a')) open(); }, onkeydown: (e) => { if (e.key === 'Enter' && !e.target.closest('a')) open(); },
      },
      h('td', { class: 'mono nowrap' }, formatTime(doc.requestReceivedTimestamp)),
      showActor ? h('td', { class: 'actor' }, actorName(doc.auditgate?.actor?.username ?? '')) : null,
      h('td', null, mcp.server ?? '—'), h('td', { class: 'mono' }, h('a', { href: callPath(mcp.callId) }, mcp.toolName ?? '?')),
      h('td', { class: 'mono' }, scopeText(mcp.scope)), h('td', null, outcomeBadge(mcp.outcome)), h('td', null, String(doc.kubernetesRequests ?? '—')));
    }))));
}

/** Renders the tool call `ctx.param` (a call id) into `main`. */
export async function renderToolCall(ctx, main) {
  const callId = ctx.param;
  ctx.setTitle(`Tool call ${callId}`);
  replaceChildren(main, h('p', { class: 'muted', 'aria-busy': 'true' }, 'Loading tool call…'));
  const found = await ctx.api.get(`/mcp/calls/${seg(callId)}`, undefined, ctx.signal);
  const doc = found.call ?? {};
  const ag = doc.auditgate ?? {};
  const mcp = ag.mcp ?? {};
  const person = ag.actor?.username;
  const facts = definitionList([
    ['Call ID', h('span', { class: 'mono' }, callId)],
    // actorName is itself the link to the person's timeline (an <a> inside another is invalid and breaks the click).
    ['Person', person ? actorName(person) : '—'],
    ['Person issuer', ag.actor?.issuer],
    ['Agent', mcp.agent ? actorName(mcp.agent) : undefined],
    ['MCP client', mcp.client ? [mcp.client.name, mcp.client.version].filter(Boolean).join(' ') : undefined],
    ['Server', mcp.server],
    ['Session', mcp.sessionId ? h('a', { href: `/ui/search?session=${encodeURIComponent(mcp.sessionId)}&since=7d` }, mcp.sessionId) : undefined],
    ['JSON-RPC id', mcp.requestId],
    ['Scope', h('span', { class: 'mono' }, scopeText(mcp.scope))],
    ['Received', doc.requestReceivedTimestamp ? formatTime(doc.requestReceivedTimestamp) : undefined],
    ['Duration', ag.enrichment?.durationMs === undefined ? undefined : `${ag.enrichment.durationMs} ms`],
    ['Policy', ag.policy ? [decisionBadge(ag.policy.decision), ' ', ag.policy.ruleId ?? '', ag.policy.reason ? ` — ${ag.policy.reason}` : ''] : undefined],
    ['Budget', mcp.budget ? `${mcp.budget.used} of ${mcp.budget.limit} (${mcp.budget.ruleId})` : undefined],
    ['Delegated token', mcp.delegation ? h('span', { class: 'mono' }, `jti ${mcp.delegation.jti} · aud ${mcp.delegation.audience} · expires ${formatTime(mcp.delegation.expiresAt)}`) : undefined],
    ['Error', mcp.error ? `${mcp.error.code}: ${mcp.error.message}` : mcp.transport?.error],
  ]);
  const k8s = found.kubernetes;
  replaceChildren(main,
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '/ui/search' }, 'Search'), ' › ',
      person ? [h('a', { href: actorPath(person) }, 'Timeline'), ' › '] : null, 'Tool call'),
    h('header', { class: 'detail-head' }, h('h1', null, 'Tool call ', h('span', { class: 'mono' }, mcp.toolName ?? '?'), ' on ', mcp.server ?? '?'),
      h('div', { class: 'head-badges' }, outcomeBadge(mcp.outcome)),
      found.call === null ? h('p', { class: 'notice' }, 'The call\'s own record is not indexed (yet); its Kubernetes requests are.') : null),
    h('section', { class: 'panel', 'aria-labelledby': 'sec-call' }, h('h2', { id: 'sec-call' }, 'Call'), facts),
    h('section', { class: 'panel', 'aria-labelledby': 'sec-k8s' },
      h('h2', { id: 'sec-k8s' }, `Kubernetes requests of this call (${k8s.total})`),
      k8s.events.length === 0 ? h('p', { class: 'muted' }, 'This call made no Kubernetes request.')
        : h('div', { class: 'table-wrap' }, eventsTable(k8s.events, { navigate: ctx.navigate, caption: 'Kubernetes requests of this tool call, oldest first', showActor: false })),
      k8s.truncated ? h('p', { class: 'notice' }, `Showing the first ${k8s.events.length}.`) : null),
    h('section', { class: 'panel', 'aria-labelledby': 'sec-args' }, h('h2', { id: 'sec-args' }, 'Arguments'),
      doc.requestObject?.arguments === undefined ? h('p', { class: 'muted' }, 'Not recorded.') : jsonView(doc.requestObject.arguments, 'Arguments')),
    h('section', { class: 'panel', 'aria-labelledby': 'sec-result' }, h('h2', { id: 'sec-result' }, 'Result'),
      doc.responseObject === undefined ? h('p', { class: 'muted' }, 'Not recorded.') : jsonView(doc.responseObject, 'Result')));
}
