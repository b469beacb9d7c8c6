import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/**
 * Never forwarded: hop-by-hop and framing headers (the gateway writes its own framing), everything that carries the
 * caller's credentials or identity claims, and headers whose value the gateway sets itself (`Audit-ID`).
 */
const DROPPED = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer',
  'transfer-encoding', 'content-length', 'expect', 'upgrade', 'http2-settings', 'authorization', 'cookie',
  'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'x-real-ip', 'forwarded',
  'x-auditgate-on-behalf-of', 'accept-encoding', 'host', 'audit-id',
]);

/** Prefixes of identity headers a front proxy authenticator would trust (`--requestheader-*`): never forwarded. */
const DROPPED_PREFIXES = ['x-remote-'];

/** Headers RFC 9113 §8.2.2 forbids in HTTP/2 (plus Host, which becomes :authority); `te` is allowed only as `trailers`. */
const HTTP2_FORBIDDEN = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host', 'http2-settings']);

/** The caller's impersonation request, when the client sent Impersonate-* headers. */
export interface ClientImpersonation { user?: string; groups: string[]; uid?: string; extra: Record<string, string[]> }

/** Options for {@link buildUpstreamHeaders}. */
export interface UpstreamHeaderOptions {
  /** The gateway's own credential for the API server. */
  readonly authorization: string | undefined;
  /** The client's socket address, the only trustworthy X-Forwarded-For entry. */
  readonly clientAddress: string;
  /** Forward the client's Impersonate-* headers (policy allowed it). */
  readonly allowClientImpersonation: boolean;
  /** Impersonate the authenticated caller (gateway impersonation mode). */
  readonly impersonate?: { user: string; groups: string[]; extra: Record<string, string[]> } | undefined;
  /** Keep Connection/Upgrade (exec, attach, port-forward). */
  readonly upgrade: boolean;
  /** The Accept the gateway negotiated for the API server; undefined keeps the client's (non-inspected paths). */
  readonly accept?: string | undefined;
  /** The gateway's audit ID, sent as `Audit-ID` so the API server's own audit log carries the same id. */
  readonly auditID?: string | undefined;
}

/** A percent-encoded extra key; a malformed encoding is kept as sent (the record shows what the client sent). */
function decodeExtraKey(encoded: string): string {
  try { return decodeURIComponent(encoded); } catch { return encoded; }
}

/** Header names a client lists in Connection (RFC 9110 §7.6.1): hop-by-hop for this one message. */
function connectionOptions(value: string | string[] | undefined): Set<string> {
  const names = new Set<string>();
  if (value === undefined) return names;
  for (const line of Array.isArray(value) ? value : [value]) for (const token of line.split(',')) names.add(token.trim().toLowerCase());
  return names;
}

function isDropped(name: string): boolean {
  return DROPPED.has(name) || DROPPED_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/** Client Impersonate-* headers, read for the audit record. */
export function readClientImpersonation(headers: IncomingHttpHeaders): ClientImpersonation | undefined {
  let found = false;
  const out: ClientImpersonation = { groups: [], extra: {} };
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('impersonate-') || value === undefined) continue;
    found = true;
    const values = Array.isArray(value) ? value : [value];
    if (name === 'impersonate-user') out.user = values[0] ?? '';
    else if (name === 'impersonate-group') out.groups.push(...values);
    else if (name === 'impersonate-uid') out.uid = values[0] ?? '';
    else if (name.startsWith('impersonate-extra-')) out.extra[decodeExtraKey(name.slice(18))] = values;
  }
  return found ? out : undefined;
}

/** The headers sent upstream: the client's minus credentials, hop-by-hop and spoofable ones, plus the gateway's own. */
export function buildUpstreamHeaders(client: IncomingHttpHeaders, options: UpstreamHeaderOptions): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const listed = connectionOptions(client['connection']);
  for (const [name, value] of Object.entries(client)) {
    if (value === undefined || isDropped(name) || listed.has(name)) continue;
    if (name.startsWith('impersonate-') && !options.allowClientImpersonation) continue;
    out[name] = value;
  }
  if (options.upgrade) {
    if (client['connection'] !== undefined) out['connection'] = client['connection'];
    if (client['upgrade'] !== undefined) out['upgrade'] = client['upgrade'];
  }
  if (options.accept !== undefined) out['accept'] = options.accept;
  if (options.authorization !== undefined) out['authorization'] = options.authorization;
  if (options.auditID !== undefined) out['audit-id'] = options.auditID;
  out['x-forwarded-for'] = options.clientAddress;
  if (options.impersonate !== undefined) {
    for (const name of Object.keys(out)) if (name.startsWith('impersonate-')) delete out[name];
    out['impersonate-user'] = options.impersonate.user;
    if (options.impersonate.groups.length > 0) out['impersonate-group'] = options.impersonate.groups;
    for (const [key, values] of Object.entries(options.impersonate.extra)) {
      out[`impersonate-extra-${encodeURIComponent(key).toLowerCase()}`] = values;
    }
  }
  return out;
}

/**
 * The same headers fit for an HTTP/2 stream: every connection-specific header (RFC 9113 §8.2.2) removed, with the
 * ones `Connection` names, and `TE` kept only as `trailers`; Node's HTTP/2 client throws on any of them.
 */
export function toHttp2Headers(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
  const listed = connectionOptions(headers['connection'] as string | string[] | undefined);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || HTTP2_FORBIDDEN.has(lower) || listed.has(lower) || lower.startsWith(':')) continue;
    if (lower === 'te' && String(value).trim().toLowerCase() !== 'trailers') continue;
    out[lower] = value;
  }
  return out;
}
