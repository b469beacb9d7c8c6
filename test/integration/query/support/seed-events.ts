import type { AuditEvent } from '@auditgate/shared';
import { buildPartialDocument, indexNameFor, mergePartial } from '../../../../services/indexer/src/search/build-document.js';
import { enrichEvent } from '../../../../services/indexer/src/enrich/enrich-event.js';
import { NO_KUBE_METADATA } from '../../../../services/indexer/src/enrich/kube-metadata.js';

/** What a seeded exchange looks like; everything has a realistic default (a successful `get` of a pod). */
export interface SeedEventSpec {
  auditID?: string;
  /** requestReceivedTimestamp (default: now - 1 minute). */
  at?: string | Date;
  actor?: string;
  actorGroups?: string[];
  onBehalfOf?: string;
  verb?: string;
  resource?: string;
  namespace?: string;
  name?: string;
  apiGroup?: string;
  subresource?: string;
  decision?: 'allow' | 'deny' | 'mask';
  ruleId?: string;
  code?: number;
  cluster?: string;
  session?: string;
  tool?: string;
  requestURI?: string;
  /** False leaves the exchange incomplete (RequestReceived only). */
  complete?: boolean;
  durationMs?: number;
}

let counter = 0;

/** A unique auditID (UUID-shaped) for seeded exchanges. */
export function seedAuditId(): string {
  counter += 1;
  const hex = (Date.now().toString(16) + counter.toString(16).padStart(6, '0') + Math.random().toString(16).slice(2)).padEnd(32, '0').slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function uriOf(s: SeedEventSpec): string {
  const group = s.apiGroup === undefined || s.apiGroup === '' ? '/api/v1' : `/apis/${s.apiGroup}/v1`;
  const ns = s.namespace === undefined ? '' : `/namespaces/${s.namespace}`;
  const name = s.name === undefined ? '' : `/${s.name}`;
  const sub = s.subresource === undefined ? '' : `/${s.subresource}`;
  return `${group}${ns}/${s.resource ?? 'pods'}${name}${sub}`;
}

/** The audit events (RequestReceived, and ResponseComplete unless `complete: false`) of one seeded exchange. */
export function seedAuditEvents(spec: SeedEventSpec, now = Date.now()): AuditEvent[] {
  const auditID = spec.auditID ?? seedAuditId();
  const at = spec.at === undefined ? new Date(now - 60_000) : new Date(spec.at);
  const received = at.toISOString().replace('Z', '000Z');
  const done = new Date(at.getTime() + (spec.durationMs ?? 42)).toISOString().replace('Z', '000Z');
  const actor = spec.actor ?? 'system:serviceaccount:agents:mcp';
  const groups = spec.actorGroups ?? (actor.startsWith('system:serviceaccount:') ? ['system:serviceaccounts'] : ['analysts']);
  const identity = (username: string, g: string[]) => ({ issuer: 'https://127.0.0.1:6443', subject: username, username, groups: g, tokenKind: username.startsWith('system:serviceaccount:') ? 'serviceaccount' as const : 'oidc' as const });
  const decision = spec.decision ?? (spec.code === 403 ? 'deny' : 'allow');
  const objectRef = {
    resource: spec.resource ?? 'pods', apiVersion: 'v1',
    ...(spec.namespace === undefined ? {} : { namespace: spec.namespace }), ...(spec.name === undefined ? {} : { name: spec.name }),
    ...(spec.apiGroup === undefined ? {} : { apiGroup: spec.apiGroup }), ...(spec.subresource === undefined ? {} : { subresource: spec.subresource }),
  };
  const base: AuditEvent = {
    apiVersion: 'audit.k8s.io/v1', kind: 'Event', level: 'Metadata', auditID, stage: 'RequestReceived',
    requestURI: spec.requestURI ?? uriOf(spec), verb: spec.verb ?? 'get',
    user: { username: 'system:serviceaccount:auditgate:proxy', groups: ['system:serviceaccounts'] },
    impersonatedUser: { username: actor, groups },
    sourceIPs: ['10.0.0.7'], userAgent: 'kubernetes-mcp-server/0.0.67', objectRef,
    requestReceivedTimestamp: received, stageTimestamp: received,
    auditgate: {
      schemaVersion: 2, gateway: { instance: 'proxy-0', version: '0.1.0' },
      actor: identity(actor, groups),
      ...(spec.onBehalfOf === undefined ? {} : { onBehalfOf: identity(spec.onBehalfOf, ['humans']) }),
      ...(spec.session === undefined && spec.tool === undefined ? {} : { mcp: { ...(spec.session === undefined ? {} : { sessionId: spec.session }), ...(spec.tool === undefined ? {} : { toolName: spec.tool }), caller: 'supplied' as const } }),
      cluster: { name: spec.cluster ?? 'prod-eu' },
      upstream: { mode: 'kubeconfig', impersonated: true },
      policy: { bundleHash: 'abc123', decision, ...(spec.ruleId === undefined ? {} : { ruleId: spec.ruleId }) },
    },
  };
  if (spec.complete === false) return [base];
  const code = spec.code ?? (decision === 'deny' ? 403 : 200);
  const terminal: AuditEvent = { ...base, stage: 'ResponseComplete', stageTimestamp: done, responseStatus: { code, ...(code >= 400 ? { status: 'Failure', reason: code === 403 ? 'Forbidden' : 'Error' } : {}) } };
  return [base, terminal];
}

/** The exchange document the indexer would write for `events`, and its daily index under `prefix`. */
export function exchangeDocument(prefix: string, events: AuditEvent[]): { index: string; id: string; doc: Record<string, unknown> } {
  const first = events[0]!;
  let doc: Record<string, unknown> = {};
  for (const e of events) doc = mergePartial(doc, buildPartialDocument(e, enrichEvent(e, { name: e.auditgate.cluster.name }, NO_KUBE_METADATA)));
  return { index: indexNameFor(prefix, first.requestReceivedTimestamp), id: first.auditID, doc };
}
