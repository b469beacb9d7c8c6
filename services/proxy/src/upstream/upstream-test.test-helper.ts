import https from 'node:https';
import { open, stat } from 'node:fs/promises';
import type { UpstreamCredentials } from './upstream-credentials.js';

/** The answer of {@link upstreamGet}. */
export interface UpstreamAnswer { status: number; body: string }

/** GETs `path` on the credentials' API server with node:https, its TLS settings and Authorization header. */
export async function upstreamGet(creds: UpstreamCredentials, path: string, userAgent: string): Promise<UpstreamAnswer> {
  const { server, tls } = creds.target();
  const authorization = await creds.authorization();
  const agent = new https.Agent({ ...tls, keepAlive: false });
  try {
    return await new Promise<UpstreamAnswer>((resolve, reject) => {
      const req = https.request(new URL(path, server), {
        agent,
        headers: { 'user-agent': userAgent, accept: 'application/json', ...(authorization ? { authorization } : {}) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  } finally {
    agent.destroy();
  }
}

/** The current size of a file, to read only what is appended after it. */
export async function fileSize(file: string): Promise<number> {
  return (await stat(file)).size;
}

/** One API-server audit event, as far as these tests look at it. */
export interface KubeAuditEvent { stage: string; requestURI: string; userAgent?: string; user: { username: string; groups?: string[] } }

/** The audit events appended to the API server's JSONL audit log since byte `offset`. */
export async function auditEventsSince(file: string, offset: number): Promise<KubeAuditEvent[]> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.max(size - offset, 0));
    await handle.read(buffer, 0, buffer.length, offset);
    return buffer.toString('utf8').split('\n').filter((l) => l.startsWith('{')).flatMap((line) => {
      try {
        return [JSON.parse(line) as KubeAuditEvent];
      } catch {
        return []; // a line still being written
      }
    });
  } finally {
    await handle.close();
  }
}
