import type { Logger } from '@auditgate/shared';
import type { CheckpointSignerConfig } from '../config/proxy-config.js';
import type { CheckpointSigner } from './checkpoint-signer.js';
import { createKmsSigner } from './kms-signer.js';
import { ephemeralSigner, loadLocalKeySigner } from './local-key-signer.js';

/** The configured checkpoint signer: a KMS key, a key file, or (with a warning) a key that lives as long as the process. */
export async function createCheckpointSigner(config: CheckpointSignerConfig, logger: Logger): Promise<CheckpointSigner> {
  if (config.kind === 'kms') {
    return createKmsSigner({ keyId: config.keyId, region: config.region, ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }) });
  }
  if (config.keyFile !== undefined) return loadLocalKeySigner(config.keyFile);
  const signer = await ephemeralSigner();
  logger.warn({ kid: signer.kid }, 'checkpoints are signed with a key made at start (no PROXY_CHECKPOINT_KEY_FILE or KMS key): '
    + "they verify only against this process's JWKS; configure a key for evidence that outlives the process");
  return signer;
}
