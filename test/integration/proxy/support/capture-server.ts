import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';

/** One write request kubectl sent, as received. */
export interface CapturedRequest {
  readonly method: string;
  readonly url: string;
  readonly contentType: string;
  readonly body: Buffer;
  /** The real API server's JSON answer to the same bytes sent as a dry run (its own view of the object). */
  readonly serverView: Record<string, unknown> | undefined;
}

/** A plain-HTTP server that relays kubectl's traffic to the real API server and records every write body. */
export interface CaptureServer {
  readonly url: string;
  readonly captured: CapturedRequest[];
  close(): Promise<void>;
}

interface Upstream {
  readonly url: string;
  readonly token: string;
  readonly ca: Buffer;
}

interface UpstreamAnswer { status: number; headers: IncomingHttpHeaders; body: Buffer }

function send(upstream: Upstream, method: string, path: string, headers: Record<string, string>, body: Buffer): Promise<UpstreamAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(path, upstream.url), {
      method, ca: upstream.ca, headers: { ...headers, authorization: `Bearer ${upstream.token}`, 'content-length': String(body.length) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function forwardable(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['accept', 'content-type', 'user-agent']) {
    const value = headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/** Starts the capture server on an ephemeral port; writes are forced to `dryRun=All` so nothing is persisted. */
export async function startCaptureServer(upstream: Upstream): Promise<CaptureServer> {
  const captured: CapturedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const method = req.method ?? 'GET';
        let path = req.url ?? '/';
        const headers = forwardable(req.headers);
        if (method !== 'GET') {
          const url = new URL(path, 'http://x');
          url.searchParams.set('dryRun', 'All');
          path = url.pathname + url.search;
          const view = await send(upstream, method, path, { ...headers, accept: 'application/json' }, body);
          const serverView = view.status < 300 ? JSON.parse(view.body.toString('utf8')) as Record<string, unknown> : undefined;
          captured.push({ method, url: req.url ?? '/', contentType: req.headers['content-type'] ?? '', body, serverView });
        }
        const answer = await send(upstream, method, path, headers, body);
        const contentType = answer.headers['content-type'];
        res.writeHead(answer.status, contentType === undefined ? {} : { 'content-type': contentType });
        res.end(answer.body);
      })().catch((error: unknown) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    captured,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Writes a kubeconfig (in `dir`) that sends kubectl, with no credentials, to the capture server; returns its path. */
export function writeCaptureKubeconfig(dir: string, url: string, namespace: string): string {
  const path = join(dir, 'kubeconfig');
  writeFileSync(path, [
    'apiVersion: v1', 'kind: Config',
    `clusters: [{name: capture, cluster: {server: "${url}"}}]`,
    'users: [{name: nobody, user: {}}]',
    `contexts: [{name: capture, context: {cluster: capture, user: nobody, namespace: ${namespace}}}]`,
    'current-context: capture', '',
  ].join('\n'));
  return path;
}
