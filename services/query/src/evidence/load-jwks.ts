import { readFile } from 'node:fs/promises';
import type { JSONWebKeySet, JWK } from 'jose';
import { AppError, ErrorCodes } from '@auditgate/shared';

/**
 * The union of the key sets at `locations`: files holding a JWKS (`{ "keys": [...] }`) or one JWK, or http(s) URLs of a
 * JWKS (a gateway's `/.well-known/jwks.json`). Throws `AUDITGATE_E_CONFIG_INVALID` naming the location that failed.
 */
export async function loadJwks(locations: readonly string[], fetchFn: typeof fetch = fetch): Promise<JSONWebKeySet> {
  const keys: JWK[] = [];
  for (const location of locations) {
    try {
      const text = /^https?:\/\//.test(location)
        ? await (async () => { const res = await fetchFn(location, { signal: AbortSignal.timeout(10_000) }); if (!res.ok) throw new Error(`HTTP ${res.status}`); return res.text(); })()
        : await readFile(location, 'utf8');
      const parsed = JSON.parse(text) as { keys?: JWK[] } & JWK;
      const found = Array.isArray(parsed.keys) ? parsed.keys : [parsed];
      for (const k of found) {
        if (typeof k.kty !== 'string') throw new Error('a key has no kty');
        // Only public members are kept: a private JWK handed over by mistake must not travel further.
        const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicPart } = k;
        keys.push(publicPart);
      }
    } catch (cause) {
      throw new AppError(`checkpoint keys at ${location} are unusable: ${(cause as Error).message}`, { code: ErrorCodes.CONFIG_INVALID, status: 503, retriable: true, cause });
    }
  }
  return { keys };
}
