import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { badRequest } from '../errors/bad-request.js';

/** What a page cursor carries: where the next page starts and what the first page was asked. */
export interface PageCursor {
  /** Which listing made it (`events`, `alerts`, `audit`), so one cannot be replayed on another. */
  readonly kind: string;
  /** Point in time id, when the listing uses one. */
  readonly pit?: string;
  /** `search_after` values of the last hit. */
  readonly after: Array<string | number | boolean | null>;
  /** The resolved range of the first page, so relative ranges do not drift between pages. */
  readonly from?: number;
  readonly to?: number;
  /** Documents returned before this page. */
  readonly seen?: number;
  /** Hash of the other parameters: a cursor is only valid with the same filters. */
  readonly hash: string;
}

/** Stable short hash of request parameters (minus `cursor`, `size` and the range ones). */
export function paramsHash(params: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(params).filter((k) => !['cursor', 'size', 'from', 'to', 'since'].includes(k)).sort();
  return createHash('sha256').update(JSON.stringify(keys.map((k) => [k, params[k]]))).digest('base64url').slice(0, 16);
}

/** Opaque, HMAC-signed base64url cursors; decoding validates the signature, the shape and the listing. */
export interface CursorCodec {
  encode(cursor: PageCursor): string;
  /** The cursor, or a 400 naming `cursor` for anything forged, altered, foreign or malformed. */
  decode(raw: string, kind: string, hash: string): PageCursor;
}

/** A {@link CursorCodec} keyed with `key`. */
export function createCursorCodec(key: string): CursorCodec {
  const sign = (body: string): string => createHmac('sha256', key).update(body).digest('base64url');
  return {
    encode(cursor) {
      const body = Buffer.from(JSON.stringify(cursor)).toString('base64url');
      return `${body}.${sign(body)}`;
    },
    decode(raw, kind, hash) {
      const [body, mac, extra] = raw.split('.');
      if (raw.length > 8192 || body === undefined || mac === undefined || extra !== undefined) throw badRequest('cursor', 'malformed cursor');
      const expected = Buffer.from(sign(body));
      const given = Buffer.from(mac);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw badRequest('cursor', 'the cursor was altered or is not ours');
      let c: PageCursor;
      try { c = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as PageCursor; } catch { throw badRequest('cursor', 'malformed cursor'); }
      const scalar = (v: unknown): boolean => v === null || ['string', 'number', 'boolean'].includes(typeof v);
      if (typeof c !== 'object' || c === null || c.kind !== kind || !Array.isArray(c.after) || !c.after.every(scalar)
        || (c.pit !== undefined && typeof c.pit !== 'string')) throw badRequest('cursor', `not a cursor of this ${kind} listing`);
      if (c.hash !== hash) throw badRequest('cursor', 'the cursor belongs to a request with other filters');
      return c;
    },
  };
}
