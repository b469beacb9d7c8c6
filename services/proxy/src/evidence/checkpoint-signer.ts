import { CHECKPOINT_TYP, type Checkpoint } from '@auditgate/shared';
import type { JWK } from 'jose';

/** JWS algorithms a checkpoint may be signed with. */
export type CheckpointAlg = 'EdDSA' | 'ES256';

/** Signs checkpoints; implementations keep the private key (a local key file, an AWS KMS key). */
export interface CheckpointSigner {
  readonly alg: CheckpointAlg;
  /** Key id: the RFC 7638 thumbprint of the public key, named in every JWS header. */
  readonly kid: string;
  /** The public key as a JWK with `kid`, `alg` and `use: sig`, for the published JWKS. */
  readonly publicJwk: JWK;
  /** Signs the JWS signing input; resolves with the raw JWS signature (Ed25519, or ES256 r‖s). */
  sign(signingInput: Uint8Array): Promise<Uint8Array>;
}

const b64u = (data: Uint8Array | string): string => Buffer.from(data).toString('base64url');

/** The compact JWS of `checkpoint` signed by `signer` (header: alg, kid, typ). */
export async function signCheckpoint(signer: CheckpointSigner, checkpoint: Checkpoint): Promise<string> {
  const input = `${b64u(JSON.stringify({ alg: signer.alg, kid: signer.kid, typ: CHECKPOINT_TYP }))}.${b64u(JSON.stringify(checkpoint))}`;
  const signature = await signer.sign(Buffer.from(input, 'ascii'));
  return `${input}.${b64u(signature)}`;
}
