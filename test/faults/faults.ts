/**
 * The faults, one per row, injected while the traffic runs. Each waits for the condition that makes it the fault it
 * claims to be (a spool that is not empty, a bulk in hand, alerts pending delivery, requests in flight, produce
 * requests whose answers were lost) before it strikes, and returns what it saw for the report.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { waitFor } from '@auditgate/shared/testing';
import type { BulkRelay } from './bulk-relay.js';
import type { LoadGenerator } from './load-generator.js';
import type { OwnStack } from './own-stack.js';
import type { PageReceiver } from './page-receiver.js';
import { groupLag } from './pipeline-readers.js';
import type { ProxyKill } from './reconcile-row.js';
import type { RowNames } from './row-names.js';
import type { RowServices } from './row-services.js';
import { metricSum, readMetrics } from './service-metrics.js';

/** What a fault can act on. */
export interface FaultContext {
  readonly own: OwnStack;
  readonly services: RowServices;
  readonly receiver: PageReceiver;
  readonly generator: LoadGenerator;
  readonly kafka: Kafka;
  readonly names: RowNames;
  /** How long an outage lasts (the broker or node stays stopped this long). */
  readonly outageMs: number;
  /** Every proxy SIGKILL, for the judge (requests in flight then may lack their terminal stage). */
  readonly proxyKills: ProxyKill[];
  /** The relay between the indexer and OpenSearch, on rows that ask for it. */
  readonly bulkRelay?: BulkRelay;
}

/** One fault: strikes, recovers, and reports. */
export type Fault = (ctx: FaultContext) => Promise<Record<string, unknown>>;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Bytes in the spool's segment files. */
async function spoolBytes(dir: string): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const sizes = await Promise.all(names.filter((n) => n.endsWith('.spool')).map((n) => stat(join(dir, n)).then((s) => s.size, () => 0)));
  return sizes.reduce((a, b) => a + b, 0);
}

/**
 * Kafka stopped for the outage, then restarted (both outage modes; the mode is the row's proxy setting). The outage's
 * window (`outageFrom`..`outageTo`, epoch ms) is returned for the check that it struck (fault-struck.ts).
 */
export const kafkaOutage: Fault = async (ctx) => {
  const t0 = Date.now();
  await ctx.own.kafka.down();
  const stoppedAt = Date.now();
  await sleep(ctx.outageMs);
  const spooled = await spoolBytes(ctx.services.spoolDir);
  await ctx.own.kafka.up();
  return { kafkaStopMs: stoppedAt - t0, kafkaDownMs: Date.now() - stoppedAt, spoolBytesDuringOutage: spooled, outageFrom: t0, outageTo: Date.now() };
};

/** Kafka stopped; once the proxy's spool holds records the proxy is SIGKILLed and restarted; then Kafka returns. */
export const kafkaOutageWithProxyKill: Fault = async (ctx) => {
  await ctx.own.kafka.down();
  const stoppedAt = Date.now();
  const bytes = await waitFor('the proxy spooling', async () => { const b = await spoolBytes(ctx.services.spoolDir); return b > 0 ? b : undefined; }, 60_000, 100);
  // Let the spool grow a little under traffic, so the killed process leaves a real backlog.
  await sleep(Math.min(5000, ctx.outageMs / 3));
  const atKill = await spoolBytes(ctx.services.spoolDir);
  const inFlight = ctx.generator.pending;
  const { killedAt, readyAt } = await ctx.services.killAndRestart('proxy');
  ctx.proxyKills.push({ at: killedAt });
  await sleep(Math.max(0, stoppedAt + ctx.outageMs - Date.now()));
  await ctx.own.kafka.up();
  return { spoolBytesFirstSeen: bytes, spoolBytesAtKill: atKill, requestsInFlightAtKill: inFlight, proxyRestartMs: readyAt - killedAt, kafkaDownMs: Date.now() - stoppedAt, killedAt };
};

/** Bulks the indexer saw fail (transport errors) and items it retried, from its metrics. */
async function indexerFailures(ctx: FaultContext): Promise<{ failedBulks: number; retriedItems: number }> {
  const text = await readMetrics(ctx.services.get('indexer').opsPort);
  return { failedBulks: metricSum(text, 'auditgate_indexer_bulk_duration_seconds_count', ['outcome="error"']), retriedItems: metricSum(text, 'auditgate_indexer_bulk_retries_total') };
}

/** OpenSearch stopped for the outage, then restarted: the indexer must catch up. */
export const openSearchOutage: Fault = async (ctx) => {
  const before = await indexerFailures(ctx);
  await ctx.own.opensearch.down();
  const stoppedAt = Date.now();
  await sleep(ctx.outageMs);
  const lagDuringOutage = await groupLag(ctx.kafka, ctx.names.indexerGroup, ctx.names.events);
  const during = await indexerFailures(ctx);
  await ctx.own.opensearch.up();
  return {
    opensearchDownMs: Date.now() - stoppedAt, indexerLagDuringOutage: lagDuringOutage,
    indexerFailedBulksDuringOutage: during.failedBulks - before.failedBulks, indexerRetriedItemsDuringOutage: during.retriedItems - before.retriedItems,
  };
};

/**
 * The indexer SIGKILLed with a bulk in flight, then restarted: the relay in front of OpenSearch forwards the indexer's
 * `_bulk` requests but keeps their answers back, so once one was written the indexer holds a batch it cannot commit.
 */
export const indexerKill: Fault = async (ctx) => {
  const relay = ctx.bulkRelay;
  if (relay === undefined) throw new Error('the indexer kill needs the row\'s bulk relay');
  relay.hold = true;
  const held = await waitFor('a bulk written by OpenSearch whose answer the indexer awaits', async () => (relay.held.bulks >= 1 && relay.held.docs >= 1 ? relay.held : undefined), 60_000, 20);
  const inFlight = relay.bulksInFlight;
  const lag = await groupLag(ctx.kafka, ctx.names.indexerGroup, ctx.names.events);
  const { killedAt, readyAt } = await ctx.services.killAndRestart('indexer', async () => { relay.hold = false; relay.dropHeld(); });
  return { bulksHeldAtKill: held.bulks, docsInHeldBulks: held.docs, bulksInFlightAtKill: inFlight, uncommittedAtKill: lag, indexerRestartMs: readyAt - killedAt };
};

/**
 * The receiver answers 503; once alerts wait for delivery and deliveries are failing, the detector is SIGKILLed and
 * restarted; the receiver recovers a while later.
 */
export const detectorKill: Fault = async (ctx) => {
  ctx.receiver.failing = true;
  const failingFrom = Date.now();
  const rejected = (): number => ctx.receiver.posts.filter((p) => p.status === 503).length;
  const pending = await waitFor('alerts pending delivery while the receiver fails', async () => {
    const n = await groupLag(ctx.kafka, ctx.names.webhookGroup, ctx.names.alerts);
    return n >= 3 && rejected() >= 3 ? n : undefined;
  }, 60_000, 100);
  const { killedAt, readyAt } = await ctx.services.killAndRestart('detector');
  // The receiver stays down for part of the restarted detector's time too, then answers again.
  await sleep(Math.max(0, failingFrom + ctx.outageMs - Date.now()));
  ctx.receiver.failing = false;
  return { alertsPendingAtKill: pending, rejectedBeforeKill: rejected(), detectorRestartMs: readyAt - killedAt, receiverFailingMs: Date.now() - failingFrom };
};

/** The proxy SIGKILLed with requests in flight, then restarted. */
export const proxyKill: Fault = async (ctx) => {
  const inFlight = await waitFor('requests in flight at the proxy', async () => (ctx.generator.pending >= 5 ? ctx.generator.pending : undefined), 60_000, 5);
  const { killedAt, readyAt } = await ctx.services.killAndRestart('proxy');
  ctx.proxyKills.push({ at: killedAt });
  return { requestsInFlightAtKill: inFlight, proxyRestartMs: readyAt - killedAt, killedAt };
};

/**
 * A broker restart that loses the answers to produce requests it already appended (the race CI once hit, made
 * certain): the relay keeps forwarding requests but drops every answer until a produce request's answer was dropped
 * (the broker appended it), waits a moment for the other busy producers, then cuts all connections; the broker is
 * stopped for the outage and restarted. The producers never learn that those batches were written; kafkajs rolls their sequence numbers back and retries until it gives up, so their next batch
 * reuses sequence numbers the broker already holds: OUT_OF_ORDER_SEQUENCE_NUMBER, or, when the new batch has as many
 * records as the unanswered one, a "duplicate" that the broker acknowledges without writing it.
 */
export const brokerRestartLostAcks: Fault = async (ctx) => {
  const { relay } = ctx.own;
  const before = relay.lostProduceAnswers;
  relay.mode = 'swallow';
  const swallowedAt = Date.now();
  await waitFor('a produce request appended with its answer lost', async () => (relay.lostProduceAnswers - before >= 1 ? true : undefined), 30_000, 1);
  // Each busy idempotent producer has one produce request in flight per broker: give the others a moment to send theirs.
  await sleep(1000);
  relay.mode = 'refuse';
  relay.cutAll();
  const swallowed = relay.lostProduceAnswers - before;
  await ctx.own.kafka.down();
  const stoppedAt = Date.now();
  await sleep(ctx.outageMs);
  await ctx.own.kafka.up();
  relay.mode = 'pass';
  return { produceAnswersLost: swallowed, swallowMs: stoppedAt - swallowedAt, kafkaDownMs: Date.now() - stoppedAt };
};
