import { connect, type ClientHttp2Session, type ClientHttp2Stream, type OutgoingHttpHeaders as Http2Headers } from 'node:http2';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { toHttp2Headers } from './upstream-headers.js';

/** TLS settings of the upstream connection (as the HTTP/1 agent has them). */
export interface Http2TlsOptions {
  readonly ca?: string | Buffer | undefined;
  readonly cert?: string | Buffer | undefined;
  readonly key?: string | Buffer | undefined;
  readonly rejectUnauthorized: boolean;
  readonly servername?: string | undefined;
}

/** Settings of an {@link Http2StreamPool}. */
export interface Http2StreamPoolOptions {
  /** `https://host:port` of the API server. */
  readonly origin: string;
  readonly tls: Http2TlsOptions;
  /** Streams per connection at most (the server's own limit applies when lower). */
  readonly maxStreamsPerSession: number;
  /** How long an upstream without HTTP/2 is served over HTTP/1 before HTTP/2 is tried again. */
  readonly retryAfterMs?: number;
  readonly now?: () => number;
}

/** One response from the pool: status, headers (pseudo-headers removed) and the body stream. */
export interface Http2UpstreamResponse {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Readable;
}

interface PooledSession { readonly session: ClientHttp2Session; active: number }

/** Whether `error` (or its cause) says the server does not speak HTTP/2: no h2 in ALPN. */
function saysNoHttp2(error: unknown): boolean {
  for (let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e !== undefined && e !== null && depth < 4; e = e.cause as typeof e, depth += 1) {
    if (/APPLICATION_PROTOCOL/i.test(`${String(e.code)} ${String(e.message)}`)) return true;
  }
  return false;
}

/**
 * Multiplexes long-running upstream requests (watches, followed logs) over a few HTTP/2 connections, as client-go
 * does, instead of one TLS connection each: a thousand open watches then cost the gateway a handful of upstream
 * sockets. `request` returns undefined while the upstream is known not to speak HTTP/2, so callers fall back to HTTP/1.
 */
export class Http2StreamPool {
  private readonly sessions: PooledSession[] = [];
  private unavailableUntil = 0;
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly o: Http2StreamPoolOptions) { this.now = o.now ?? Date.now; }

  /** Whether a request would be tried over HTTP/2 now. */
  usable(): boolean { return !this.closed && this.now() >= this.unavailableUntil; }

  /**
   * Sends a bodiless request; `onResponse` gets the response, `onError` a failure before it (the caller answers the
   * client then). Returns the stream, so the caller can cancel it when the client goes away. Throws synchronously when
   * Node refuses the headers; the caller turns that into a Status answer.
   */
  request(method: string, path: string, headers: OutgoingHttpHeaders,
    onResponse: (response: Http2UpstreamResponse) => void, onError: (error: Error) => void): ClientHttp2Stream {
    const pooled = this.pick();
    const h2: Http2Headers = { ...toHttp2Headers(headers), ':method': method, ':path': path };
    // Node validates headers synchronously and throws; such a request fails alone instead of taking the process down.
    const stream = pooled.session.request(h2, { endStream: true });
    pooled.active += 1;
    stream.once('close', () => { pooled.active -= 1; });
    let answered = false;
    stream.once('response', (raw) => {
      answered = true;
      const out: IncomingHttpHeaders = {};
      for (const [name, value] of Object.entries(raw)) if (!name.startsWith(':') && value !== undefined) out[name] = value as string;
      onResponse({ statusCode: Number(raw[':status'] ?? 502), headers: out, body: stream });
    });
    stream.on('error', (error) => {
      if (saysNoHttp2(error)) this.markNoHttp2();
      if (!answered) { answered = true; onError(error); }
    });
    stream.once('close', () => {
      if (!answered) { answered = true; onError(new Error(`the upstream HTTP/2 stream closed before a response (code ${stream.rstCode ?? 'none'})`)); }
    });
    return stream;
  }

  /** Closes every connection; open streams end. Safe to call twice. */
  close(): void {
    this.closed = true;
    for (const { session } of this.sessions.splice(0)) session.destroy();
  }

  private markNoHttp2(): void { this.unavailableUntil = this.now() + (this.o.retryAfterMs ?? 60_000); }

  private pick(): PooledSession {
    for (const pooled of this.sessions) {
      const { session } = pooled;
      if (session.closed || session.destroyed) continue;
      const serverLimit = session.remoteSettings.maxConcurrentStreams ?? this.o.maxStreamsPerSession;
      if (pooled.active < Math.min(this.o.maxStreamsPerSession, serverLimit)) return pooled;
    }
    return this.open();
  }

  private open(): PooledSession {
    const { tls } = this.o;
    const session = connect(this.o.origin, {
      ALPNProtocols: ['h2'],
      rejectUnauthorized: tls.rejectUnauthorized,
      ...(tls.ca === undefined ? {} : { ca: tls.ca }),
      ...(tls.cert === undefined ? {} : { cert: tls.cert }),
      ...(tls.key === undefined ? {} : { key: tls.key }),
      ...(tls.servername === undefined ? {} : { servername: tls.servername }),
    });
    const pooled: PooledSession = { session, active: 0 };
    this.sessions.push(pooled);
    const forget = (): void => {
      const i = this.sessions.indexOf(pooled);
      if (i !== -1) this.sessions.splice(i, 1);
    };
    session.on('connect', () => {
      // A server without h2 in ALPN: fall back to HTTP/1 for a while rather than fail every watch.
      if (session.alpnProtocol !== 'h2') { this.markNoHttp2(); session.destroy(); }
    });
    session.on('error', (error: NodeJS.ErrnoException) => {
      if (saysNoHttp2(error)) this.markNoHttp2();
      forget();
    });
    session.on('goaway', forget);
    session.on('close', forget);
    // Idle sessions must not keep the process alive at shutdown; open streams keep it busy anyway.
    session.unref();
    return pooled;
  }
}
