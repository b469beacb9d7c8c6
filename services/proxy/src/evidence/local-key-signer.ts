import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AppError, ErrorCodes } from '@auditgate/shared';
import type { CheckpointSigner } from './checkpoint-signer.js';
import { algOfKey, publicJwkOf } from './public-jwk.js';

/** A signer over a private key held in this process. */
export async function localKeySigner(privateKey: KeyObject): Promise<CheckpointSigner> {
  const alg = algOfKey(privateKey);
  const publicJwk = await publicJwkOf(createPublicKey(privateKey), alg);
  return {
    alg, kid: publicJwk.kid, publicJwk,
    sign: async (input) => (alg === 'EdDSA' ? sign(null, input, privateKey) : sign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' })),
  };
}

/**
 * A signer over the private key in `path`: a PKCS#8 PEM or a private JWK (Ed25519 → EdDSA, P-256 → ES256).
 * Throws `AUDITGATE_E_CONFIG_INVALID` when the file cannot be read or holds another kind of key.
 */
export async function loadLocalKeySigner(path: string): Promise<CheckpointSigner> {
  try {
    const text = readFileSync(path, 'utf8').trim();
    const key = text.startsWith('{')
      ? createPrivateKey({ key: JSON.parse(text) as Record<string, unknown> as never, format: 'jwk' })
      : createPrivateKey(text);
    return await localKeySigner(key);
  } catch (cause) {
    throw new AppError(`the checkpoint key file ${path} is unusable: ${(cause as Error).message}`, { code: ErrorCodes.CONFIG_INVALID, cause });
  }
}

/** A signer over a fresh Ed25519 key that lives as long as the process (when no key is configured). */
export function ephemeralSigner(): Promise<CheckpointSigner> {
  return localKeySigner(generateKeyPairSync('ed25519').privateKey);
}
