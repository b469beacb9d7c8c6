import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { request as httpRequest, Agent as HttpAgent } from 'node:http';
import type { Logger } from '@auditgate/shared';
import type { UpstreamCredentials } from './upstream-credentials.js';
import { Http2StreamPool } from './http2-stream-pool.js';
import { guardIdleSockets } from './answer-fit.js';

/** The forwarding agent and upstream request function for the configured API server. */
export interface UpstreamClient {
  readonly request: typeof httpsRequest;
  readonly agent: HttpsAgent | HttpAgent;
  readonly host: string;
  readonly port: number;
  /** Multiplexed HTTP/2 connections for watches and followed logs (HTTPS upstreams only). */
  readonly http2: Http2StreamPool | undefined;
  /** Closes every upstream connection. */
  close(): void;
}

/** Options of {@link createUpstreamClient}. */
export interface UpstreamClientOptions {
  /** Carry long-running reads over HTTP/2 (0 = never); the value caps streams per connection. */
  readonly http2StreamsPerConnection: number;
}

/** What {@link createUpstreamClient} needs: the API server, and where to say that a pooled connection was dropped. */
export interface UpstreamClientDeps {
  readonly upstream: Pick<UpstreamCredentials, 'target'>;
  readonly logger?: Pick<Logger, 'warn'>;
}

/**
 * Creates one keep-alive connection pool toward the API server, plus an HTTP/2 pool for long-running reads. A pooled
 * connection that receives bytes while idle is destroyed, never read as the next request's answer.
 */
export function createUpstreamClient(deps: UpstreamClientDeps, options: UpstreamClientOptions): UpstreamClient {
  const target = deps.upstream.target();
  const secure = target.server.protocol === 'https:';
  const tls = {
    ...(target.tls.ca === undefined ? {} : { ca: target.tls.ca }),
    ...(target.tls.cert === undefined ? {} : { cert: target.tls.cert }),
    ...(target.tls.key === undefined ? {} : { key: target.tls.key }),
    rejectUnauthorized: target.tls.rejectUnauthorized,
    ...(target.tls.servername === undefined ? {} : { servername: target.tls.servername }),
  };
  const agent = secure
    ? new HttpsAgent({ keepAlive: true, maxFreeSockets: 256, scheduling: 'lifo', ...tls })
    : new HttpAgent({ keepAlive: true, maxFreeSockets: 256, scheduling: 'lifo' });
  guardIdleSockets(agent, (reason) => deps.logger?.warn({ reason }, 'dropped an upstream connection that did not keep to its exchanges'));
  const http2 = secure && options.http2StreamsPerConnection > 0
    ? new Http2StreamPool({ origin: target.server.origin, tls, maxStreamsPerSession: options.http2StreamsPerConnection })
    : undefined;
  return {
    request: (secure ? httpsRequest : httpRequest) as typeof httpsRequest,
    agent,
    host: target.server.hostname,
    port: Number(target.server.port) || (secure ? 443 : 80),
    http2,
    close() { agent.destroy(); http2?.close(); },
  };
}
