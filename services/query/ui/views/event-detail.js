// Event detail: one exchange with its metadata, stages, policy decision, bodies (masked by the gateway) and digests.

import { actorName, displayName } from '../actor-names.js';
import { seg } from '../api-client.js';
import { h, replaceChildren } from '../dom.js';
import { actorOf, formatBytes, formatObjectName, formatResource, formatTime, statusCode, text } from '../format.js';
import { jsonView } from '../json-view.js';
import { decisionBadge, definitionList, statusBadge } from '../widgets.js';
import { callPath } from '../router.js';

const STAGE_ORDER = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

/** Renders the detail of the event `ctx.param` (an auditID) into `main`. */
export async function renderEventDetail(ctx, main) {
  const auditID = ctx.param;
  ctx.setTitle(`Event ${auditID}`);
  replaceChildren(main, h('p', { class: 'muted', 'aria-busy': 'true' }, 'Loading event…'));
  const doc = await ctx.api.get(`/events/${seg(auditID)}`, undefined, ctx.signal);
  const ag = doc.auditgate ?? {};
  const code = statusCode(doc);
  const actor = actorOf(doc);
  const heading = h('header', { class: 'detail-head' },
    h('h1', null, h('span', { class: 'verb' }, doc.verb ?? '?'), ' ', formatResource(doc.objectRef), ' ',
      h('span', { class: 'mono' }, formatObjectName(doc.objectRef))),
    h('div', { class: 'head-badges' }, statusBadge(code), decisionBadge(ag.policy?.decision),
      doc.complete ? null : h('span', { class: 'badge warn' }, 'incomplete')),
    h('p', { class: 'uri mono', title: 'request URI' }, doc.requestURI ?? '—'));

  const metadata = definitionList([
    ['Audit ID', h('span', { class: 'mono' }, doc.auditID ?? auditID)],
    ['Received', formatTime(doc.requestReceivedTimestamp)],
    ['Completed', doc.stageTimestamp ? formatTime(doc.stageTimestamp) : 'not yet'],
    ['Final stage', doc.finalStage],
    ['Level', doc.level],
    ['Actor', actor ? [actorName(actor), displayName(actor) === actor ? null : h('span', { class: 'mono muted actor-full' }, actor)] : '—'],
    ['Actor issuer', ag.actor?.issuer],
    ['Token kind', ag.actor?.tokenKind],
    ['Groups', (ag.actor?.groups ?? doc.user?.groups ?? []).join(', ')],
    ['On behalf of', ag.onBehalfOf?.username ? actorName(ag.onBehalfOf.username) : undefined],
    // The identity the API server saw: the gateway's own (not an actor with a timeline here) unless it impersonated.
    ['Kubernetes user', doc.user?.username ? actorName(doc.user.username, { link: false }) : undefined],
    ['Impersonated', doc.impersonatedUser?.username ? actorName(doc.impersonatedUser.username) : undefined],
    ['Source IPs', (doc.sourceIPs ?? []).join(', ')],
    ['User agent', doc.userAgent],
    ['Cluster', [ag.cluster?.name, ag.cluster?.region].filter(Boolean).join(' · ')],
    ['MCP session', ag.mcp?.sessionId ? h('a', { href: `/ui/search?session=${encodeURIComponent(ag.mcp.sessionId)}&since=7d` }, ag.mcp.sessionId) : undefined],
    ['MCP tool', ag.mcp?.toolName],
    ['MCP server', ag.mcp?.server],
    ['MCP tool call', ag.mcp?.callId ? h('a', { href: callPath(ag.mcp.callId) }, ag.mcp.callId) : undefined],
    ['MCP correlation', ag.mcp?.caller === 'verified' ? 'verified (the gateway\'s delegated token)' : ag.mcp?.caller === 'supplied' ? 'supplied by the caller (unverified)' : undefined],
    ['MCP request', ag.mcp?.requestId],
    ['Upstream', ag.upstream ? [ag.upstream.mode, ag.upstream.roleArn, ag.upstream.identity].filter(Boolean).join(' · ') : undefined],
    ['Gateway', ag.gateway ? `${ag.gateway.instance ?? '?'} (${ag.gateway.version ?? '?'})` : undefined],
    ['Gateway error', ag.errorCode],
  ]);

  const policy = definitionList([
    ['Decision', decisionBadge(ag.policy?.decision)],
    ['Rule', ag.policy?.ruleId],
    ['Reason', ag.policy?.reason],
    ['Bundle', ag.policy?.bundleHash ? h('span', { class: 'mono' }, ag.policy.bundleHash) : undefined],
    ['API server decision', doc.annotations?.['authorization.k8s.io/decision']],
    ['API server reason', doc.annotations?.['authorization.k8s.io/reason']],
  ]);

  const response = definitionList([
    ['Code', statusBadge(code)],
    ['Status', doc.responseStatus?.status],
    ['Reason', doc.responseStatus?.reason],
    ['Message', doc.responseStatus?.message],
    ['Stream', ag.stream ? `${ag.stream.events} events · ${formatBytes(ag.stream.bytes)} · ${ag.stream.durationMs} ms` : undefined],
  ]);

  replaceChildren(main,
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '/ui/search' }, 'Search'), ' › ', 'Event'),
    heading,
    h('div', { class: 'detail-grid' },
      section('Metadata', metadata),
      h('div', { class: 'stack' },
        section('Policy decision', policy),
        section('Response', response),
        section('Stages', stagesTable(doc.stages)),
        section('Bodies', bodiesTable(ag.body)))),
    section('Request object', bodyView(doc.requestObject, ag.body?.request, 'Request object')),
    section('Response object', bodyView(doc.responseObject, ag.body?.response, 'Response object')),
    ag.enrichment ? section('Enrichment', jsonView(ag.enrichment, 'Enrichment')) : null,
    ag.chain ? section('Tamper evidence', definitionList([
      ['Chain', ag.chain.stream], ['Sequence', text(ag.chain.seq)],
      ['Previous hash', h('span', { class: 'mono' }, ag.chain.prevHash ?? '—')], ['Hash', h('span', { class: 'mono' }, ag.chain.hash ?? '—')],
    ])) : null);
}

function section(title, ...content) {
  const id = `sec-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return h('section', { class: 'panel', 'aria-labelledby': id }, h('h2', { id }, title), content);
}

function stagesTable(stages) {
  const names = Object.keys(stages ?? {}).sort((a, b) => STAGE_ORDER.indexOf(a) - STAGE_ORDER.indexOf(b));
  if (names.length === 0) return h('p', { class: 'muted' }, 'No stages recorded.');
  return h('table', { class: 'grid compact' },
    h('thead', null, h('tr', null, ['Stage', 'Time (UTC)', 'Code', 'Gateway'].map((l) => h('th', { scope: 'col' }, l)))),
    h('tbody', null, names.map((name) => {
      const s = stages[name] ?? {};
      return h('tr', null, h('td', null, name), h('td', { class: 'mono nowrap' }, formatTime(s.stageTimestamp)),
        h('td', null, s.responseStatus?.code === undefined ? '—' : statusBadge(s.responseStatus.code)),
        h('td', { class: 'mono' }, s.gatewayInstance ?? '—'));
    })));
}

function bodiesTable(body) {
  const rows = [['request', body?.request], ['response', body?.response]].filter(([, b]) => b);
  if (rows.length === 0) return h('p', { class: 'muted' }, 'No body digests recorded.');
  return h('table', { class: 'grid compact' },
    h('thead', null, h('tr', null, ['Body', 'Bytes', 'SHA-256', 'Truncated', 'Masked paths'].map((l) => h('th', { scope: 'col' }, l)))),
    h('tbody', null, rows.map(([label, b]) => h('tr', null,
      h('td', null, label), h('td', { class: 'nowrap' }, formatBytes(b.bytes)),
      h('td', { class: 'mono digest', title: b.sha256 ?? '' }, b.sha256 ?? '—'),
      h('td', null, b.truncated ? h('span', { class: 'badge warn' }, 'truncated') : 'no'),
      h('td', { class: 'mono' }, (b.maskedPaths ?? []).join(', ') || '—')))));
}

function bodyView(object, info, label) {
  if (object === undefined || object === null) {
    return h('p', { class: 'muted' }, info ? `Not recorded (${formatBytes(info.bytes)} seen).` : 'Not recorded.');
  }
  return [
    info?.truncated ? h('p', { class: 'notice' }, 'Truncated: the recorded object was cut to the gateway\'s bound; the digest covers the full body.') : null,
    info?.maskedPaths?.length ? h('p', { class: 'notice' }, `Masked by the gateway: ${info.maskedPaths.join(', ')}`) : null,
    jsonView(object, label),
  ];
}
