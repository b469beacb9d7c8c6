import type { Client } from '@opensearch-project/opensearch';
import { createLogger } from '@auditgate/shared';
import { uniqueName } from '@auditgate/shared/testing';
import { ensureLayout } from '../../../../services/indexer/src/search/ensure-layout.js';

/** Index names of a copy of a run's evidence. */
export interface EvidenceIndices { readonly indexPrefix: string; readonly checkpointsIndex: string }

interface Hit { _id: string; _index: string; _source: Record<string, unknown> }

async function all(os: Client, index: string): Promise<Hit[]> {
  await os.indices.refresh({ index: `${index}-*`, ignore_unavailable: true, allow_no_indices: true });
  const r = await os.search({ index, ignore_unavailable: true, allow_no_indices: true, body: { size: 10_000, query: { match_all: {} } } });
  return r.body.hits.hits as unknown as Hit[];
}

/**
 * Copies every exchange and checkpoint document of `source` into fresh indices with the indexer's own layout (same
 * ids, same daily/monthly suffixes), so each tamper test edits its own copy of one real run.
 */
export async function cloneEvidence(os: Client, source: EvidenceIndices): Promise<EvidenceIndices & { docs: Hit[]; checkpoints: Hit[] }> {
  const base = uniqueName('evidence-copy');
  const target = { indexPrefix: `${base}-events`, checkpointsIndex: `${base}-checkpoints` };
  await ensureLayout(os, { indexPrefix: target.indexPrefix, checkpointsIndex: target.checkpointsIndex, refreshInterval: '1s', shards: 1, replicas: 0, retentionDays: 1 }, createLogger({ name: 'clone', level: 'silent' }));
  const docs = await all(os, source.indexPrefix);
  const checkpoints = await all(os, source.checkpointsIndex);
  const lines: string[] = [];
  const rename = (index: string, from: string, to: string): string => `${to}${index.slice(from.length)}`;
  for (const d of docs) lines.push(JSON.stringify({ index: { _index: rename(d._index, source.indexPrefix, target.indexPrefix), _id: d._id } }), JSON.stringify(d._source));
  for (const c of checkpoints) lines.push(JSON.stringify({ index: { _index: rename(c._index, source.checkpointsIndex, target.checkpointsIndex), _id: c._id } }), JSON.stringify(c._source));
  const r = await os.bulk({ refresh: 'true', body: `${lines.join('\n')}\n` as never });
  if (r.body.errors) throw new Error(`cloning failed: ${JSON.stringify(r.body.items.find((i: Record<string, { error?: unknown }>) => Object.values(i)[0]?.error))}`);
  const copied = (hits: Hit[], from: string, to: string): Hit[] => hits.map((h) => ({ ...h, _index: rename(h._index, from, to) }));
  return { ...target, docs: copied(docs, source.indexPrefix, target.indexPrefix), checkpoints: copied(checkpoints, source.checkpointsIndex, target.checkpointsIndex) };
}

/** Deletes the copies' indices and templates. */
export async function dropEvidence(os: Client, indices: EvidenceIndices): Promise<void> {
  await os.indices.delete({ index: `${indices.indexPrefix}-*,${indices.checkpointsIndex}-*` }).catch(() => undefined);
  await os.indices.deleteIndexTemplate({ name: `${indices.indexPrefix}-template` }).catch(() => undefined);
  await os.indices.deleteIndexTemplate({ name: `${indices.checkpointsIndex}-template` }).catch(() => undefined);
}
