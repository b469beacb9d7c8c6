import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

const MAX_HEADER_VALUE = 512;

/** One request header, first value, cut to 512 characters. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.slice(0, MAX_HEADER_VALUE);
}

/** Reads a body of at most `max` bytes; `too-large` (and the rest discarded) beyond. */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) { over = true; chunks.length = 0; return; }
      if (!over) chunks.push(chunk);
    });
    req.once('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** Answers `status` with `body` (JSON bytes) unless the response already started. */
export function sendJson(res: ServerResponse, status: number, body: Buffer | Record<string, unknown>, headers: OutgoingHttpHeaders = {}): void {
  if (res.headersSent || res.destroyed) { if (!res.writableEnded) res.end(); return; }
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': String(bytes.length), 'cache-control': 'no-store' });
  res.end(bytes);
}

/** Answers `status` without a body. */
export function sendEmpty(res: ServerResponse, status: number, headers: OutgoingHttpHeaders = {}): void {
  if (res.headersSent || res.destroyed) { if (!res.writableEnded) res.end(); return; }
  res.writeHead(status, { ...headers, 'content-length': '0' });
  res.end();
}

/** The headers of an MCP server's answer the client gets (media type, session, caching). */
export function relayedHeaders(upstream: IncomingMessage): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name of ['content-type', 'mcp-session-id', 'cache-control']) {
    const v = upstream.headers[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}
