import { createHash, createHmac } from 'node:crypto';
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

/**
 * Recomputes the SigV4 query signature of a presigned GET `url` by hand (node:crypto only), signing the headers
 * named in X-Amz-SignedHeaders from `headers` (host taken from the URL), with an empty-payload hash.
 */
export function sigV4QuerySignatureByHand(url: URL, headers: Record<string, string>, secretAccessKey: string): string {
  const p = url.searchParams;
  const [, date, region, service] = (p.get('X-Amz-Credential') ?? '').split('/');
  const amzDate = p.get('X-Amz-Date') ?? '';
  const signedHeaders = (p.get('X-Amz-SignedHeaders') ?? '').split(';');
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const canonicalQuery = [...p.entries()]
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [enc(k), enc(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const all: Record<string, string> = { host: url.host, ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])) };
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${(all[h] ?? '').trim()}\n`).join('');
  const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
  const canonicalRequest = ['GET', url.pathname, canonicalQuery, canonicalHeaders, signedHeaders.join(';'), sha('')].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha(canonicalRequest)].join('\n');
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
  const kSigning = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date ?? ''), region ?? ''), service ?? ''), 'aws4_request');
  return createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex');
}

/** Decodes an EKS token (`k8s-aws-v1.` + unpadded base64url) back to its presigned URL, checking the encoding. */
export function decodeEksToken(token: string): URL {
  const prefix = 'k8s-aws-v1.';
  if (!token.startsWith(prefix)) throw new Error(`not an EKS token: ${token.slice(0, 16)}`);
  const body = token.slice(prefix.length);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) throw new Error('EKS token is not unpadded base64url');
  return new URL(Buffer.from(body, 'base64url').toString('utf8'));
}
