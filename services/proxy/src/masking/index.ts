/** Secret masking for recorded (and, with policy action `mask`, returned) Kubernetes API bodies; JSON only. */
export type { MaskingOptions, MaskRequestOptions, MaskResult, SecretPattern } from './masking-types.js';
export { defaultSecretPatterns } from './default-secret-patterns.js';
export { isMaskMarker, maskBytes, maskValue } from './mask-value.js';
export { maskKubernetesObject } from './mask-kubernetes-object.js';
export { maskJsonBody, type MaskJsonBodyOptions, type MaskJsonBodyResult } from './mask-json-body.js';
export { mayNeedMasking } from './may-need-masking.js';
export { kindForResource } from './resource-kinds.js';
export {
  createWatchMaskingTransform, type WatchEventInfo, type WatchMaskingOptions,
} from './watch-masking-transform.js';
export type { Masker } from './masker.js';
export { createMasker } from './create-masker.js';
export { createJsonObjectSplitter, type JsonObjectSplitter, type JsonObjectSplitterHandlers } from './json-object-splitter.js';
