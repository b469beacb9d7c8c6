import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@opensearch-project/opensearch';
import { createOpsApp, type Logger, type Registry } from '@auditgate/shared';
import { createAuditLog } from './access-log/audit-log.js';
import { createRefusalAudit } from './access-log/refusal-audit.js';
import { createAlertStore } from './alerts/alert-store.js';
import type { ApiServerConnection } from '@auditgate/shared/kube';
import { createAnalystVerifier } from './auth/create-analyst-verifier.js';
import type { QueryConfig } from './config/query-config.js';
import { createApiApp } from './http/create-api-app.js';
import { createQueryMetrics } from './http/query-metrics.js';
import { createEventSearch } from './search/event-search.js';
import { createMcpSearch } from './search/mcp-search.js';
import { createCursorCodec } from './search/page-cursor.js';

/** What `createApp` needs from the outside world; `main.ts` builds the real ones. */
export interface QueryDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  readonly opensearch: Client;
  readonly now?: () => number;
  /** Transport for OIDC discovery/JWKS of issuers without a caFile or kubeconfig. */
  readonly fetch?: typeof fetch;
  /** The cluster of each issuer configured with a `kubeconfig`, by issuer URL (main.ts connects them). */
  readonly issuerConnections?: ReadonlyMap<string, ApiServerConnection>;
}

/** The query service: `start()` installs index templates and listens; `stop()` drains and closes (safe twice). */
export interface QueryApp {
  start(): Promise<{ port: number; ops: number }>;
  stop(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server | undefined, deadlineMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (server?.listening !== true) { resolve(); return; }
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), deadlineMs);
    timer.unref();
    server.close(() => { clearTimeout(timer); resolve(); });
  });
}

/** Wires the query service from its validated config and dependencies. */
export function createApp(config: QueryConfig, deps: QueryDeps): QueryApp {
  const log = deps.logger;
  const now = deps.now ?? Date.now;
  const client = deps.opensearch;
  const auditLog = createAuditLog(client, config.indices.audit);
  const alerts = createAlertStore(client, config.indices.alerts, now);
  const metrics = createQueryMetrics(deps.registry);
  const refusals = createRefusalAudit({
    log: auditLog, now, windowMs: config.refusalAudit.windowMs, maxKeys: config.refusalAudit.maxKeys,
    onWrite: (ok) => metrics.auditWrites.inc({ outcome: ok ? 'ok' : 'failed' }),
  });
  let closing = false;
  let ready = false;
  let api: Server | undefined;
  let ops: Server | undefined;
  let stopped: Promise<void> | undefined;
  const verifier = createAnalystVerifier(config.auth.issuers, config.auth.rolesClaim, {
    connections: deps.issuerConnections ?? new Map(), now, reviewCacheMs: config.auth.tokenReviewCacheMs, logger: log.child({ component: 'auth' }),
    ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
  });
  const app = createApiApp({
    config, logger: log.child({ component: 'api' }), client, verifier,
    search: createEventSearch(client, config.indices.events, config.limits.pitKeepAlive),
    mcp: createMcpSearch(client, config.indices.mcp, config.indices.events),
    alerts, auditLog, refusals,
    cursors: createCursorCodec(config.cursorKey ?? randomBytes(32).toString('hex')),
    metrics, now, closing: () => closing,
  });

  return {
    async start() {
      ops = createServer(createOpsApp(deps.registry, {
        notReady: () => [...(closing ? ['shutting down'] : []), ...(ready ? [] : ['starting'])],
      }));
      const opsPort = await listen(ops, config.listen.opsPort, config.listen.host);
      await auditLog.ensureTemplate();
      // The detector's own template (if any) wins on priority; ours only makes filters exact on a fresh cluster.
      await alerts.ensureTemplate().catch((error: unknown) => log.warn({ err: (error as Error).message }, 'alerts index template not installed'));
      api = createServer(app);
      api.requestTimeout = 0;
      api.headersTimeout = 30_000;
      const port = await listen(api, config.listen.port, config.listen.host);
      ready = true;
      log.info({ port, ops: opsPort, events: config.indices.events, alerts: config.indices.alerts, audit: config.indices.audit }, 'query service listening');
      return { port, ops: opsPort };
    },
    stop() {
      stopped ??= (async () => {
        closing = true;
        const steps: Array<[string, () => Promise<void>]> = [
          ['api server', () => close(api, config.shutdownTimeoutMs)],
          ['refusal audit', () => refusals.flush()],
          ['token verifier', () => verifier.close()],
          ['OpenSearch client', async () => { await client.close(); }],
          ['ops server', () => close(ops, 1000)],
        ];
        for (const [name, step] of steps) {
          try { await step(); } catch (error) { log.error({ step: name, err: (error as Error).message }, 'shutdown step failed'); }
        }
      })();
      return stopped;
    },
  };
}
