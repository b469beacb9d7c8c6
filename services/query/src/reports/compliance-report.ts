import type { Client } from '@opensearch-project/opensearch';
import { buildEventQuery, DENIED_QUERY, TIME_FIELD } from '../search/build-event-query.js';
import type { EventFilters } from '../search/event-filters.js';
import { opensearchError } from '../search/opensearch-error.js';

/** One listed exchange of a report section. */
export interface ReportEvent {
  readonly time: string; readonly auditID: string; readonly actor: string; readonly onBehalfOf?: string; readonly verb: string;
  readonly namespace?: string; readonly resource?: string; readonly subresource?: string; readonly name?: string; readonly status?: number;
}

/** The compliance report of a period. */
export interface ComplianceReport {
  readonly period: { readonly from: string; readonly to: string };
  readonly generatedAt: string;
  readonly totalEvents: number;
  /** Reads that were allowed and succeeded (2xx), masked ones included; refused or failed attempts are not reads. */
  readonly secretReads: { total: number; byActor: Array<{ actor: string; count: number; secrets: Array<{ key: string; count: number }> }> };
  /** Refused by policy or forbidden (403): per actor with the verbs and what they aimed at, and per policy rule. */
  readonly deniedAttempts: {
    total: number;
    byActor: Array<{ actor: string; count: number; verbs: Array<{ key: string; count: number }>; targets: Array<{ key: string; count: number }> }>;
    byRule: Array<{ key: string; count: number }>;
  };
  readonly execSessions: { total: number; events: ReportEvent[] };
  readonly rbacChanges: { total: number; events: ReportEvent[] };
  readonly coverage: { byCluster: Array<{ cluster: string; events: number; complete: number; incomplete: number }>; byFinalStage: Array<{ key: string; count: number }> };
}

const SECRET_READ = {
  bool: {
    filter: [
      { term: { 'auditgate.enrichment.secretAccess': true } }, { terms: { verb: ['get', 'list', 'watch'] } },
      { range: { 'responseStatus.code': { gte: 200, lte: 299 } } },
    ],
    must_not: [{ term: { 'auditgate.policy.decision': 'deny' } }],
  },
};
/** Which object a bucket of [verb, resource, namespace, name] is about, with '' for what the request did not name. */
const TARGET_TERMS = [{ field: 'verb' }, { field: 'objectRef.resource', missing: '' }, { field: 'objectRef.namespace', missing: '' }, { field: 'objectRef.name', missing: '' }];
/** The policy rule of a refusal, or what refused it when no policy rule did. */
const NO_POLICY_RULE = '(no policy rule: refused by the API server)';
const EXEC = { terms: { 'objectRef.subresource': ['exec', 'attach', 'portforward'] } };
const RBAC_CHANGE = { bool: { filter: [{ term: { 'objectRef.apiGroup': 'rbac.authorization.k8s.io' } }, { terms: { verb: ['create', 'update', 'patch', 'delete', 'deletecollection'] } }] } };
const LIST_FIELDS = ['requestReceivedTimestamp', 'auditID', 'verb', 'objectRef', 'responseStatus.code', 'auditgate.actor.username', 'auditgate.onBehalfOf.username'];

type B = { key: string | number; doc_count: number; [sub: string]: unknown };
type Agg = { buckets?: B[]; doc_count?: number; [sub: string]: unknown };
const kc = (a: unknown): Array<{ key: string; count: number }> => ((a as Agg | undefined)?.buckets ?? []).map((b) => ({ key: String(b.key), count: b.doc_count }));

/**
 * A label a person can read for what one request aimed at: `get secrets payments/db-creds`, `list secrets in payments`,
 * `list secrets in all namespaces` (a list without a namespace on a namespaced resource; for a cluster-scoped one it
 * reads the same: every object of the cluster), `get /healthz` style labels for requests without a resource.
 */
export function targetLabel(verb: string, resource: string, namespace: string, name: string): string {
  if (resource === '') return verb;
  if (name !== '') return `${verb} ${resource} ${namespace === '' ? '' : `${namespace}/`}${name}`;
  return `${verb} ${resource} in ${namespace === '' ? 'all namespaces' : namespace}`;
}

/** A readable key for one Secret read: `payments/db-creds`, or for lists `every Secret in payments (list)`. */
export function secretReadLabel(verb: string, namespace: string, name: string): string {
  if (name !== '') return namespace === '' ? name : `${namespace}/${name}`;
  return `every Secret in ${namespace === '' ? 'all namespaces' : namespace} (${verb})`;
}

const keyed = (a: unknown, label: (key: string[]) => string): Array<{ key: string; count: number }> =>
  ((a as Agg | undefined)?.buckets ?? []).map((b) => ({ key: label((b.key as unknown as unknown[]).map(String)), count: b.doc_count }));

function toEvent(src: Record<string, any>): ReportEvent {
  const ref = src['objectRef'] ?? {};
  return {
    time: src['requestReceivedTimestamp'], auditID: src['auditID'], actor: src['auditgate']?.['actor']?.['username'] ?? '', verb: src['verb'],
    ...(src['auditgate']?.['onBehalfOf']?.['username'] === undefined ? {} : { onBehalfOf: src['auditgate']['onBehalfOf']['username'] }),
    ...(ref.namespace === undefined ? {} : { namespace: ref.namespace }), ...(ref.resource === undefined ? {} : { resource: ref.resource }),
    ...(ref.subresource === undefined ? {} : { subresource: ref.subresource }), ...(ref.name === undefined ? {} : { name: ref.name }),
    ...(src['responseStatus']?.['code'] === undefined ? {} : { status: src['responseStatus']['code'] }),
  };
}

/** Builds the compliance report of `filters`' period in one aggregation search plus two listings of at most `listMax` rows. */
export async function complianceReport(client: Client, prefix: string, filters: EventFilters, now: number, listMax = 500): Promise<ComplianceReport> {
  const index = `${prefix}-*`;
  const query = buildEventQuery(filters);
  const list = async (clause: Record<string, unknown>): Promise<{ total: number; events: ReportEvent[] }> => {
    const r = await client.search({ index, body: { size: listMax, track_total_hits: true, _source: LIST_FIELDS, query: buildEventQuery(filters, [clause]), sort: [{ [TIME_FIELD]: 'asc' }] } as never });
    const total = r.body.hits.total;
    return { total: typeof total === 'number' ? total : total?.value ?? 0, events: r.body.hits.hits.map((h) => toEvent((h._source ?? {}) as Record<string, any>)) };
  };
  const aggs = {
    secretReads: {
      filter: SECRET_READ,
      aggs: { actors: { terms: { field: 'auditgate.actor.username', size: 100 }, aggs: { secrets: { multi_terms: { terms: [TARGET_TERMS[0], TARGET_TERMS[2], TARGET_TERMS[3]], size: 20 } } } } },
    },
    denied: {
      filter: DENIED_QUERY,
      aggs: {
        actors: { terms: { field: 'auditgate.actor.username', size: 100 }, aggs: { verbs: { terms: { field: 'verb', size: 10 } }, targets: { multi_terms: { terms: TARGET_TERMS, size: 20 } } } },
        // A refusal by policy names its rule; a 403 of the API server (RBAC) has none.
        rules: { terms: { field: 'auditgate.policy.ruleId', size: 50 } },
        unruled: { filter: { bool: { must_not: [{ term: { 'auditgate.policy.decision': 'deny' } }] } } },
      },
    },
    clusters: { terms: { field: 'auditgate.cluster.name', size: 100 }, aggs: { complete: { filter: { term: { complete: true } } } } },
    stages: { terms: { field: 'finalStage', size: 10, missing: '(incomplete)' } },
  };
  try {
    const [r, exec, rbac] = await Promise.all([
      client.search({ index, body: { size: 0, track_total_hits: true, query, aggs } as never }),
      list(EXEC), list(RBAC_CHANGE),
    ]);
    const a = r.body.aggregations as unknown as Record<string, Agg & { actors?: Agg; rules?: Agg }>;
    const total = r.body.hits.total;
    return {
      period: { from: new Date(filters.from).toISOString(), to: new Date(filters.to).toISOString() },
      generatedAt: new Date(now).toISOString(),
      totalEvents: typeof total === 'number' ? total : total?.value ?? 0,
      secretReads: {
        total: a['secretReads']?.doc_count ?? 0,
        byActor: (a['secretReads']?.actors?.buckets ?? []).map((b) => ({
          actor: String(b.key), count: b.doc_count, secrets: keyed(b['secrets'], ([verb = '', ns = '', name = '']) => secretReadLabel(verb, ns, name)),
        })),
      },
      deniedAttempts: {
        total: a['denied']?.doc_count ?? 0,
        byActor: (a['denied']?.actors?.buckets ?? []).map((b) => ({
          actor: String(b.key), count: b.doc_count, verbs: kc(b['verbs']),
          targets: keyed(b['targets'], ([verb = '', resource = '', ns = '', name = '']) => targetLabel(verb, resource, ns, name)),
        })),
        byRule: [...kc(a['denied']?.rules), ...((a['denied']?.['unruled'] as { doc_count?: number } | undefined)?.doc_count
          ? [{ key: NO_POLICY_RULE, count: (a['denied']!['unruled'] as { doc_count: number }).doc_count }] : [])],
      },
      execSessions: exec,
      rbacChanges: rbac,
      coverage: {
        byCluster: (a['clusters']?.buckets ?? []).map((b) => {
          const complete = (b['complete'] as { doc_count: number }).doc_count;
          return { cluster: String(b.key), events: b.doc_count, complete, incomplete: b.doc_count - complete };
        }),
        byFinalStage: kc(a['stages']),
      },
    };
  } catch (error) { throw opensearchError(error, 'compliance report'); }
}
