import { createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { AppError, ErrorCodes } from '@auditgate/shared';
import type { CheckpointSigner } from './checkpoint-signer.js';
import { publicJwkOf } from './public-jwk.js';

/** Where the KMS key is. */
export interface KmsSignerOptions {
  /** Key id, ARN or alias of an asymmetric `ECC_NIST_P256` SIGN_VERIFY key. */
  readonly keyId: string;
  readonly region: string;
  /** Another endpoint (a local KMS in tests). */
  readonly endpoint?: string;
  /** A client to use instead of one made from region and endpoint. */
  readonly client?: KMSClient;
}

/** Converts a DER ECDSA signature (SEQUENCE of INTEGER r, s) to the fixed-size r‖s of JWS (RFC 7518 §3.4). */
export function derToJose(der: Uint8Array, size = 32): Buffer {
  const buf = Buffer.from(der);
  let offset = 2;
  if (buf[0] !== 0x30) throw new Error('not a DER ECDSA signature');
  if (buf[1]! & 0x80) offset += buf[1]! & 0x7f;
  const integer = (): Buffer => {
    if (buf[offset] !== 0x02) throw new Error('not a DER ECDSA signature');
    const length = buf[offset + 1]!;
    const value = buf.subarray(offset + 2, offset + 2 + length);
    offset += 2 + length;
    const trimmed = value.subarray(Math.max(0, value.length - size));
    return Buffer.concat([Buffer.alloc(size - trimmed.length), trimmed]);
  };
  return Buffer.concat([integer(), integer()]);
}

/**
 * A signer over an asymmetric AWS KMS key (ES256: `ECC_NIST_P256`, `ECDSA_SHA_256` of the signing input). The private key never leaves KMS; the public key is read once with GetPublicKey.
 */
export async function createKmsSigner(options: KmsSignerOptions): Promise<CheckpointSigner> {
  const client = options.client ?? new KMSClient({ region: options.region, ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }) });
  const fail = (what: string, cause?: unknown): AppError => new AppError(`KMS checkpoint key ${options.keyId}: ${what}`, {
    code: ErrorCodes.CONFIG_INVALID, retriable: cause !== undefined, ...(cause === undefined ? {} : { cause }),
  });
  let described;
  try { described = await client.send(new GetPublicKeyCommand({ KeyId: options.keyId })); } catch (cause) { throw fail(`GetPublicKey failed: ${(cause as Error).message}`, cause); }
  const spec = described.KeySpec ?? described.CustomerMasterKeySpec;
  if (spec !== 'ECC_NIST_P256') throw fail(`key spec ${String(spec)} is not ECC_NIST_P256`);
  if (described.KeyUsage !== undefined && described.KeyUsage !== 'SIGN_VERIFY') throw fail(`key usage ${described.KeyUsage} is not SIGN_VERIFY`);
  if (described.PublicKey === undefined) throw fail('GetPublicKey returned no key');
  const publicJwk = await publicJwkOf(createPublicKey({ key: Buffer.from(described.PublicKey), format: 'der', type: 'spki' }), 'ES256');
  const keyId = described.KeyId ?? options.keyId;
  return {
    alg: 'ES256', kid: publicJwk.kid, publicJwk,
    async sign(input) {
      // RAW (KMS hashes the input): a checkpoint's signing input is far below RAW's 4096-byte limit, and moto's KMS
      // hashes a DIGEST message a second time, so DIGEST would verify against AWS and not against the test stack.
      if (input.length > 4096) throw new AppError('checkpoint signing input exceeds KMS RAW limit', { code: ErrorCodes.INTERNAL });
      try {
        const out = await client.send(new SignCommand({ KeyId: keyId, Message: input, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }));
        if (out.Signature === undefined) throw new Error('KMS returned no signature');
        return derToJose(out.Signature);
      } catch (cause) {
        throw new AppError(`KMS could not sign a checkpoint: ${(cause as Error).message}`, { code: ErrorCodes.INTERNAL, retriable: true, cause });
      }
    },
  };
}
