import { request } from 'node:https';
import { connect } from 'node:tls';
import { openSync, readSync, closeSync, statSync } from 'node:fs';

/** What the gateway answered to one raw request. */
export interface GatewayAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: Record<string, unknown> | undefined;
  /** The `Audit-Id` the gateway assigned. */
  readonly auditId: string;
}

/** One HTTPS request to the gateway on 127.0.0.1:`port` (self-signed certificate accepted). */
export function gatewayRequest(port: number, options: {
  method?: string; path: string; headers?: Record<string, string | string[]>; body?: Buffer | string; chunked?: boolean;
}): Promise<GatewayAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[] | number> = { ...options.headers };
    if (options.body !== undefined && options.chunked !== true) headers['content-length'] = Buffer.byteLength(options.body);
    const req = request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, rejectUnauthorized: false, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> | undefined;
        try { json = JSON.parse(body) as Record<string, unknown>; } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json, auditId: String(res.headers['audit-id'] ?? '') });
      });
      res.on('error', reject);
    });
    // The gateway may answer (413) before the whole body is sent; a reset of the upload after that is not a failure.
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    if (options.body !== undefined) req.end(options.body); else req.end();
  });
}

/** Writes `head` (request line and headers, CRLF-terminated) on a raw TLS socket and returns the raw answer. */
export function rawTlsExchange(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => socket.write(head));
    let out = '';
    socket.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      // One answer is enough: stop once the declared body is complete.
      const split = out.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: *(\d+)/i.exec(out.slice(0, split))?.[1];
      if (split !== -1 && length !== undefined && Buffer.byteLength(out.slice(split + 4)) >= Number(length)) socket.end();
    });
    socket.on('end', () => resolve(out));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
    socket.setTimeout(20_000, () => socket.destroy(new Error('timeout')));
  });
}

/** Reads the API server's audit log from a byte offset on (the log only grows between the two calls of a test). */
export class ApiServerAuditTail {
  private readonly start: number;
  constructor(private readonly path: string) { this.start = statSync(path).size; }

  /** Events written since construction that match `predicate`. */
  find(predicate: (event: Record<string, unknown>) => boolean): Array<Record<string, unknown>> {
    const size = statSync(this.path).size;
    const from = size < this.start ? 0 : this.start;
    const buffer = Buffer.alloc(size - from);
    const fd = openSync(this.path, 'r');
    try { readSync(fd, buffer, 0, buffer.length, from); } finally { closeSync(fd); }
    const out: Array<Record<string, unknown>> = [];
    for (const line of buffer.toString('utf8').split('\n')) {
      if (line === '') continue;
      try {
        const event = JSON.parse(line) as Record<string, unknown>;
        if (predicate(event)) out.push(event);
      } catch {
        // The last line may still be being written.
      }
    }
    return out;
  }
}
