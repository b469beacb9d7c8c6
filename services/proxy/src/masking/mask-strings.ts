import { isMaskMarker, maskBytes } from './mask-value.js';
import { recordMasked, type MaskContext } from './mask-context.js';

/** The whole text `value` replaced by its marker (recorded at the current path); markers are left as they are. */
export function maskWholeText(ctx: MaskContext, value: string): string {
  if (isMaskMarker(value)) return value;
  recordMasked(ctx);
  return maskBytes(Buffer.from(value, 'utf8'), ctx.key);
}

/**
 * The whole base64 `value` replaced by the marker of its decoded bytes, so a value correlates across `data` and
 * `stringData`; the marker is itself base64-encoded when `encodeBinaryMarkers` is set.
 */
export function maskWholeBase64(ctx: MaskContext, value: string): string {
  if (isMaskMarker(value)) return value;
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length === 41 && isMaskMarker(bytes.toString('latin1'))) return value;
  recordMasked(ctx);
  const marker = maskBytes(bytes, ctx.key);
  return ctx.encodeBinaryMarkers ? Buffer.from(marker, 'utf8').toString('base64') : marker;
}

/** True when a key-name pattern matches `name` (a ConfigMap key, an env var name, a flag name). */
export function keyLooksSecret(ctx: MaskContext, name: string): boolean {
  for (const p of ctx.keyPatterns) if (name.search(p.regex) !== -1) return true;
  return false;
}

/** True when any value pattern occurs in `text`. */
export function textHasSecret(ctx: MaskContext, text: string): boolean {
  for (const p of ctx.valuePatterns) if (text.search(p.regex) !== -1) return true;
  return false;
}

/** `text` with every value-pattern match masked (only group `secret` when present); the same string if none. */
export function maskSecretsInText(ctx: MaskContext, text: string): string {
  let out = text;
  for (const p of ctx.valuePatterns) {
    if (out.search(p.regex) === -1) continue;
    const re = p.regex.global ? p.regex : new RegExp(p.regex.source, `${p.regex.flags}g`);
    out = out.replace(re, (match: string, ...rest: unknown[]) => {
      const groups = rest[rest.length - 1];
      const secret = typeof groups === 'object' && groups !== null ? (groups as { secret?: unknown }).secret : undefined;
      if (typeof secret !== 'string' || secret.length === 0) return maskBytes(Buffer.from(match, 'utf8'), ctx.key);
      const at = match.lastIndexOf(secret);
      return match.slice(0, at) + maskBytes(Buffer.from(secret, 'utf8'), ctx.key) + match.slice(at + secret.length);
    });
  }
  if (out !== text) recordMasked(ctx);
  return out;
}

/** A text value under `name`: wholly masked when the name looks secret, else pattern matches inside it. */
export function maskNamedText(ctx: MaskContext, name: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return keyLooksSecret(ctx, name) ? maskWholeText(ctx, value) : maskSecretsInText(ctx, value);
}

/** A base64 value under `name`: wholly masked when the name looks secret or its decoded text matches a pattern. */
export function maskNamedBase64(ctx: MaskContext, name: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (keyLooksSecret(ctx, name) || textHasSecret(ctx, Buffer.from(value, 'base64').toString('utf8'))) {
    return maskWholeBase64(ctx, value);
  }
  return value;
}
