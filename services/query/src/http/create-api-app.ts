import express, { type Express, type RequestHandler } from 'express';
import type { Client } from '@opensearch-project/opensearch';
import { AppError, ErrorCodes, type Logger } from '@auditgate/shared';
import type { AlertStore } from '../alerts/alert-store.js';
import type { AuditLog } from '../access-log/audit-log.js';
import type { RefusalAudit } from '../access-log/refusal-audit.js';
import type { TokenVerifier } from '@auditgate/shared/auth';
import type { Role } from '../auth/roles.js';
import type { QueryConfig } from '../config/query-config.js';
import type { EventSearch } from '../search/event-search.js';
import { createUiRouter } from '../ui-static.js';
import type { CursorCodec } from '../search/page-cursor.js';
import { requireRole } from './api-context.js';
import { auditCall } from './audit-calls.js';
import { authenticate } from './authenticate.js';
import { createErrorHandler } from './error-handler.js';
import type { QueryMetrics } from './query-metrics.js';
import { aggregationRoutes } from './routes-aggregations.js';
import { alertRoutes } from './routes-alerts.js';
import { auditRoutes } from './routes-audit.js';
import { eventRoutes } from './routes-events.js';
import { mcpRoutes } from './routes-mcp.js';
import type { McpSearch } from '../search/mcp-search.js';
import { evidenceRoutes } from './routes-evidence.js';
import { exportRoutes } from './routes-export.js';
import { reportRoutes } from './routes-reports.js';

const API_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

/** Everything the HTTP API needs. */
export interface ApiDeps {
  readonly config: QueryConfig;
  readonly logger: Logger;
  readonly client: Client;
  readonly verifier: TokenVerifier;
  readonly search: EventSearch;
  /** Tool calls (MCP index) joined with their Kubernetes requests. */
  readonly mcp: McpSearch;
  readonly alerts: AlertStore;
  readonly auditLog: AuditLog;
  /** Aggregated audit records of failed authentications. */
  readonly refusals: RefusalAudit;
  readonly cursors: CursorCodec;
  readonly metrics: QueryMetrics;
  readonly now: () => number;
  /** True once shutdown began: new requests get 503. */
  readonly closing: () => boolean;
}

/** The analyst-facing app: `/api/v1/*` (authenticated, role-checked, audited) and the static UI under `/ui`. */
export function createApiApp(d: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.set('query parser', 'simple');
  app.use('/api', (_req, res, next) => {
    // Answers are evidence about people: never cached, never sniffed into HTML, never framed.
    for (const [name, value] of Object.entries(API_HEADERS)) res.setHeader(name, value);
    next();
  });
  app.use((req, res, next) => {
    if (d.closing()) { res.setHeader('connection', 'close'); next(new AppError('shutting down', { code: ErrorCodes.SHUTTING_DOWN, status: 503, retriable: true })); return; }
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const route = (res.locals['route'] as string | undefined) ?? (req.path.startsWith('/ui') ? 'ui' : 'other');
      d.metrics.requests.inc({ route, status: String(res.statusCode) });
      d.metrics.seconds.observe({ route }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  });
  const audit = { log: d.auditLog, now: d.now, onRecorded: (_route: string, ok: boolean) => d.metrics.auditWrites.inc({ outcome: ok ? 'ok' : 'failed' }) };
  const guard = (route: string, role: Role = 'analyst'): RequestHandler[] => [
    (_req, res, next) => { res.locals['route'] = route; next(); },
    // Audited before the role check, so refused attempts leave a record too.
    auditCall(route, audit), requireRole(role),
  ];
  const api = express.Router();
  api.use(authenticate({
    verifier: d.verifier, rolesClaim: d.config.auth.rolesClaim, bindings: d.config.auth.bindings, logger: d.logger,
    onRefused: ({ reason, req, claimed }) => {
      d.metrics.authFailures.inc({ reason });
      d.refusals.refused({
        reason, method: req.method, path: req.originalUrl.split('?')[0] ?? req.path,
        ...(req.ip === undefined ? {} : { sourceIp: req.ip }),
        ...(req.headers['user-agent'] === undefined ? {} : { userAgent: req.headers['user-agent'] }),
        ...(claimed.issuer === undefined ? {} : { claimedIssuer: claimed.issuer }),
        ...(claimed.subject === undefined ? {} : { claimedSubject: claimed.subject }),
      });
    },
  }));
  const shared = { config: d.config, now: d.now, cursors: d.cursors, guard };
  api.use(eventRoutes({ ...shared, client: d.client, search: d.search, mcp: d.mcp }));
  api.use(mcpRoutes({ ...shared, mcp: d.mcp }));
  api.use(aggregationRoutes({ ...shared, client: d.client }));
  api.use(alertRoutes({ ...shared, alerts: d.alerts }));
  api.use(exportRoutes({ ...shared, search: d.search, onRows: (format, rows) => d.metrics.exportRows.inc({ format }, rows) }));
  api.use(reportRoutes({ ...shared, client: d.client }));
  api.use(auditRoutes({ ...shared, client: d.client }));
  api.use(evidenceRoutes({ ...shared, client: d.client }));
  // Unknown routes are audited too: probing the API is something an auditor wants to see.
  api.use(...guard('unknown'), (req, _res, next) => { next(new AppError(`no route ${req.method} ${req.path}`, { code: ErrorCodes.NOT_FOUND, status: 404 })); });
  app.use('/api/v1', api);

  app.get('/', (_req, res) => { res.redirect(302, '/ui/'); });
  // The analyst UI (static files; every client-side route such as /ui/events/:auditID serves the one page).
  app.use('/ui', createUiRouter(d.config.uiDir));
  app.use((req, _res, next) => { next(new AppError(`no route ${req.method} ${req.path}`, { code: ErrorCodes.NOT_FOUND, status: 404 })); });
  app.use(createErrorHandler(d.logger));
  return app;
}
