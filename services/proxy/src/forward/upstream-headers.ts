import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** Hop-by-hop headers (RFC 9110 §7.6.1) and everything that carries the caller's credentials or identity claims. */
const DROPPED = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer',
  'transfer-encoding', 'upgrade', 'authorization', 'cookie', 'x-forwarded-for', 'x-forwarded-host',
  'x-forwarded-proto', 'x-real-ip', 'forwarded', 'x-auditgate-on-behalf-of', 'accept-encoding', 'host',
  'x-remote-user', 'x-remote-group',
]);

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
  /** The caller asked for protobuf: ask the API server for JSON so every body can be inspected. */
  readonly forceJson: boolean;
}

/** A percent-encoded extra key; a malformed encoding is kept as sent (the record shows what the client sent). */
function decodeExtraKey(encoded: string): string {
  try { return decodeURIComponent(encoded); } catch { return encoded; }
}

/** Header names a client lists in Connection (RFC 9110 §7.6.1): hop-by-hop for this one message. */
function connectionOptions(value: string | undefined): Set<string> {
  const names = new Set<string>();
  if (value !== undefined) for (const token of value.split(',')) names.add(token.trim().toLowerCase());
  return names;
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
    if (value === undefined || DROPPED.has(name) || listed.has(name)) continue;
    if (name.startsWith('impersonate-') && !options.allowClientImpersonation) continue;
    out[name] = value;
  }
  if (options.upgrade) {
    if (client['connection'] !== undefined) out['connection'] = client['connection'];
    if (client['upgrade'] !== undefined) out['upgrade'] = client['upgrade'];
  }
  if (options.forceJson) {
    out['accept'] = 'application/json';
  }
  if (options.authorization !== undefined) out['authorization'] = options.authorization;
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

/** True when the client asked for protobuf anywhere in Accept. */
export function wantsProtobuf(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('protobuf');
}
