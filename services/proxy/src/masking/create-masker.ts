import { createSecretKey } from 'node:crypto';
import type { Transform } from 'node:stream';
import { defaultSecretPatterns } from './default-secret-patterns.js';
import { maskKubernetesObject } from './mask-kubernetes-object.js';
import type { Masker } from './masker.js';
import type { SecretPattern } from './masking-types.js';
import { createWatchMaskingTransform } from './watch-masking-transform.js';

/** The exchange handlers' {@link Masker}, with the gateway's HMAC key and secret patterns. */
export function createMasker(rawKey: Buffer, patterns: readonly SecretPattern[] = defaultSecretPatterns()): Masker {
  // Prepared once: a list of Secrets masks thousands of values, and a raw Buffer key is prepared again per HMAC.
  const key = createSecretKey(rawKey);
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
