import type { EnvReader } from '@auditgate/shared';
import type { TrustedIssuer } from '../../auth/index.js';
import { normalizeOrigin } from '../auth/origin-check.js';
import type { McpConfig, McpIssuerConfig, McpServerConfig } from './mcp-config.js';

const SERVER_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function json(reader: EnvReader, key: string): unknown[] | undefined {
  const raw = reader.optional(key);
  if (raw === undefined) return undefined;
  try {
    const value = JSON.parse(raw) as unknown;
    if (Array.isArray(value)) return value;
  } catch { /* reported below */ }
  reader.problem(`${key} must be a JSON array`);
  return [];
}

function httpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try { const u = new URL(value); return u.protocol === 'http:' || u.protocol === 'https:' ? value : undefined; } catch { return undefined; }
}

function readServers(reader: EnvReader): McpServerConfig[] {
  const seen = new Set<string>();
  return (json(reader, 'PROXY_MCP_SERVERS') ?? []).flatMap((item, i): McpServerConfig[] => {
    const at = `PROXY_MCP_SERVERS[${i}]`;
    if (!isObj(item)) { reader.problem(`${at} must be an object {name, url, audience?, kubernetes?, caFile?}`); return []; }
    for (const key of Object.keys(item)) if (!['name', 'url', 'audience', 'kubernetes', 'caFile'].includes(key)) reader.problem(`${at}.${key} is unknown`);
    const name = item['name'];
    const url = httpUrl(item['url']);
    if (typeof name !== 'string' || !SERVER_NAME.test(name)) { reader.problem(`${at}.name must be a DNS label (a-z, 0-9, -)`); return []; }
    if (seen.has(name)) reader.problem(`${at}.name "${name}" is listed twice`);
    seen.add(name);
    if (url === undefined) { reader.problem(`${at}.url must be an http(s) URL`); return []; }
    const audience = item['audience'] ?? `auditgate-mcp:${name}`;
    if (typeof audience !== 'string' || audience === '') reader.problem(`${at}.audience must be a non-empty string`);
    const kubernetes = item['kubernetes'] ?? true;
    if (typeof kubernetes !== 'boolean') reader.problem(`${at}.kubernetes must be true or false`);
    const caFile = item['caFile'];
    if (caFile !== undefined && typeof caFile !== 'string') reader.problem(`${at}.caFile must be a path`);
    return [{ name, url, audience: String(audience), kubernetes: kubernetes === true, ...(typeof caFile === 'string' ? { caFile } : {}) }];
  });
}

function readIssuers(reader: EnvReader, defaultAudiences: string[]): McpIssuerConfig[] {
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
  return (json(reader, 'PROXY_MCP_ISSUERS') ?? []).flatMap((item, i): McpIssuerConfig[] => {
    const at = `PROXY_MCP_ISSUERS[${i}]`;
    const known = ['issuer', 'audiences', 'kind', 'caFile', 'discoveryUrl', 'usernameClaim', 'usernamePrefix', 'groupsClaim', 'groupsPrefix', 'algorithms', 'trust'];
    if (!isObj(item)) { reader.problem(`${at} must be an object {issuer, audiences?, kind?, …}`); return []; }
    for (const key of Object.keys(item)) if (!known.includes(key)) reader.problem(`${at}.${key} is unknown (known: ${known.join(', ')})`);
    const issuer = item['issuer'];
    if (typeof issuer !== 'string' || httpUrl(issuer) === undefined) { reader.problem(`${at}.issuer must be an http(s) URL`); return []; }
    const audiences = item['audiences'] ?? defaultAudiences;
    if (!strings(audiences) || audiences.length === 0) { reader.problem(`${at}.audiences must be a non-empty list of strings`); return []; }
    const kind = item['kind'] ?? 'oidc';
    if (kind !== 'oidc' && kind !== 'serviceaccount') { reader.problem(`${at}.kind must be oidc or serviceaccount`); return []; }
    const out: TrustedIssuer = { issuer, audiences, kind };
    for (const key of ['caFile', 'discoveryUrl', 'usernameClaim', 'usernamePrefix', 'groupsClaim', 'groupsPrefix'] as const) {
      const v = item[key];
      if (v === undefined) continue;
      if (typeof v !== 'string') reader.problem(`${at}.${key} must be a string`);
      else out[key] = v;
    }
    const algorithms = item['algorithms'];
    if (algorithms !== undefined) { if (strings(algorithms)) out.algorithms = algorithms; else reader.problem(`${at}.algorithms must be a list of strings`); }
    const trust = item['trust'] ?? 'issuer';
    if (trust !== 'issuer' && trust !== 'upstream') { reader.problem(`${at}.trust must be issuer or upstream`); return []; }
    if (trust === 'upstream' && (kind !== 'serviceaccount' || out.caFile !== undefined || out.discoveryUrl !== undefined)) {
      reader.problem(`${at}.trust "upstream" is for a cluster's service-account issuer (kind serviceaccount) reached through the upstream API server, without caFile or discoveryUrl`);
      return [];
    }
    return [trust === 'upstream' ? { ...out, trustUpstream: true } : out];
  });
}

/**
 * Reads the MCP endpoint's settings: `PROXY_MCP_SERVERS` (JSON list; none means no MCP endpoint, and the other keys
 * are not read), `PROXY_MCP_ISSUERS` (required with servers), `PROXY_MCP_PUBLIC_URL`, `PROXY_MCP_DELEGATION_ISSUER`,
 * `PROXY_MCP_DELEGATION_KEY_FILE`, `PROXY_MCP_CALL_TIMEOUT_MS`, `PROXY_MCP_MAX_MESSAGE_BYTES`,
 * `PROXY_MCP_MAX_RESPONSE_BYTES`, `PROXY_MCP_MAX_RECORDED_BYTES`, `PROXY_MCP_SCOPES`, `PROXY_MCP_ALLOWED_ORIGINS`.
 */
export function readMcpConfig(reader: EnvReader, listen: { host: string; httpPort: number; httpsPort: number }): McpConfig | undefined {
  const servers = readServers(reader);
  if (servers.length === 0) return undefined;
  const fallbackUrl = listen.httpsPort > 0 ? `https://${listen.host}:${listen.httpsPort}` : `http://${listen.host}:${Math.max(listen.httpPort, 0)}`;
  const publicUrl = reader.url('PROXY_MCP_PUBLIC_URL', fallbackUrl).replace(/\/+$/, '');
  const defaultAudiences = servers.map((s) => `${publicUrl}/mcp/${s.name}`);
  const issuers = readIssuers(reader, defaultAudiences);
  if (issuers.length === 0) reader.problem('PROXY_MCP_ISSUERS is required with PROXY_MCP_SERVERS: the issuers of the OAuth tokens MCP clients present');
  const delegationIssuer = reader.url('PROXY_MCP_DELEGATION_ISSUER', `${publicUrl}/mcp-delegation`).replace(/\/+$/, '');
  if (issuers.some((i) => i.issuer.replace(/\/+$/, '') === delegationIssuer)) reader.problem('PROXY_MCP_DELEGATION_ISSUER must not be one of PROXY_MCP_ISSUERS: a delegated token is never a caller token');
  const keyFile = reader.optional('PROXY_MCP_DELEGATION_KEY_FILE');
  // Browsers send Origin; the gateway's own origin is the one a browser client served by it would have.
  const allowedOrigins = reader.list('PROXY_MCP_ALLOWED_ORIGINS', [publicUrl]).flatMap((o) => {
    const origin = normalizeOrigin(o);
    if (origin === undefined) reader.problem(`PROXY_MCP_ALLOWED_ORIGINS: "${o}" is not an http(s) origin (scheme://host[:port])`);
    return origin === undefined ? [] : [origin];
  });
  return {
    servers, issuers, publicUrl, delegationIssuer,
    ...(keyFile === undefined ? {} : { delegationKeyFile: keyFile }),
    callTimeoutMs: reader.int('PROXY_MCP_CALL_TIMEOUT_MS', 120_000, { min: 1000, max: 3_600_000 }),
    maxMessageBytes: reader.int('PROXY_MCP_MAX_MESSAGE_BYTES', 4 * 1024 * 1024, { min: 1024, max: 64 * 1024 * 1024 }),
    maxResponseBytes: reader.int('PROXY_MCP_MAX_RESPONSE_BYTES', 16 * 1024 * 1024, { min: 1024, max: 256 * 1024 * 1024 }),
    maxRecordedBytes: reader.int('PROXY_MCP_MAX_RECORDED_BYTES', 64 * 1024, { min: 256, max: 16 * 1024 * 1024 }),
    scopes: reader.list('PROXY_MCP_SCOPES', []),
    allowedOrigins,
  };
}
