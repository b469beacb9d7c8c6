import type { Client } from '@opensearch-project/opensearch';
import { AppError, ErrorCodes, parseCheckpointJws } from '@auditgate/shared';
import type { StoredCheckpoint } from './check-checkpoints.js';
import { recordsFromDocument, type DocumentHit } from './records-from-document.js';
import type { ChainedRecord, Problem } from './verify-types.js';

/** Where the evidence is in OpenSearch, and the window. */
export interface OpenSearchEvidenceOptions {
  readonly client: Client;
  /** Alias (or prefix) of the exchange documents. */
  readonly eventsIndex: string;
  /** Alias (or prefix) of the checkpoint documents. */
  readonly checkpointsIndex: string;
  readonly from: number;
  readonly to: number;
  /** How far before and after the window checkpoints are read (at least twice the checkpoint interval). */
  readonly slackMs: number;
  /** Documents read per request (default 2000). */
  readonly pageSize?: number;
  /** Refuse (413) a window holding more exchange documents than this: verification holds them all in memory. */
  readonly maxDocuments?: number;
}

/** The stored evidence of a window. */
export interface StoredEvidence {
  readonly records: ChainedRecord[];
  readonly checkpoints: StoredCheckpoint[];
  /** First checkpoints (seq 0) anywhere in time naming one of the window's last hashes. */
  readonly origins: StoredCheckpoint[];
  /** Problems of the records themselves (documents without a chain link). */
  readonly problems: Problem[];
  /** Exchange documents (or Kafka events) read. */
  readonly read: number;
}

interface Hit { _id: string; _index: string; _source: Record<string, unknown>; sort?: unknown[] }

async function searchAll(client: Client, index: string, query: unknown, sort: unknown[], pageSize: number, onHit: (hit: Hit) => void): Promise<void> {
  let after: unknown[] | undefined;
  for (;;) {
    const response = await client.search({
      index, ignore_unavailable: true, allow_no_indices: true,
      body: { size: pageSize, query, sort, track_total_hits: false, ...(after === undefined ? {} : { search_after: after }) } as never,
    });
    const hits = (response.body.hits.hits ?? []) as unknown as Hit[];
    for (const hit of hits) onHit(hit);
    if (hits.length < pageSize) return;
    after = hits.at(-1)!.sort;
  }
}

const STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];
const DOC_SORT = [{ requestReceivedTimestamp: 'asc' }, { auditID: 'asc' }];
const CHECKPOINT_SORT = [{ time: 'asc' }, { stream: 'asc' }, { seq: 'asc' }, { hash: 'asc' }];
const storedCheckpoint = (hit: Hit): StoredCheckpoint => ({ jws: String(hit._source['jws'] ?? ''), where: `${hit._index}/${hit._id}`, shown: hit._source });

/**
 * Reads a window's evidence from OpenSearch: the checkpoints signed from `from - slack` to `to + slack`, the exchange
 * documents received in the window, then, per stream, every document with a stage at a chain position between the
 * last checkpoint before the window and the last signed or seen position (a long watch's completion, say, received
 * before the window), and the first checkpoints of any streams that continue one of the window's streams.
 */
export async function loadFromOpenSearch(o: OpenSearchEvidenceOptions): Promise<StoredEvidence> {
  const pageSize = o.pageSize ?? 2000;
  if (o.maxDocuments !== undefined) {
    const counted = await o.client.count({
      index: o.eventsIndex, ignore_unavailable: true, allow_no_indices: true,
      body: { query: { range: { requestReceivedTimestamp: { gte: new Date(o.from).toISOString(), lte: new Date(o.to).toISOString() } } } },
    });
    const count = counted.body.count as number;
    if (count > o.maxDocuments) {
      throw new AppError(`the window holds ${count} exchanges, more than the ${o.maxDocuments} verified here: narrow it, or run auditgate verify`, {
        code: ErrorCodes.PAYLOAD_TOO_LARGE, status: 413,
      });
    }
  }
  const checkpoints: StoredCheckpoint[] = [];
  await searchAll(o.client, o.checkpointsIndex, {
    range: { time: { gte: new Date(o.from - o.slackMs).toISOString(), lte: new Date(o.to + o.slackMs).toISOString() } },
  }, CHECKPOINT_SORT, pageSize, (hit) => checkpoints.push(storedCheckpoint(hit)));

  const docs = new Map<string, DocumentHit>();
  const keep = (hit: Hit): void => { docs.set(`${hit._index}/${hit._id}`, hit); };
  await searchAll(o.client, o.eventsIndex, {
    range: { requestReceivedTimestamp: { gte: new Date(o.from).toISOString(), lte: new Date(o.to).toISOString() } },
  }, DOC_SORT, pageSize, keep);

  const windows = new Map<string, { lo: number; hi: number }>();
  const widen = (stream: string, lo: number, hi: number): void => {
    const w = windows.get(stream);
    windows.set(stream, { lo: Math.min(lo, w?.lo ?? lo), hi: Math.max(hi, w?.hi ?? hi) });
  };
  for (const c of checkpoints) {
    try {
      const { payload } = parseCheckpointJws(c.jws);
      widen(payload.stream, payload.time < new Date(o.from).toISOString() ? payload.seq + 1 : Math.max(1, payload.seq), payload.seq);
    } catch { /* a malformed checkpoint widens nothing; it is reported when checked */ }
  }
  const fromDocs = [...docs.values()].map(recordsFromDocument);
  for (const r of fromDocs.flatMap((d) => d.records)) widen(r.link.stream, r.link.seq, r.link.seq);
  for (const [stream, { lo, hi }] of windows) {
    const should = STAGES.map((stage) => ({ bool: { filter: [
      { term: { [`stages.${stage}.chain.stream`]: stream } }, { range: { [`stages.${stage}.chain.seq`]: { gte: lo, lte: hi } } },
    ] } }));
    await searchAll(o.client, o.eventsIndex, { bool: { should, minimum_should_match: 1 } }, DOC_SORT, pageSize, (hit) => {
      if (!docs.has(`${hit._index}/${hit._id}`)) { keep(hit); fromDocs.push(recordsFromDocument(hit)); }
    });
  }
  const records = fromDocs.flatMap((d) => d.records);

  const lastHashes = new Map<string, { seq: number; hash: string }>();
  for (const r of records) if ((lastHashes.get(r.link.stream)?.seq ?? -1) < r.link.seq) lastHashes.set(r.link.stream, { seq: r.link.seq, hash: r.link.hash });
  const origins: StoredCheckpoint[] = [];
  if (lastHashes.size > 0) {
    await searchAll(o.client, o.checkpointsIndex, {
      bool: { filter: [{ term: { seq: 0 } }, { terms: { hash: [...lastHashes.values()].map((h) => h.hash) } }] },
    }, CHECKPOINT_SORT, pageSize, (hit) => origins.push(storedCheckpoint(hit)));
  }
  return { records, checkpoints, origins, problems: fromDocs.flatMap((d) => d.problems), read: docs.size };
}
