import { fileURLToPath } from 'node:url';
import { EnvReader, mcpIndexFor, type Env, type SettingObserver } from '@auditgate/shared';
import { ROLES, type Role } from '../auth/roles.js';
import type { QueryConfig, QueryIssuer, RoleBinding } from './query-config.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** The analyst UI shipped with the service (services/query/ui). */
export const BUILTIN_UI_DIR = fileURLToPath(new URL('../../ui', import.meta.url));
const INDEX_NAME = /^[a-z0-9][a-z0-9._-]*$/;
const KEEP_ALIVE = /^\d+[smh]$/;
const LOOPBACK = /^http:\/\/(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?(?:\/|$)/i;

function parseIssuers(reader: EnvReader, raw: string | undefined): QueryIssuer[] {
  if (raw === undefined) return [];
  let parsed: unknown;
  try { parsed = JSON.parse(raw); } catch { reader.problem('QUERY_OIDC_ISSUERS must be a JSON array'); return []; }
  if (!Array.isArray(parsed)) { reader.problem('QUERY_OIDC_ISSUERS must be a JSON array'); return []; }
  const out: QueryIssuer[] = [];
  parsed.forEach((item: unknown, i) => {
    const o = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const strs = (v: unknown): v is string[] => Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && s !== '');
    const optStr = (k: string): boolean => o[k] === undefined || (typeof o[k] === 'string' && o[k] !== '');
    if (typeof o['issuer'] !== 'string' || !/^https?:\/\//.test(o['issuer'])) reader.problem(`QUERY_OIDC_ISSUERS[${i}].issuer must be an http(s) URL`);
    // Signing keys fetched in clear text could be swapped by anyone on the path: http only to this machine.
    else if (!o['issuer'].startsWith('https://') && !LOOPBACK.test(o['issuer'])) reader.problem(`QUERY_OIDC_ISSUERS[${i}].issuer must use https (http only for a loopback address)`);
    else if (!strs(o['audiences'])) reader.problem(`QUERY_OIDC_ISSUERS[${i}].audiences must be a non-empty list of strings`);
    else if (!optStr('caFile') || !optStr('usernameClaim') || !optStr('groupsClaim')) reader.problem(`QUERY_OIDC_ISSUERS[${i}]: caFile, usernameClaim, groupsClaim must be non-empty strings`);
    else if (o['algorithms'] !== undefined && (!strs(o['algorithms']) || o['algorithms'].some((a) => /^(none|HS\d+)$/i.test(a)))) reader.problem(`QUERY_OIDC_ISSUERS[${i}].algorithms must list asymmetric algorithms`);
    else if (out.some((x) => x.issuer === o['issuer'])) reader.problem(`QUERY_OIDC_ISSUERS[${i}]: issuer ${String(o['issuer'])} is listed twice`);
    else if (o['kind'] !== undefined && o['kind'] !== 'serviceaccount' && o['kind'] !== 'oidc') reader.problem(`QUERY_OIDC_ISSUERS[${i}].kind must be serviceaccount or oidc`);
    else if (!optStr('kubeconfig') || !optStr('context')) reader.problem(`QUERY_OIDC_ISSUERS[${i}]: kubeconfig and context must be non-empty strings`);
    else if (o['kubeconfig'] !== undefined && o['caFile'] !== undefined) reader.problem(`QUERY_OIDC_ISSUERS[${i}]: an issuer reached through its cluster's kubeconfig takes no caFile (the kubeconfig's CA is used)`);
    else if (o['tokenReview'] !== undefined && typeof o['tokenReview'] !== 'boolean') reader.problem(`QUERY_OIDC_ISSUERS[${i}].tokenReview must be true or false`);
    else out.push(o as unknown as QueryIssuer);
  });
  return out;
}

/**
 * Parses `role=subject[,subject];role=…`: a subject is a username or `group:<name>`, optionally scoped to one issuer
 * as `<issuer>#<subject>`. With more than one trusted issuer every subject must be scoped: the same username from
 * another issuer is another person. Scoped issuers must be among `issuers`.
 */
export function parseRoleBindings(reader: EnvReader, raw: string | undefined, issuers: readonly string[] = []): RoleBinding[] {
  if (raw === undefined) return [];
  const out: RoleBinding[] = [];
  for (const part of raw.split(';').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    const role = part.slice(0, eq).trim();
    const subjects = part.slice(eq + 1).split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (eq < 1 || !(ROLES as readonly string[]).includes(role) || subjects.length === 0) {
      reader.problem(`QUERY_ROLE_BINDINGS: "${part}" must be <${ROLES.join('|')}>=[<issuer>#]<username|group:name>[,…]`);
      continue;
    }
    for (const scoped of subjects) {
      // An issuer URL has no fragment, so the first '#' ends it; a subject may itself contain '#' (then scope it).
      const hash = scoped.indexOf('#');
      const issuer = hash < 0 ? undefined : scoped.slice(0, hash);
      const subject = hash < 0 ? scoped : scoped.slice(hash + 1);
      if (subject === '' || issuer === '') {
        reader.problem(`QUERY_ROLE_BINDINGS: "${scoped}" must be [<issuer>#]<username|group:name>`);
      } else if (issuer !== undefined && issuers.length > 0 && !issuers.includes(issuer)) {
        reader.problem(`QUERY_ROLE_BINDINGS: "${scoped}" names issuer "${issuer}", which is not in QUERY_OIDC_ISSUERS`);
      } else if (issuer === undefined && issuers.length > 1) {
        reader.problem(`QUERY_ROLE_BINDINGS: "${scoped}" must name its issuer (<issuer>#${subject}) because more than one issuer is trusted`);
      } else {
        out.push({ role: role as Role, subject, ...(issuer === undefined ? {} : { issuer }) });
      }
    }
  }
  return out;
}

/**
 * Reads and validates the query service's configuration from `env`; throws one error listing every bad key.
 * `observe` hears each read (the README's settings tables are generated from it).
 */
export function loadConfig(env: Env, observe?: SettingObserver): QueryConfig {
  const r = new EnvReader(env, observe);
  const port = r.int('QUERY_PORT', 8080, { min: 0, max: 65535 });
  const host = r.str('QUERY_LISTEN_HOST', '127.0.0.1');
  const index = (key: string, fallback: string): string => {
    const v = r.str(key, fallback);
    if (!INDEX_NAME.test(v)) r.problem(`${key} must be a lower-case index name, got "${v}"`);
    return v;
  };
  const issuers = parseIssuers(r, r.optional('QUERY_OIDC_ISSUERS'));
  if (issuers.length === 0 && r.optional('QUERY_OIDC_ISSUERS') === undefined) r.problem('QUERY_OIDC_ISSUERS is required (JSON list of {issuer, audiences, kind?, caFile? | kubeconfig?, usernameClaim?, groupsClaim?})');
  const cursorKey = r.optional('QUERY_CURSOR_KEY');
  if (cursorKey !== undefined && cursorKey.length < 16) r.problem('QUERY_CURSOR_KEY must be at least 16 characters');
  const pitKeepAlive = r.str('QUERY_PIT_KEEP_ALIVE', '5m');
  if (!KEEP_ALIVE.test(pitKeepAlive)) r.problem(`QUERY_PIT_KEEP_ALIVE must look like 5m, got "${pitKeepAlive}"`);
  const config: QueryConfig = {
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    listen: { host, port, opsPort: r.int('QUERY_OPS_PORT', 9467, { min: 0, max: 65535 }) },
    publicUrl: r.url('QUERY_PUBLIC_URL', `http://${host}:${port}`).replace(/\/+$/, ''),
    opensearch: {
      url: r.url('OPENSEARCH_URL', 'http://127.0.0.1:9200'),
      requestTimeoutMs: r.int('QUERY_OPENSEARCH_TIMEOUT_MS', 30_000, { min: 100 }),
    },
    indices: {
      events: index('QUERY_EVENTS_INDEX', 'auditgate-events'),
      alerts: index('QUERY_ALERTS_INDEX', 'auditgate-alerts'),
      audit: index('QUERY_AUDIT_INDEX', 'auditgate-query-audit'),
      mcp: index('QUERY_MCP_INDEX', mcpIndexFor(r.optional('QUERY_EVENTS_INDEX') ?? 'auditgate-events')),
    },
    auth: {
      issuers,
      rolesClaim: r.str('QUERY_ROLES_CLAIM', 'auditgate_roles'),
      bindings: parseRoleBindings(r, r.optional('QUERY_ROLE_BINDINGS'), issuers.map((i) => i.issuer)),
      tokenReviewCacheMs: r.int('QUERY_TOKEN_REVIEW_CACHE_MS', 10_000, { min: 0, max: 300_000 }),
    },
    limits: {
      maxPageSize: r.int('QUERY_MAX_PAGE_SIZE', 500, { min: 1, max: 10_000 }),
      maxRangeDays: r.int('QUERY_MAX_RANGE_DAYS', 93, { min: 1, max: 3660 }),
      maxExport: r.int('QUERY_MAX_EXPORT', 1_000_000, { min: 1 }),
      maxConcurrentExports: r.int('QUERY_MAX_CONCURRENT_EXPORTS', 8, { min: 1, max: 100 }),
      maxSessionEvents: r.int('QUERY_MAX_SESSION_EVENTS', 1000, { min: 1, max: 10_000 }),
      pitKeepAlive,
    },
    refusalAudit: {
      windowMs: r.int('QUERY_REFUSAL_AUDIT_WINDOW_MS', 60_000, { min: 100, max: 3_600_000 }),
      maxKeys: r.int('QUERY_REFUSAL_AUDIT_MAX_KEYS', 50, { min: 1, max: 10_000 }),
    },
    ...(cursorKey === undefined ? {} : { cursorKey }),
    evidence: {
      checkpointsIndex: index('QUERY_CHECKPOINTS_INDEX', 'auditgate-checkpoints'),
      jwks: r.list('QUERY_CHECKPOINT_JWKS', []),
      maxEvents: r.int('QUERY_VERIFY_MAX_EVENTS', 200_000, { min: 1, max: 10_000_000 }),
    },
    uiDir: r.str('QUERY_UI_DIR', BUILTIN_UI_DIR),
    shutdownTimeoutMs: r.int('QUERY_SHUTDOWN_TIMEOUT_MS', 20_000, { min: 0 }),
  };
  r.finish();
  return config;
}
