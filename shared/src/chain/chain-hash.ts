import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { GatewayEvent } from '../events/gateway-event.js';

/** The `prevHash` of a stream's first event when it has no predecessor to name (64 zeros). */
export const GENESIS_HASH = '0'.repeat(64);

/** A lowercase hex SHA-256. */
export const HASH_PATTERN = /^[0-9a-f]{64}$/;

/**
 * RFC 8785 (JCS) canonical JSON of `value`. A number JSON cannot carry (NaN, Infinity) is canonicalised as the `null`
 * that JSON.stringify, and so the record on Kafka, makes of it: the hash always covers what is stored.
 */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch {
    text = canonicalize(JSON.parse(JSON.stringify(value)) as unknown);
  }
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}

/** Hex SHA-256 of the canonical JSON of `value` (digests of elided fields). */
export function canonicalDigest(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
}

/**
 * The chain hash of an event: hex SHA-256 over the RFC 8785 canonical JSON of the event without `auditgate.chain.hash`
 * (the rest of the chain link, `stream`, `seq` and `prevHash`, is covered). The indexer's `auditgate.enrichment` is
 * never part of a produced event, so it is left out too.
 */
export function chainHash(event: GatewayEvent): string {
  const { chain, enrichment: _enrichment, ...ext } = event.auditgate;
  const hashed = chain === undefined ? ext : { ...ext, chain: { stream: chain.stream, seq: chain.seq, prevHash: chain.prevHash } };
  return canonicalDigest({ ...event, auditgate: hashed });
}
