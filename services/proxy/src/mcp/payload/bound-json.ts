const TRUNCATED = '…(truncated by auditgate)';

function cut(value: unknown, maxString: number, maxItems: number, depth: number): unknown {
  if (typeof value === 'string') return value.length > maxString ? value.slice(0, maxString) + TRUNCATED : value;
  if (Array.isArray(value)) {
    const items = value.slice(0, maxItems).map((v) => cut(v, maxString, maxItems, depth + 1));
    if (value.length > maxItems) items.push(`${TRUNCATED}: ${value.length - maxItems} more item(s)`);
    return items;
  }
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 32) return TRUNCATED;
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const [k, v] of Object.entries(value)) {
    if (n++ >= maxItems) { out['auditgate.dev/truncated'] = `${Object.keys(value).length - maxItems} more key(s)`; break; }
    out[k] = cut(v, maxString, maxItems, depth + 1);
  }
  return out;
}

/**
 * `value` cut down until its JSON fits in `maxBytes`: long strings and long lists are shortened (marked), halving the
 * allowance each round; what still does not fit becomes `{"auditgate.dev/truncated": true}`.
 */
export function boundJson(value: unknown, maxBytes: number): { value: unknown; truncated: boolean } {
  if (Buffer.byteLength(JSON.stringify(value) ?? 'null') <= maxBytes) return { value, truncated: false };
  for (let maxString = Math.max(64, Math.floor(maxBytes / 4)), maxItems = 256; maxString >= 32; maxString = Math.floor(maxString / 2), maxItems = Math.max(4, Math.floor(maxItems / 2))) {
    const candidate = cut(value, maxString, maxItems, 0);
    if (Buffer.byteLength(JSON.stringify(candidate) ?? 'null') <= maxBytes) return { value: candidate, truncated: true };
  }
  return { value: { 'auditgate.dev/truncated': true }, truncated: true };
}
