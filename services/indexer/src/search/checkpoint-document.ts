import { createHash } from 'node:crypto';
import type { ParsedCheckpoint } from '@auditgate/shared';
import type { PartialDocument } from './build-document.js';

/**
 * The document of one signed checkpoint: its payload fields for search, its header's `kid`/`alg`, and the JWS itself,
 * which is what a verifier checks (the payload fields are a convenience and are compared with it). The id is the
 * JWS's SHA-256, so replays upsert the same document.
 */
export function checkpointDocument(checkpoint: ParsedCheckpoint): { id: string; doc: PartialDocument } {
  const { payload, header } = checkpoint;
  return {
    id: createHash('sha256').update(checkpoint.jws).digest('hex'),
    doc: {
      stream: payload.stream, seq: payload.seq, hash: payload.hash, time: payload.time, count: payload.count,
      intervalMs: payload.intervalMs, final: payload.final === true,
      ...(header.kid === undefined ? {} : { kid: header.kid }), ...(header.alg === undefined ? {} : { alg: header.alg }),
      jws: checkpoint.jws,
    },
  };
}

/** The monthly checkpoint index of a checkpoint signed at `time`. */
export function checkpointIndexFor(prefix: string, time: string): string {
  const d = new Date(Date.parse(time) || 0);
  return `${prefix}-${d.getUTCFullYear()}.${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The index template of the checkpoint indices, with their alias. */
export function checkpointTemplate(prefix: string, o: { shards: number; replicas: number; refreshInterval: string }): Record<string, unknown> {
  const keyword = { type: 'keyword', ignore_above: 1024 };
  return {
    index_patterns: [`${prefix}-*`],
    priority: 200,
    template: {
      settings: { number_of_shards: o.shards, number_of_replicas: o.replicas, refresh_interval: o.refreshInterval },
      mappings: {
        dynamic: 'strict',
        properties: {
          stream: keyword, seq: { type: 'long' }, hash: keyword, time: { type: 'date' }, count: { type: 'long' },
          intervalMs: { type: 'long' }, final: { type: 'boolean' }, kid: keyword, alg: keyword,
          jws: { type: 'keyword', index: false, doc_values: false },
        },
      },
      aliases: { [prefix]: {} },
    },
    _meta: { owner: 'auditgate-indexer', layout: 1 },
  };
}
