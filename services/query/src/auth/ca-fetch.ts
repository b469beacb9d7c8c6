import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { AppError, ErrorCodes } from '@auditgate/shared';

/** A GET-only `fetch` that trusts only the certificates of `caFile` (for private issuers such as kube-apiserver). */
export function createCaFetch(caFile: string, timeoutMs: number): typeof fetch {
  let ca: string;
  try { ca = readFileSync(caFile, 'utf8'); } catch (cause) {
    throw new AppError(`cannot read issuer CA file ${caFile}`, { code: ErrorCodes.CONFIG_INVALID, cause });
  }
  const caFetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => new Promise((resolve, reject) => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.protocol !== 'https:') { reject(new Error(`${url.href}: an issuer with caFile must use https`)); return; }
    const req = request(url, { method: 'GET', ca, timeout: timeoutMs, headers: { accept: new Headers(init?.headers).get('accept') ?? 'application/json, application/jwk-set+json' }, ...(init?.signal ? { signal: init.signal } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => { size += c.length; if (size > 1024 * 1024) req.destroy(new Error('issuer answer too large')); else chunks.push(c); });
      res.on('end', () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
        resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 502, headers }));
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('issuer request timed out')));
    req.on('error', reject);
    req.end();
  });
  return caFetch as typeof fetch;
}
