import { isRecord, mapEntries, updateField, type JsonRecord, type MaskContext } from './mask-context.js';
import { maskNamedBase64, maskNamedText, maskWholeBase64, maskWholeText } from './mask-strings.js';

/** Masks every value of a Secret's `data` (base64) and `stringData` (text), keeping the key names. */
export function maskSecretFields(ctx: MaskContext, secret: JsonRecord): JsonRecord {
  let out = updateField(ctx, secret, 'data', (data) =>
    isRecord(data) ? mapEntries(ctx, data, (_k, v) => (typeof v === 'string' ? maskWholeBase64(ctx, v) : v)) : data);
  out = updateField(ctx, out, 'stringData', (data) =>
    isRecord(data) ? mapEntries(ctx, data, (_k, v) => (typeof v === 'string' ? maskWholeText(ctx, v) : v)) : data);
  return out;
}

/** Masks ConfigMap `data` and `binaryData` values whose key name or content matches a secret pattern. */
export function maskConfigMapFields(ctx: MaskContext, configMap: JsonRecord): JsonRecord {
  const out = updateField(ctx, configMap, 'data', (data) =>
    isRecord(data) ? mapEntries(ctx, data, (k, v) => maskNamedText(ctx, k, v)) : data);
  return updateField(ctx, out, 'binaryData', (data) =>
    isRecord(data) ? mapEntries(ctx, data, (k, v) => maskNamedBase64(ctx, k, v)) : data);
}
