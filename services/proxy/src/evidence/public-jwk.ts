import type { KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { CheckpointAlg } from './checkpoint-signer.js';

/** The published JWK of a public key: the key's JWK members plus `kid` (its RFC 7638 thumbprint), `alg` and `use`. */
export async function publicJwkOf(publicKey: KeyObject, alg: CheckpointAlg): Promise<JWK & { kid: string }> {
  const jwk = publicKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(jwk, 'sha256');
  return { ...jwk, kid, alg, use: 'sig' };
}

/** The checkpoint algorithm of a key: EdDSA for Ed25519, ES256 for P-256; throws for anything else. */
export function algOfKey(key: KeyObject): CheckpointAlg {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error(`checkpoint keys must be Ed25519 or EC P-256, not ${key.asymmetricKeyType ?? 'unknown'}${key.asymmetricKeyDetails?.namedCurve === undefined ? '' : ` ${key.asymmetricKeyDetails.namedCurve}`}`);
}
