import { randomUUID } from 'node:crypto';
import { GATEWAY_OWN_AUDIT_ID_PREFIX, GATEWAY_OWN_USER_AGENT } from '../kube/gateway-own-calls.js';
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { AppError } from '../errors/app-error.js';
import { ErrorCodes } from '../errors/codes.js';
import type { ApiServerConnection } from '../kube/api-server-connection.js';

/** What {@link IssuerFetch.fetch} accepts: the subset of `RequestInit` that discovery, JWKS and TokenReview use. */
export interface IssuerRequestInit {
  method?: 'GET' | 'POST';
  headers?: Headers | Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  redirect?: 'manual' | 'error';
}

/** A small fetch for one issuer or API server, with its own trust, a hard timeout and a bounded answer. */
export interface IssuerFetch {
  /** Fetches `url` without following redirects; aborts after the configured timeout or when `init.signal` aborts. */
  fetch(url: string, init?: IssuerRequestInit): Promise<Response>;
  /** Closes the connection pool; safe to call twice. */
  close(): Promise<void>;
}

/** Options for {@link createIssuerFetch}. */
export interface IssuerFetchOptions {
  /** PEM file whose certificates replace the default trust store; the issuer must then use https. */
  caFile?: string;
  /**
   * An API server reached with its own TLS settings and credentials (`Authorization` on every request); only URLs on
   * that server are fetched, so its credentials never leave for another host.
   */
  apiServer?: ApiServerConnection;
  timeoutMs: number;
  /** Largest answer body accepted, in bytes (default 1 MiB). */
  maxBytes?: number;
  /** Transport when there is neither `caFile` nor `apiServer` (tests); node:http(s) with own agents when omitted. */
  baseFetch?: typeof fetch;
}

const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * Builds the transport of one issuer. With `apiServer`: that server's CA, client certificate and `Authorization`, for
 * URLs under its address only. With `caFile`: those CAs only, https only. Otherwise `baseFetch`, or node's default
 * trust. Every answer is read whole up to `maxBytes` (larger answers fail), and redirects are never followed.
 */
export function createIssuerFetch(options: IssuerFetchOptions): IssuerFetch {
  const { timeoutMs, apiServer, baseFetch } = options;
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  let ca: string | undefined;
  if (options.caFile !== undefined) {
    try {
      ca = readFileSync(options.caFile, 'utf8');
    } catch (cause) {
      throw new AppError(`cannot read issuer CA file ${options.caFile}`, { code: ErrorCodes.CONFIG_INVALID, cause });
    }
  }
  const target = apiServer?.target();
  const tls = target === undefined ? (ca === undefined ? {} : { ca }) : target.tls;
  const useNode = target !== undefined || ca !== undefined || baseFetch === undefined;
  const agents = useNode ? {
    https: new HttpsAgent({ keepAlive: true, maxSockets: 4, timeout: timeoutMs, ...tls }),
    http: new HttpAgent({ keepAlive: true, maxSockets: 4, timeout: timeoutMs }),
  } : undefined;
  const base = target === undefined ? undefined : target.server.href.endsWith('/') ? target.server.href : `${target.server.href}/`;
  let closed = false;

  async function viaNode(url: URL, init: IssuerRequestInit, signal: AbortSignal): Promise<Response> {
    if (base !== undefined && !(url.href.startsWith(base) && url.origin === target!.server.origin)) {
      throw new Error(`${url.href} is not on the API server ${target!.server.origin}; its credentials go nowhere else`);
    }
    if (ca !== undefined && url.protocol !== 'https:') throw new Error(`${url.href}: an issuer with a CA file must use https`);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`${url.href}: only http(s) is fetched`);
    const headers = Object.fromEntries(new Headers(init.headers));
    if (apiServer !== undefined) {
      const authorization = await apiServer.authorization();
      if (authorization !== undefined) headers['authorization'] = authorization;
      headers['user-agent'] ??= GATEWAY_OWN_USER_AGENT;
      // What no client can send through the gateway: reconcile sets these calls aside by it.
      headers['audit-id'] = `${GATEWAY_OWN_AUDIT_ID_PREFIX}${randomUUID()}`;
    }
    if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Response>((resolve, reject) => {
      const req = request(url, {
        method: init.method ?? 'GET', headers, signal,
        agent: url.protocol === 'https:' ? agents!.https : agents!.http,
        ...(url.protocol === 'https:' ? tls : {}),
      }, (res) => { readAnswer(res, maxBytes).then(resolve, reject); });
      req.on('error', reject);
      req.end(init.body);
    });
  }

  return {
    async fetch(url, init = {}) {
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = init.signal === undefined ? timeout : AbortSignal.any([init.signal, timeout]);
      if (agents !== undefined) return viaNode(new URL(url), init, signal);
      const response = await baseFetch!(url, {
        method: init.method ?? 'GET', headers: Object.fromEntries(new Headers(init.headers)), redirect: init.redirect ?? 'manual', signal,
        ...(init.body === undefined ? {} : { body: init.body }),
      });
      return bounded(response, maxBytes);
    },
    async close() {
      if (closed || agents === undefined) return;
      closed = true;
      agents.https.destroy();
      agents.http.destroy();
    },
  };
}

/** The whole answer as a WHATWG Response, or a rejection once it exceeds `maxBytes`. */
function readAnswer(res: IncomingMessage, maxBytes: number): Promise<Response> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) res.destroy(new Error(`answer larger than ${maxBytes} bytes`));
      else chunks.push(chunk);
    });
    res.on('error', reject);
    res.on('end', () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (typeof value === 'string') headers.set(name, value);
        else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      }
      const status = res.statusCode ?? 502;
      resolve(new Response(NULL_BODY.has(status) ? null : Buffer.concat(chunks), { status, headers }));
    });
  });
}

/** `response` with its body read up to `maxBytes` (a larger body rejects). */
async function bounded(response: Response, maxBytes: number): Promise<Response> {
  if (response.body === null) return response;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new Error(`answer larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return new Response(Buffer.concat(chunks), { status: response.status, headers: response.headers });
}
