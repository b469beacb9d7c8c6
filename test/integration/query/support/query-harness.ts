import { Client } from '@opensearch-project/opensearch';
import { alertsTemplateName, createLogger, createMetricsRegistry, eventsIndexTemplate, eventsTemplateName } from '@auditgate/shared';
import { newTestKey, readStackEnv, startLocalIssuer, uniqueName, type LocalIssuer } from '@auditgate/shared/testing';
import type { Alert } from '../../../../services/detector/src/engine/alert.js';
import { createApp } from '../../../../services/query/src/app.js';
import { loadConfig } from '../../../../services/query/src/config/load-config.js';
import { exchangeDocument, seedAuditEvents, type SeedEventSpec } from './seed-events.js';
import { standardSeed, type StandardSeed } from './standard-seed.js';

export type { SeedEventSpec } from './seed-events.js';
export type { StandardSeed } from './standard-seed.js';

/** The audience of testbed tokens. */
export const TESTBED_AUDIENCE = 'auditgate-query';

/** A running query service on a unique index prefix, with a local OIDC issuer and seeding helpers. */
export interface QueryTestbed {
  /** `http://127.0.0.1:<port>` of the API and UI. */
  readonly baseUrl: string;
  /** `http://127.0.0.1:<port>` of /healthz, /readyz, /metrics. */
  readonly opsUrl: string;
  /** The unique index prefixes of this testbed. */
  readonly indices: { readonly events: string; readonly alerts: string; readonly audit: string };
  readonly opensearch: Client;
  readonly issuer: LocalIssuer;
  /** A valid token for `username` (default `alice@example.com`) with `roles` in the roles claim. */
  tokenFor(roles: string[], username?: string, extraClaims?: Record<string, unknown>): Promise<string>;
  /** Indexes one exchange document per spec (the indexer's shape) and refreshes; resolves with the documents. */
  seedEvents(specs: SeedEventSpec[]): Promise<Array<Record<string, unknown>>>;
  /** Indexes alerts (detector shape, defaults filled in) into `<alerts>-YYYY.MM` and refreshes. */
  seedAlerts(alerts: Array<Partial<Alert>>): Promise<Alert[]>;
  /** Seeds a realistic mix (~80 exchanges over the last 3 hours, 3 alerts) and describes it. */
  seedStandard(): Promise<StandardSeed>;
  /** Makes every write so far searchable. */
  refresh(): Promise<void>;
  /** Stops the service and the issuer, deletes this testbed's indices and templates. */
  close(): Promise<void>;
}

/** Options of {@link startQueryTestbed}. */
export interface QueryTestbedOptions {
  /** Extra/overriding environment of the query service (e.g. `QUERY_MAX_PAGE_SIZE`). */
  readonly env?: Record<string, string>;
  readonly now?: () => number;
}

/** Starts a {@link QueryTestbed} against the real OpenSearch of the local stack. */
export async function startQueryTestbed(options: QueryTestbedOptions = {}): Promise<QueryTestbed> {
  const stack = readStackEnv(process.env);
  const base = uniqueName('agq');
  const indices = { events: `${base}-events`, alerts: `${base}-alerts`, audit: `${base}-audit` };
  const opensearch = new Client({ node: stack.opensearchUrl });
  await opensearch.indices.putIndexTemplate({ name: eventsTemplateName(indices.events), body: eventsIndexTemplate({ indexPrefix: indices.events, refreshInterval: '1s', shards: 1, replicas: 0 }) as never });
  const issuer = await startLocalIssuer();
  const key = await newTestKey('ES256', 'testbed-1');
  issuer.keys = [key];
  const config = loadConfig({
    QUERY_PORT: '0', QUERY_OPS_PORT: '0', LOG_LEVEL: 'warn', OPENSEARCH_URL: stack.opensearchUrl,
    QUERY_EVENTS_INDEX: indices.events, QUERY_ALERTS_INDEX: indices.alerts, QUERY_AUDIT_INDEX: indices.audit,
    QUERY_OIDC_ISSUERS: JSON.stringify([{ issuer: issuer.issuer, audiences: [TESTBED_AUDIENCE] }]),
    QUERY_SHUTDOWN_TIMEOUT_MS: '2000',
    ...options.env,
  });
  const app = createApp(config, {
    logger: createLogger({ name: 'query', level: config.logLevel }), registry: createMetricsRegistry('query'),
    opensearch: new Client({ node: stack.opensearchUrl }), ...(options.now === undefined ? {} : { now: options.now }),
  });
  const { port, ops } = await app.start();
  const refresh = async (): Promise<void> => { await opensearch.indices.refresh({ index: `${base}-*`, ignore_unavailable: true, allow_no_indices: true }); };
  const bed: QueryTestbed = {
    baseUrl: `http://127.0.0.1:${port}`, opsUrl: `http://127.0.0.1:${ops}`, indices, opensearch, issuer,
    async tokenFor(roles, username = 'alice@example.com', extraClaims = {}) {
      const nowSec = Math.floor(Date.now() / 1000);
      return issuer.sign(key, { sub: username, aud: TESTBED_AUDIENCE, iat: nowSec, exp: nowSec + 3600, auditgate_roles: roles, groups: [], ...extraClaims });
    },
    async seedEvents(specs) {
      const docs = specs.map((s) => exchangeDocument(indices.events, seedAuditEvents(s)));
      for (let i = 0; i < docs.length; i += 2000) {
        const chunk = docs.slice(i, i + 2000);
        const r = await opensearch.bulk({ body: chunk.flatMap((d) => [{ index: { _index: d.index, _id: d.id } }, d.doc]) as never });
        if (r.body.errors) throw new Error(`seeding events failed: ${JSON.stringify(r.body.items.find((it) => it.index?.error)?.index?.error)}`);
      }
      await refresh();
      return docs.map((d) => d.doc);
    },
    async seedAlerts(partials) {
      const alerts = partials.map((p, i) => completeAlert(p, i));
      const r = await opensearch.bulk({
        body: alerts.flatMap((a) => [{ index: { _index: `${indices.alerts}-${a.firstSeen.slice(0, 4)}.${a.firstSeen.slice(5, 7)}`, _id: a.id } }, { ...a, '@timestamp': a.lastSeen }]) as never,
      });
      if (r.body.errors) throw new Error('seeding alerts failed');
      await refresh();
      return alerts;
    },
    async seedStandard() {
      const seed = standardSeed(Date.now());
      const events = await bed.seedEvents(seed.events);
      const alerts = await bed.seedAlerts(seed.alerts.map((a) => ({ ...a, link: `${bed.baseUrl}/ui/events/${a.evidence?.[0] ?? ''}` })));
      return { ...seed, documents: events, seededAlerts: alerts };
    },
    refresh,
    async close() {
      await app.stop();
      await issuer.close();
      await opensearch.indices.delete({ index: `${base}-*`, ignore_unavailable: true, allow_no_indices: true }).catch(() => undefined);
      for (const name of [`${indices.events}-template`, `${indices.audit}-template`, alertsTemplateName(indices.alerts)]) {
        await opensearch.indices.deleteIndexTemplate({ name }).catch(() => undefined);
      }
      await opensearch.close();
    },
  };
  return bed;
}

function completeAlert(p: Partial<Alert>, i: number): Alert {
  const lastSeen = p.lastSeen ?? new Date(Date.now() - 5 * 60_000).toISOString();
  const rule = p.rule ?? 'secret-read-burst';
  const actor = p.actor ?? 'system:serviceaccount:agents:mcp';
  const id = p.id ?? `al-${Date.now().toString(36)}-${i}-${Math.random().toString(36).slice(2, 8)}`;
  return {
    id, dedupKey: p.dedupKey ?? `${rule}|${actor}|payments|${i}`, rule, title: p.title ?? 'Burst of secret reads', ruleSource: p.ruleSource ?? 'native',
    severity: p.severity ?? 'high', actor, target: p.target ?? { verb: 'get', resource: 'secrets', namespace: 'payments', requestURI: '/api/v1/namespaces/payments/secrets' },
    evidence: p.evidence ?? [], firstSeen: p.firstSeen ?? lastSeen, lastSeen, count: p.count ?? 1,
    summary: p.summary ?? `${actor} triggered ${rule}`, link: p.link ?? '', details: p.details ?? {},
    ...(p.onBehalfOf === undefined ? {} : { onBehalfOf: p.onBehalfOf }), ...(p.cluster === undefined ? {} : { cluster: p.cluster }),
    ...(p.technique === undefined ? {} : { technique: p.technique }), ...(p.outcome === undefined ? {} : { outcome: p.outcome }),
    ...(p.outcomes === undefined ? {} : { outcomes: p.outcomes }),
  };
}
