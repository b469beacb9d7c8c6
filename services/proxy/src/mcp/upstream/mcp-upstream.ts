import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import type { McpServerConfig } from '../config/mcp-config.js';

/** A request to an MCP server. */
export interface UpstreamRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly headers: OutgoingHttpHeaders;
  readonly body?: Buffer;
  readonly signal: AbortSignal;
}

/** Sends requests to one MCP server over kept-alive connections. */
export interface McpUpstream {
  readonly server: McpServerConfig;
  /** Resolves with the response once its headers arrived; rejects on connection errors and aborts. */
  send(r: UpstreamRequest): Promise<IncomingMessage>;
  close(): void;
}

/** Creates the {@link McpUpstream} of `server` (its `caFile` trusted for https). */
export function createMcpUpstream(server: McpServerConfig): McpUpstream {
  const url = new URL(server.url);
  const https = url.protocol === 'https:';
  const agent = https
    ? new HttpsAgent({ keepAlive: true, ...(server.caFile === undefined ? {} : { ca: readFileSync(server.caFile) }) })
    : new HttpAgent({ keepAlive: true });
  return {
    server,
    send(r) {
      return new Promise((resolve, reject) => {
        const req = (https ? httpsRequest : httpRequest)(url, {
          method: r.method, agent, signal: r.signal,
          headers: { ...r.headers, ...(r.body === undefined ? {} : { 'content-length': String(r.body.length) }) },
        }, resolve);
        req.once('error', reject);
        req.end(r.body);
      });
    },
    close() { agent.destroy(); },
  };
}
