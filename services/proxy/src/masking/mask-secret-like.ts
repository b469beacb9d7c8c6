import { isRecord, mapEntries, updateField, type JsonRecord, type MaskContext } from './mask-context.js';
import { maskNamedBase64, maskNamedText, maskWholeBase64, maskWholeText } from './mask-strings.js';

const VALUE_FIELDS: ReadonlySet<string> = new Set(['data', 'stringdata', 'binarydata']);

/**
 * Masks every value of a Secret's `data` (base64) and `stringData` (text), keeping the key names. Fields that differ
 * from those only in case (`StringData`) are masked too: the API server drops them, but the record would keep them.
 */
export function maskSecretFields(ctx: MaskContext, secret: JsonRecord): JsonRecord {
  let out = updateField(ctx, secret, 'data', (data) =>
    isRecord(data) ? mapEntries(ctx, data, (_k, v) => (typeof v === 'string' ? maskWholeBase64(ctx, v) : v)) : data);
  out = updateField(ctx, out, 'stringData', (data) =>
    isRecord(data) ? mapEntries(ctx, data, (_k, v) => (typeof v === 'string' ? maskWholeText(ctx, v) : v)) : data);
  for (const key of Object.keys(secret)) {
    if (key === 'data' || key === 'stringData' || !VALUE_FIELDS.has(key.toLowerCase())) continue;
    out = updateField(ctx, out, key, (data) =>
      isRecord(data) ? mapEntries(ctx, data, (_k, v) => (typeof v === 'string' ? maskWholeText(ctx, v) : v)) : data);
  }
  return out;
}

/** Masks ConfigMap `data` and `binaryData` values whose key name or content matches a secret pattern. */
export function maskConfigMapFields(ctx: MaskContext, configMap: JsonRecord): JsonRecord {
  const out = updateField(ctx, configMap, 'data', (data) =>
    isRecord(data) ? mapEntries(ctx, data, (k, v) => maskNamedText(ctx, k, v)) : data);
  return updateField(ctx, out, 'binaryData', (data) =>
    isRecord(data) ? mapEntries(ctx, data, (k, v) => maskNamedBase64(ctx, k, v)) : data);
}

/** Masks a TokenRequest's `status.token`: the bearer token the API server issued (serviceaccounts/token). */
export function maskTokenRequestFields(ctx: MaskContext, tokenRequest: JsonRecord): JsonRecord {
  return updateField(ctx, tokenRequest, 'status', (status) =>
    isRecord(status) ? updateField(ctx, status, 'token', (token) => maskToken(ctx, token)) : status);
}

/** Masks a TokenReview's `spec.token`: the bearer token under review (sent by the caller, echoed in the answer). */
export function maskTokenReviewFields(ctx: MaskContext, tokenReview: JsonRecord): JsonRecord {
  return updateField(ctx, tokenReview, 'spec', (spec) =>
    isRecord(spec) ? updateField(ctx, spec, 'token', (token) => maskToken(ctx, token)) : spec);
}

// An empty token (a request's unset status) holds nothing to hide.
function maskToken(ctx: MaskContext, token: unknown): unknown {
  return typeof token === 'string' && token !== '' ? maskWholeText(ctx, token) : token;
}
