import type { Kafka } from 'kafkajs';
import {
  GENESIS_HASH, instanceOfStream, parseCheckpointJws, readTopic, type ChainOrigin, type Logger, type ParsedCheckpoint,
} from '@auditgate/shared';
import type { Spool } from '../audit/spool.js';

/** Where a new stream looks for its predecessor. */
export interface ChainOriginSources {
  readonly instance: string;
  /** The local spool: records left there by the previous process are its last events. */
  readonly spool?: Spool;
  readonly kafka?: Kafka;
  readonly checkpointsTopic: string;
  readonly eventsTopic: string;
  readonly logger: Logger;
  /** Margin around the predecessor's last checkpoint when its events after it are looked for (default 30 s). */
  readonly slackMs?: number;
  /**
   * How many checkpoints at the end of each partition of the checkpoints topic are searched for the predecessor
   * (default {@link ORIGIN_LOOKBACK}): the read is bounded whatever the topic holds. A predecessor whose last checkpoint
   * is further back is not found, and the stream starts unlinked.
   */
  readonly lookback?: number;
  /** Each read gives up after this long (default 20 s). */
  readonly timeoutMs?: number;
}

/**
 * Checkpoints searched per partition by default: a stream signs one every T (10 s) while it lives, so this covers
 * about a day of a partition shared by a few gateway processes, and a restart's predecessor is among the last few.
 */
export const ORIGIN_LOOKBACK = 20_000;

interface Head { readonly stream: string; readonly seq: number; readonly hash: string }

const chainOf = (value: Buffer | null): Head | undefined => {
  if (value === null) return undefined;
  try {
    const chain = (JSON.parse(value.toString('utf8')) as { auditgate?: { chain?: Head } }).auditgate?.chain;
    return typeof chain?.hash === 'string' && typeof chain.seq === 'number' ? chain : undefined;
  } catch { return undefined; }
};

/** The last chained event in the spool (the previous process was spooling when it stopped), if any. */
async function lastSpooled(spool: Spool): Promise<Head | undefined> {
  const segments = await spool.segments();
  for (const seq of [...segments].reverse()) {
    const records = await spool.read(seq);
    for (let i = records.length - 1; i >= 0; i -= 1) {
      const head = chainOf(records[i]!.value);
      if (head !== undefined) return head;
    }
  }
  return undefined;
}

/** The latest checkpoint of another stream of `instance` among the last `lookback` records of each partition of the checkpoints topic. */
async function lastCheckpoint(kafka: Kafka, topic: string, instance: string, lookback: number, timeoutMs: number): Promise<ParsedCheckpoint | undefined> {
  let latest: ParsedCheckpoint | undefined;
  await readTopic(kafka, {
    topic, lastRecords: lookback, timeoutMs,
    onRecord: (r) => {
      if (r.value === null) return;
      try {
        const parsed = parseCheckpointJws(r.value.toString('utf8'));
        if (instanceOfStream(parsed.payload.stream) !== instance) return;
        const p = parsed.payload;
        const l = latest?.payload;
        if (l === undefined || p.time > l.time || (p.time === l.time && p.seq > l.seq)) latest = parsed;
      } catch { /* not a checkpoint: nothing to link to */ }
    },
  });
  return latest;
}

/** The highest-seq event of `stream` produced around and after its last checkpoint (a crash leaves events past it). */
async function lastEventAfter(kafka: Kafka, topic: string, checkpoint: ParsedCheckpoint, slackMs: number, timeoutMs: number): Promise<Head | undefined> {
  const at = Date.parse(checkpoint.payload.time);
  let best: Head | undefined;
  await readTopic(kafka, {
    topic, fromTime: at - slackMs, untilTime: at + checkpoint.payload.intervalMs + slackMs, timeoutMs,
    onRecord: (r) => {
      const head = chainOf(r.value);
      if (head !== undefined && head.stream === checkpoint.payload.stream && (best === undefined || head.seq > best.seq)) best = head;
    },
  });
  return best;
}

/**
 * The origin of a new stream: the last hash of this instance's previous stream, read back at start from the local
 * spool (what the previous process could not send yet), else from Kafka (its final checkpoint, or after a crash the
 * highest-seq event it produced after its last checkpoint); genesis (no `predecessor`) when none is found within the
 * bounded look back. Rejects when Kafka cannot be read.
 */
export async function findChainOrigin(sources: ChainOriginSources): Promise<ChainOrigin> {
  const found = (head: Head, from: string): ChainOrigin => {
    sources.logger.info({ predecessor: head.stream, seq: head.seq, from }, 'chain continues from the previous stream');
    return { prevHash: head.hash, predecessor: { stream: head.stream, seq: head.seq } };
  };
  if (sources.spool !== undefined) {
    const spooled = await lastSpooled(sources.spool);
    if (spooled !== undefined) return found(spooled, 'spool');
  }
  if (sources.kafka === undefined) return { prevHash: GENESIS_HASH };
  const timeoutMs = sources.timeoutMs ?? 20_000;
  const checkpoint = await lastCheckpoint(sources.kafka, sources.checkpointsTopic, sources.instance, sources.lookback ?? ORIGIN_LOOKBACK, timeoutMs);
  if (checkpoint === undefined) return { prevHash: GENESIS_HASH };
  const { payload } = checkpoint;
  if (payload.final !== true) {
    const after = await lastEventAfter(sources.kafka, sources.eventsTopic, checkpoint, sources.slackMs ?? 30_000, timeoutMs);
    if (after !== undefined && after.seq > payload.seq) return found(after, 'events after the last checkpoint');
  }
  return found({ stream: payload.stream, seq: payload.seq, hash: payload.hash }, payload.final === true ? 'final checkpoint' : 'last checkpoint');
}
