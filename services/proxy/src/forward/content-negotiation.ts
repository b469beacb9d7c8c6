import { AppError, ErrorCodes } from '@auditgate/shared';
import type { RequestInfo } from '../classify/index.js';

/** The representation the gateway answers in, made from the JSON it inspected. */
export type AnswerFormat = 'json' | 'yaml';

/** How one request's content is negotiated. */
export type Negotiation =
  /** Ask the API server for `upstreamAccept` (JSON only), inspect the JSON, answer in `answer`. */
  | { readonly kind: 'inspected'; readonly upstreamAccept: string; readonly answer: AnswerFormat }
  /** Not an API object (logs, proxied content, non-resource paths): relayed as it comes, never masked. */
  | { readonly kind: 'passthrough' };

/** Subresources whose body is not an API object: container logs and whatever a proxied pod, service or node answers. */
const OPAQUE_SUBRESOURCES: ReadonlySet<string> = new Set(['log', 'proxy']);

interface MediaRange { readonly type: string; readonly params: ReadonlyArray<readonly [string, string]>; readonly q: number; readonly order: number }

/** Parses an Accept header into media ranges (q=0 dropped), most preferred first. */
export function parseAccept(accept: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  accept.split(',').forEach((part, order) => {
    const [rawType = '', ...rawParams] = part.split(';');
    const type = rawType.trim().toLowerCase();
    if (type === '') return;
    let q = 1;
    const params: Array<[string, string]> = [];
    for (const raw of rawParams) {
      const eq = raw.indexOf('=');
      if (eq === -1) continue;
      const key = raw.slice(0, eq).trim().toLowerCase();
      const value = raw.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (key === 'q') q = Number.isFinite(Number(value)) ? Number(value) : 0;
      else if (/^[a-z0-9._-]{1,32}$/.test(key) && /^[A-Za-z0-9._()-]{0,128}$/.test(value)) params.push([key, value]);
    }
    if (q > 0) ranges.push({ type, params, q, order });
  });
  return ranges.sort((a, b) => b.q - a.q || a.order - b.order);
}

/** JSON and YAML the gateway can produce; `*` ranges mean JSON. Protobuf and CBOR it cannot produce. */
function formatOf(type: string, watch: boolean): AnswerFormat | undefined {
  if (type === 'application/json' || type === '*/*' || type === 'application/*') return 'json';
  if (type === 'application/yaml' && !watch) return 'yaml';
  return undefined;
}

/**
 * Decides what the API server is asked for and what the caller gets. Every resource request whose body is an API
 * object is served from JSON the gateway has parsed, whatever the client's Accept says: YAML, CBOR, protobuf, `Table`
 * and `PartialObjectMetadata` in any encoding become their JSON form upstream (the `as`, `g`, `v` parameters kept),
 * and the caller gets JSON, or YAML made from the (masked) JSON. Throws 406 when the client accepts neither.
 */
export function negotiateContent(info: RequestInfo, accept: string | undefined): Negotiation {
  if (!info.isResourceRequest || OPAQUE_SUBRESOURCES.has(info.subresource)) return { kind: 'passthrough' };
  const watch = info.verb === 'watch';
  const ranges = accept === undefined || accept.trim() === '' ? [] : parseAccept(accept);
  if (ranges.length === 0 && (accept === undefined || accept.trim() === '')) return { kind: 'inspected', upstreamAccept: 'application/json', answer: 'json' };
  let answer: AnswerFormat | undefined;
  const upstream: string[] = [];
  for (const range of ranges) {
    const format = formatOf(range.type, watch);
    if (format === undefined) continue;
    answer ??= format;
    const params = range.params.filter(([key]) => key !== 'stream').map(([key, value]) => `;${key}=${value}`).join('');
    const json = `application/json${params}`;
    if (!upstream.includes(json)) upstream.push(json);
  }
  if (answer === undefined) {
    throw new AppError(`none of the media types in Accept can be served through the gateway (it serves application/json${watch ? '' : ' and application/yaml'})`, {
      code: ErrorCodes.NOT_ACCEPTABLE, status: 406,
    });
  }
  return { kind: 'inspected', upstreamAccept: upstream.join(','), answer };
}
