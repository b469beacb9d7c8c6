import { hash } from 'node:crypto';
import type { GatewayEvent } from '../events/gateway-event.js';
import { canonicalJson, quote, serialize, serializeMembers } from './canonical-json.js';
import { nativeCanonicalJson } from './native-canonical.js';

export { canonicalJson, toIJson } from './canonical-json.js';

/** The `prevHash` of a stream's first event when it has no predecessor to name (64 zeros). */
export const GENESIS_HASH = '0'.repeat(64);

/** A lowercase hex SHA-256. */
export const HASH_PATTERN = /^[0-9a-f]{64}$/;

/** Hex SHA-256 of the canonical JSON of `value` (digests of elided fields). */
export function canonicalDigest(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

/** The canonical texts of one linked event (see {@link linkedEventText}). */
export interface LinkedEventText {
  /** What the chain hash covers: the event without `auditgate.chain.hash` (and without `auditgate.enrichment`). */
  readonly hashed: string;
  /** The event's canonical JSON with `auditgate.chain.hash` set to `hash`. */
  withHash(hash: string): string;
}

/** `"key":value` of each member of `record` named in `keys` that has a JSON form. */
function members(record: Record<string, unknown>, keys: readonly string[]): string[] {
  const out: string[] = [];
  for (const key of keys) {
    const value = serialize(record[key]);
    if (value !== undefined) out.push(`${quote(key)}:${value}`);
  }
  return out;
}

/** `keys` sorted, split around `at` (which they do not contain): those before it and those after. */
function around(keys: string[], at: string): [string[], string[]] {
  keys.sort();
  const i = keys.findIndex((k) => k > at);
  return i === -1 ? [keys, []] : [keys.slice(0, i), keys.slice(i)];
}

/**
 * The canonical JSON of an event that carries `auditgate.chain`, built once: the text the chain hash covers, and the
 * same text with the hash added (what is stored). Only the chain object differs between the two, so the event is
 * serialized once for both. `auditgate.enrichment` (the indexer's, never produced) is left out of both.
 */
export function linkedEventText(event: GatewayEvent): LinkedEventText {
  return nativeLinkedEventText(event) ?? serializedLinkedEventText(event);
}

/**
 * {@link linkedEventText} by the native path ({@link nativeCanonicalJson}): the hashed text in one JSON.stringify,
 * and the stored text by splicing `"hash":"…",` in at the start of the chain object (`hash` sorts first in it, so the
 * splice is the canonical text with it). The chain object is found by its text, `"chain":{"prevHash":"<prevHash>",`,
 * which a JSON string cannot hold (its quotes would be escaped): only a member named `chain` holding this link could,
 * so when the text occurs once it is the link's. Undefined when it does not, or when the native path declines the
 * event (the full serializer then decides).
 */
function nativeLinkedEventText(event: GatewayEvent): LinkedEventText | undefined {
  const chain = event.auditgate.chain;
  if (chain === undefined) throw new TypeError('the event has no auditgate.chain');
  const link = { prevHash: chain.prevHash, seq: chain.seq, stream: chain.stream };
  // An undefined member is written as no member at all: `enrichment` is left out without a rest copy.
  const hashed = nativeCanonicalJson({ ...event, auditgate: { ...event.auditgate, chain: link, enrichment: undefined } });
  if (hashed === undefined) return undefined;
  const needle = `"chain":{"prevHash":${JSON.stringify(chain.prevHash)},`;
  const found = hashed.indexOf(needle);
  if (found === -1 || hashed.indexOf(needle, found + 1) !== -1) return undefined;
  const at = found + 9; // after `"chain":{`
  return { hashed, withHash: (hash) => `${hashed.slice(0, at)}"hash":${quote(hash)},${hashed.slice(at)}` };
}

/** {@link linkedEventText} by the full serializer: the event's members around `auditgate.chain`, serialized once. */
function serializedLinkedEventText(event: GatewayEvent): LinkedEventText {
  const { chain, enrichment: _enrichment, ...ext } = event.auditgate;
  if (chain === undefined) throw new TypeError('the event has no auditgate.chain');
  const record = event as unknown as Record<string, unknown>;
  const extRecord = ext as Record<string, unknown>;
  const [topBefore, topAfter] = around(Object.keys(record).filter((k) => k !== 'auditgate'), 'auditgate');
  const [extBefore, extAfter] = around(Object.keys(extRecord), 'chain');
  const lead = (list: string[]): string => (list.length === 0 ? '' : `${list.join(',')},`);
  const trail = (list: string[]): string => (list.length === 0 ? '' : `,${list.join(',')}`);
  const prefix = `{${lead(members(record, topBefore))}"auditgate":{${lead(members(extRecord, extBefore))}"chain":`;
  const suffix = `${trail(members(extRecord, extAfter))}}${trail(members(record, topAfter))}}`;
  const link = { stream: chain.stream, seq: chain.seq, prevHash: chain.prevHash };
  return {
    hashed: prefix + serializeMembers(link, ['prevHash', 'seq', 'stream']) + suffix,
    withHash: (hash) => prefix + serializeMembers({ ...link, hash }, ['hash', 'prevHash', 'seq', 'stream']) + suffix,
  };
}

/**
 * The chain hash of an event: hex SHA-256 over the RFC 8785 canonical JSON of the event without `auditgate.chain.hash`
 * (the rest of the chain link, `stream`, `seq` and `prevHash`, is covered). The indexer's `auditgate.enrichment` is
 * never part of a produced event, so it is left out too.
 */
export function chainHash(event: GatewayEvent): string {
  if (event.auditgate.chain === undefined) {
    const { enrichment: _enrichment, ...ext } = event.auditgate;
    return canonicalDigest({ ...event, auditgate: ext });
  }
  return sha256Hex(linkedEventText(event).hashed);
}

/** Hex SHA-256 of `text` (UTF-8), in one call (no Hash object per event). */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}
