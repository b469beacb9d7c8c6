/**
 * The parts of Go's `net/url` that the API server's request classification depends on: how a request target is
 * split into path and query (`url.ParseRequestURI`), how escapes are decoded (`url.PathUnescape` /
 * `url.QueryUnescape`, invalid UTF-8 read byte by byte as U+FFFD the way Go's JSON encoder writes it), and how the
 * query is read (`url.ParseQuery`: `&`-separated, pairs with `;` or bad escapes dropped, first value wins).
 */

/** A request target split the way Go's `url.ParseRequestURI` splits it. */
export interface RequestTarget {
  /** The decoded path (`URL.Path`); the raw path when it holds an invalid escape (Go would reject the request). */
  readonly path: string;
  /** The raw query after the first `?` (`URL.RawQuery`), without decoding. */
  readonly rawQuery: string;
}

/** Splits `rawUrl` (origin-form or absolute-form) into its decoded path and raw query, like Go's ParseRequestURI. */
export function parseRequestTarget(rawUrl: string): RequestTarget {
  let start = 0;
  if (rawUrl.charCodeAt(0) !== 0x2f /* / */) start = skipSchemeAndAuthority(rawUrl);
  const q = rawUrl.indexOf('?', start);
  const rawPath = q < 0 ? (start === 0 ? rawUrl : rawUrl.slice(start)) : rawUrl.slice(start, q);
  const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
  const path = goUnescape(rawPath, false) ?? rawPath;
  return { path, rawQuery };
}

/** Index after `scheme://authority` in an absolute-form target, or 0 when `s` has no scheme. */
function skipSchemeAndAuthority(s: string): number {
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const letter = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
    if (letter) continue;
    if (i > 0 && ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e)) continue;
    break;
  }
  if (i === 0 || s.charCodeAt(i) !== 0x3a /* : */) return 0;
  if (s.startsWith('//', i + 1)) {
    let j = i + 3;
    while (j < s.length && s.charCodeAt(j) !== 0x2f && s.charCodeAt(j) !== 0x3f) j++;
    return j;
  }
  return i + 1;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/**
 * Decodes `%XX` escapes (and `+` as space when `query`), like Go's unescape; undefined on an invalid escape.
 * Returns `s` itself when there is nothing to decode.
 */
export function goUnescape(s: string, query: boolean): string | undefined {
  const pct = s.indexOf('%');
  const plus = query ? s.indexOf('+') : -1;
  if (pct < 0 && plus < 0) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 /* % */) {
      const hi = hexValue(s.charCodeAt(i + 1));
      const lo = hexValue(s.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) return undefined;
      bytes.push((hi << 4) | lo);
      i += 2;
    } else if (c === 0x2b /* + */ && query) {
      bytes.push(0x20);
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      const cp = s.codePointAt(i) ?? c;
      if (cp > 0xffff) i++;
      pushUtf8(bytes, cp);
    }
  }
  return decodeUtf8LikeGo(bytes);
}

function pushUtf8(bytes: number[], cp: number): void {
  if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}

const isCont = (b: number | undefined): b is number => b !== undefined && b >= 0x80 && b <= 0xbf;

/** UTF-8 to string as Go's `utf8.DecodeRune` reads it: each byte of an invalid sequence becomes one U+FFFD. */
function decodeUtf8LikeGo(bytes: readonly number[]): string {
  const codes: number[] = [];
  for (let i = 0; i < bytes.length; ) {
    const b0 = bytes[i]!;
    const b1 = bytes[i + 1];
    const b2 = bytes[i + 2];
    const b3 = bytes[i + 3];
    if (b0 < 0x80) {
      codes.push(b0);
      i += 1;
    } else if (b0 >= 0xc2 && b0 <= 0xdf && isCont(b1)) {
      codes.push(((b0 & 0x1f) << 6) | (b1 & 0x3f));
      i += 2;
    } else if (
      b0 >= 0xe0 && b0 <= 0xef && b1 !== undefined && isCont(b2) &&
      b1 >= (b0 === 0xe0 ? 0xa0 : 0x80) && b1 <= (b0 === 0xed ? 0x9f : 0xbf)
    ) {
      codes.push(((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f));
      i += 3;
    } else if (
      b0 >= 0xf0 && b0 <= 0xf4 && b1 !== undefined && isCont(b2) && isCont(b3) &&
      b1 >= (b0 === 0xf0 ? 0x90 : 0x80) && b1 <= (b0 === 0xf4 ? 0x8f : 0xbf)
    ) {
      const cp = (((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f)) - 0x10000;
      codes.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
      i += 4;
    } else {
      codes.push(0xfffd);
      i += 1;
    }
  }
  let out = '';
  for (let i = 0; i < codes.length; i += 4096) out += String.fromCharCode(...codes.slice(i, i + 4096));
  return out;
}

/**
 * Calls `visit(key, value)` for each pair of a raw query in order, both decoded, skipping what Go's
 * `url.ParseQuery` skips (empty pairs, pairs with `;`, pairs with an invalid escape). Stops when `visit` returns true.
 */
export function forEachQueryPair(rawQuery: string, visit: (key: string, value: string) => boolean | void): void {
  let pos = 0;
  while (pos < rawQuery.length) {
    let amp = rawQuery.indexOf('&', pos);
    if (amp < 0) amp = rawQuery.length;
    const pairStart = pos;
    pos = amp + 1;
    if (amp === pairStart) continue;
    const semi = rawQuery.indexOf(';', pairStart);
    if (semi >= 0 && semi < amp) continue;
    const eq = rawQuery.indexOf('=', pairStart);
    const keyEnd = eq >= 0 && eq < amp ? eq : amp;
    const key = goUnescape(rawQuery.slice(pairStart, keyEnd), true);
    if (key === undefined) continue;
    const value = keyEnd === amp ? '' : goUnescape(rawQuery.slice(keyEnd + 1, amp), true);
    if (value === undefined) continue;
    if (visit(key, value) === true) return;
  }
}
