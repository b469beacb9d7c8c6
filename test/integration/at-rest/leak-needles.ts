/**
 * The forms in which a Secret value would show if it leaked into an audit record or a document: the value itself
 * (plain and JSON-escaped), its base64 (whole, and inside a longer base64 run at each of the three alignments), and,
 * for values too short to be told apart from ordinary text, the key/value pair as JSON (plain and as an escaped
 * string inside another JSON string).
 */

/** One Secret value and the key it was stored under. */
export interface SecretValue { readonly key: string; readonly value: string }

/** A form to look for, and what it stands for. */
export interface Needle { readonly text: string; readonly form: string; readonly secret: SecretValue }

/** Values at least this long are looked for anywhere; shorter ones as their key/value pair. */
export const MIN_FREE_LENGTH = 8;

/** Base64 fragments any base64 encoding of a text containing `text` must contain, at each alignment. */
export function base64Fragments(text: string): string[] {
  return [0, 1, 2].map((shift) => {
    const encoded = Buffer.from('x'.repeat(shift) + text).toString('base64');
    const start = Math.ceil((shift * 4) / 3) + 1;
    return encoded.slice(start, Math.floor(((shift + Buffer.byteLength(text)) * 4) / 3) - 1);
  }).filter((f) => f.length >= 6);
}

/** Every needle of `secret`. */
export function leakNeedles(secret: SecretValue): Needle[] {
  const { key, value } = secret;
  const b64 = Buffer.from(value).toString('base64');
  const out: Array<[string, string]> = [];
  const pair = (v: string): string => `${JSON.stringify(key)}:${JSON.stringify(v)}`;
  const escaped = (s: string): string => JSON.stringify(s).slice(1, -1);
  out.push(['key/value', pair(value)], ['key/base64', pair(b64)], ['escaped key/value', escaped(pair(value))], ['escaped key/base64', escaped(pair(b64))]);
  if (value.length >= MIN_FREE_LENGTH) {
    out.push(['plain', value], ['json-escaped', escaped(value)], ['base64', b64]);
    for (const f of base64Fragments(value)) out.push(['base64 inside', f]);
  }
  const seen = new Set<string>();
  return out.filter(([, text]) => !seen.has(text) && seen.add(text)).map(([form, text]) => ({ text, form, secret }));
}
