import { setImmediate as yieldToIo } from 'node:timers/promises';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { decodeGatewayEvent, isAppError, isMcpEvent, ErrorCodes, parseCheckpointJws, type GatewayEvent, type Logger, type SendingProducer } from '@auditgate/shared';
import { enrichEvent, type ClusterFacts } from '../enrich/enrich-event.js';
import type { KubeMetadataLookup } from '../enrich/kube-metadata.js';
import { buildPartialDocument, indexNameFor } from '../search/build-document.js';
import { buildMcpDocument } from '../search/build-mcp-document.js';
import { checkpointDocument, checkpointIndexFor } from '../search/checkpoint-document.js';
import type { BulkBatcher } from '../search/bulk-batcher.js';
import type { BulkOp, RejectedOp } from '../search/bulk-writer.js';
import { buildDlqRecord, type DlqMessage } from './dlq-record.js';
import type { SourceRecord } from './source-record.js';
import type { IndexerMetrics } from '../metrics/indexer-metrics.js';
import type { OrderedCommits } from './ordered-commits.js';
import type { PartitionLag } from './partition-lag.js';

/** OpenSearch refused a document for good (mapping or validation error); it goes to the DLQ. */
export const INDEX_REJECTED = ErrorCodes.INDEX_REJECTED;

/** What the batch handler needs. */
export interface BatchHandlerDeps {
  readonly batcher: BulkBatcher<SourceRecord>;
  readonly producer: SendingProducer;
  readonly dlqTopic: string;
  readonly indexPrefix: string;
  /** Prefix of the daily indices of MCP events (their own index, beside the Kubernetes events). */
  readonly mcpIndexPrefix?: string;
  /** Records of this topic are signed checkpoints, indexed under `checkpointsIndex` (unverified: verifiers check the JWS). */
  readonly checkpointsTopic?: string;
  readonly checkpointsIndex?: string;
  readonly cluster: ClusterFacts;
  readonly kube: KubeMetadataLookup;
  readonly chunkSize: number;
  readonly logger: Logger;
  readonly metrics: IndexerMetrics;
  /** The lag gauge of the partitions this member owns. */
  readonly lag: PartitionLag;
  readonly now: () => number;
  /** Commits each chunk's offsets, in order, once OpenSearch acknowledged it. */
  readonly commits: OrderedCommits;
  /** Unacknowledged documents past which the handler waits before building another chunk. */
  readonly maxPendingDocs: number;
  /** Set when the indexer stops: the handler builds no more chunks and stops waiting for room. */
  readonly stopping: AbortSignal;
}

/** Keeps the consumer's group membership alive while `work` waits on OpenSearch. */
async function withHeartbeats<T>(heartbeat: () => Promise<void>, work: Promise<T>): Promise<T> {
  const timer = setInterval(() => { heartbeat().catch(() => undefined); }, 2000);
  try { return await work; } finally { clearInterval(timer); }
}

/**
 * The offset the batch was fetched from (KafkaJS's `Batch` carries it, untyped); its first record's when absent. After
 * compaction the first record may come after it, so this is what tells a re-read from a batch past it.
 */
function fetchedOffsetOf(batch: EachBatchPayload['batch']): string {
  const fetched = (batch as { fetchedOffset?: unknown }).fetchedOffset;
  return typeof fetched === 'string' || typeof fetched === 'number' ? String(fetched) : batch.firstOffset() ?? batch.lastOffset();
}

/** Records on the partition after `offset`, up to its high watermark (never negative). */
function recordsBehind(highWatermark: string, offset: string): number {
  return Math.max(0, Number(BigInt(highWatermark) - BigInt(offset) - 1n));
}

/** Validates and builds the upserts of one chunk; the records that are not events (or checkpoints) go to `dlq`. */
function prepareChunk(deps: BatchHandlerDeps, topic: string, partition: number, chunk: readonly KafkaMessage[]): { ops: BulkOp<SourceRecord>[]; dlq: DlqMessage[]; bytes: number } {
  const dlq: DlqMessage[] = [];
  const ops: BulkOp<SourceRecord>[] = [];
  let bytes = 0;
  for (const message of chunk) {
    const source: SourceRecord = { topic, partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers };
    if (topic === deps.checkpointsTopic) {
      try {
        const parsed = parseCheckpointJws(message.value?.toString('utf8') ?? '');
        const { id, doc } = checkpointDocument(parsed);
        ops.push({ index: checkpointIndexFor(deps.checkpointsIndex ?? 'auditgate-checkpoints', parsed.payload.time), id, doc, sources: [source] });
        bytes += message.value?.length ?? 0;
      } catch (error) {
        dlq.push(buildDlqRecord({ ...source, code: ErrorCodes.EVENT_INVALID, reason: `not a signed checkpoint: ${(error as Error).message}`, now: deps.now() }));
      }
      continue;
    }
    let event: GatewayEvent;
    try {
      event = decodeGatewayEvent(message.value);
    } catch (error) {
      const code = isAppError(error) ? error.code : ErrorCodes.EVENT_UNDECODABLE;
      dlq.push(buildDlqRecord({ ...source, code, reason: (error as Error).message, now: deps.now() }));
      continue;
    }
    deps.metrics.events.inc({ stage: event.stage, schema_version: String(event.auditgate.schemaVersion) });
    const doc = isMcpEvent(event) ? buildMcpDocument(event, deps.cluster) : buildPartialDocument(event, enrichEvent(event, deps.cluster, deps.kube));
    const prefix = isMcpEvent(event) ? deps.mcpIndexPrefix ?? 'auditgate-mcp' : deps.indexPrefix;
    ops.push({ index: indexNameFor(prefix, event.requestReceivedTimestamp), id: event.auditID, doc, sources: [source] });
    bytes += message.value?.length ?? 0;
  }
  return { ops, dlq, bytes };
}

/** Sends a chunk's DLQ records, with those OpenSearch rejected for good, before its offsets are committed. */
async function settleChunk(deps: BatchHandlerDeps, dlq: DlqMessage[], rejected: readonly RejectedOp<SourceRecord>[]): Promise<void> {
  for (const r of rejected) {
    deps.logger.error({ auditID: r.op.id, index: r.op.index, status: r.status, reason: r.reason }, 'OpenSearch rejected a document: sent to the DLQ');
    for (const source of r.op.sources) dlq.push(buildDlqRecord({ ...source, code: INDEX_REJECTED, reason: `OpenSearch ${r.status} ${r.reason}`, now: deps.now() }));
  }
  if (dlq.length === 0) return;
  await deps.producer.send({ topic: deps.dlqTopic, acks: -1, messages: dlq });
  for (const m of dlq) deps.metrics.dlq.inc({ code: String(m.headers['auditgate-error-code']) });
}

/**
 * The `eachBatch` handler: validates each record, sends the bad ones to the DLQ, and hands the upserts of each chunk to
 * the batcher and the chunk to {@link OrderedCommits}, which commits its offsets only after OpenSearch acknowledged it
 * (and the DLQ has the rest), in offset order. The handler does not wait for those acknowledgements: it marks the
 * chunk's records read (so KafkaJS fetches on) and builds each chunk only while at most `maxPendingDocs` documents are
 * unacknowledged, so the next fetch is decoded while earlier bulks are indexed instead of after them. A chunk with more
 * records behind it on Kafka is urgent (its bulk does not wait for company that is already on its way).
 */
export function createBatchHandler(deps: BatchHandlerDeps): (payload: EachBatchPayload) => Promise<void> {
  return async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
    const { topic, partition } = batch;
    // A batch fetched past a rewind is left unread (see OrderedCommits.admit).
    if (!deps.commits.admit(topic, partition, fetchedOffsetOf(batch))) return;
    for (let start = 0; start < batch.messages.length; start += deps.chunkSize) {
      // Bounded intake: at most maxPendingDocs unacknowledged documents before another chunk is built.
      await withHeartbeats(heartbeat, deps.commits.whenBelow(deps.maxPendingDocs, deps.stopping));
      if (!isRunning() || isStale() || deps.stopping.aborted) break;
      const chunk = batch.messages.slice(start, start + deps.chunkSize);
      const { ops, dlq, bytes } = prepareChunk(deps, topic, partition, chunk);
      const last = chunk[chunk.length - 1]!.offset;
      const behind = recordsBehind(batch.highWatermark, last);
      deps.commits.add({
        topic, partition, first: chunk[0]!.offset, last, docs: chunk.length,
        acked: deps.batcher.submit(ops, bytes, behind > 0),
        settle: (rejected) => settleChunk(deps, dlq, rejected),
        committed: () => deps.lag.set(topic, partition, behind),
      });
      resolveOffset(last);
      // Lets the bulk go out (and other partitions submit) before the next chunk is built.
      await yieldToIo();
    }
  };
}
