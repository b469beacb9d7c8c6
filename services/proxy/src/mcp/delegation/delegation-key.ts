import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { JWK } from 'jose';
import { AppError, ErrorCodes } from '@auditgate/shared';

/** The key that signs delegated tokens, with its published half. */
export interface DelegationKey {
  readonly alg: 'ES256';
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: JWK & { kid: string };
}

/** RFC 7638 thumbprint of an EC public JWK (SHA-256 of its required members in lexical order, base64url). */
function thumbprint(jwk: JWK): string {
  return createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url');
}

/** A delegation key over an EC P-256 private key (ES256: what MCP servers' OIDC libraries verify by default). */
export function delegationKeyOf(privateKey: KeyObject): DelegationKey {
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`delegation keys must be EC P-256 (ES256), not ${privateKey.asymmetricKeyType ?? 'unknown'}`);
  }
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
  const kid = thumbprint(jwk);
  return { alg: 'ES256', kid, privateKey, publicJwk: { ...jwk, kid, alg: 'ES256', use: 'sig' } };
}

/**
 * The delegation key in `path` (PKCS#8 PEM or private JWK, P-256), or a fresh one for this process when `path` is
 * undefined. Throws `AUDITGATE_E_CONFIG_INVALID` for an unreadable file or another kind of key.
 */
export function loadDelegationKey(path: string | undefined): DelegationKey {
  if (path === undefined) return delegationKeyOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
  try {
    const text = readFileSync(path, 'utf8').trim();
    const key = text.startsWith('{') ? createPrivateKey({ key: JSON.parse(text) as never, format: 'jwk' }) : createPrivateKey(text);
    return delegationKeyOf(key);
  } catch (cause) {
    throw new AppError(`the MCP delegation key file ${path} is unusable: ${(cause as Error).message}`, { code: ErrorCodes.CONFIG_INVALID, cause });
  }
}
