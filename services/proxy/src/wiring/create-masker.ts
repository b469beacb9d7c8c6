import type { Transform } from 'node:stream';
import type { Masker } from '../forward/exchange-deps.js';
import { createWatchMaskingTransform, defaultSecretPatterns, maskKubernetesObject, type SecretPattern } from '../masking/index.js';

/** The exchange handlers' {@link Masker}, backed by masking/ with the gateway's HMAC key and secret patterns. */
export function createMasker(key: Buffer, patterns: readonly SecretPattern[] = defaultSecretPatterns()): Masker {
  const audit = { key, patterns };
  const caller = { key, patterns, encodeBinaryMarkers: true };
  return {
    maskObject(object: unknown, resource: string | undefined, forCaller = false) {
      const result = maskKubernetesObject(object, { ...(forCaller ? caller : audit), resourceHint: resource });
      return { object: result.object, maskedPaths: result.maskedPaths };
    },
    watchTransform(resource: string | undefined, onMaskedPaths?: (paths: string[]) => void): Transform {
      return createWatchMaskingTransform({
        ...caller, resourceHint: resource,
        ...(onMaskedPaths === undefined ? {} : { onEvent: (info: { maskedPaths: string[] }) => { if (info.maskedPaths.length > 0) onMaskedPaths(info.maskedPaths); } }),
      });
    },
  };
}
