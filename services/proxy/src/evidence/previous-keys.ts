import { createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { JWK } from 'jose';
import { AppError, ErrorCodes } from '@auditgate/shared';
import { algOfKey, publicJwkOf } from './public-jwk.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'] as const;

/**
 * The retired checkpoint public keys in the JWKS file at `path` (`{ "keys": [...] }`, or one JWK): each an Ed25519 or
 * P-256 public key, published as the current key is (`alg`, `use`), keeping its `kid` (else its RFC 7638 thumbprint,
 * the kid the gateway signs with). Throws `AUDITGATE_E_CONFIG_INVALID` for an unreadable file, a key of another kind,
 * or a private key (it would be published).
 */
export async function loadPreviousKeys(path: string): Promise<Array<JWK & { kid: string }>> {
  const invalid = (why: string, cause?: unknown): AppError => new AppError(`PROXY_CHECKPOINT_PREVIOUS_JWKS (${path}): ${why}`, {
    code: ErrorCodes.CONFIG_INVALID, status: 500, ...(cause === undefined ? {} : { cause }),
  });
  let parsed: { keys?: unknown } & Record<string, unknown>;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8')) as typeof parsed;
  } catch (cause) {
    throw invalid(`not a readable JSON file: ${(cause as Error).message}`, cause);
  }
  const listed = Array.isArray(parsed.keys) ? parsed.keys as unknown[] : [parsed];
  const out: Array<JWK & { kid: string }> = [];
  for (const [i, raw] of listed.entries()) {
    if (typeof raw !== 'object' || raw === null) throw invalid(`key ${i} is not a JWK`);
    const jwk = raw as JWK;
    if (PRIVATE_MEMBERS.some((m) => m in jwk)) throw invalid(`key ${i}${jwk.kid === undefined ? '' : ` (${jwk.kid})`} is a private key: only public keys may be published`);
    let published: JWK & { kid: string };
    try {
      const key = createPublicKey({ key: jwk as never, format: 'jwk' });
      published = await publicJwkOf(key, algOfKey(key));
    } catch (cause) {
      throw invalid(`key ${i} is not an Ed25519 or P-256 public key: ${(cause as Error).message}`, cause);
    }
    out.push({ ...published, ...(typeof jwk.kid === 'string' && jwk.kid !== '' ? { kid: jwk.kid } : {}) });
  }
  return out;
}
