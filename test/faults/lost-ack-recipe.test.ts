/**
 * The OUT_OF_ORDER_SEQUENCE_NUMBER path, made certain (fault 6 of the suite, in isolation): a broker appends a
 * produce request whose answer is lost, then restarts, so the idempotent producer's retries give up. kafkajs rolls
 * back the failed batch's sequence numbers although the broker holds them, so its next batch reuses them: refused
 * with OUT_OF_ORDER_SEQUENCE_NUMBER, or, with as many records as the lost one, acknowledged as a duplicate and never
 * written. One-record batches make the second outcome certain. The recipe:
 *   1. a broker of our own, advertising a relay in front of it (kafka-relay.ts), under a producer sending steadily;
 *   2. the relay forwards requests but drops every answer until a produce request went through unanswered;
 *   3. the relay cuts every connection and refuses new ones; the broker is stopped, and stays down longer than the
 *      producer's retries last (createKafka's 5 retries, ~10 s); then it is started and the relay forwards again.
 * A plain kafkajs producer loses the batch sent right after the restart; RenewableProducer loses nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import { createKafka, createLogger, readTopic, RenewableProducer, type SendingProducer } from '@auditgate/shared';
import { waitFor } from '@auditgate/shared/testing';
import { startOwnStack, type OwnStack } from './own-stack.js';

const OUTAGE_MS = 14_000;

/** Sends one-record batches in a loop; remembers which were acknowledged. */
function steadySender(producer: SendingProducer, topic: string): { acked: string[]; errors: string[]; stop: () => Promise<void> } {
  const acked: string[] = [];
  const errors: string[] = [];
  let running = true;
  const loop = (async () => {
    for (let n = 0; running && n < 100_000; n += 1) {
      const value = `m${n}`;
      try {
        await producer.send({ topic, acks: -1, messages: [{ key: 'k', value }] });
        acked.push(value);
      } catch (error) {
        errors.push((error as Error).message);
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  return { acked, errors, stop: async () => { running = false; await loop; } };
}

async function written(kafka: Kafka, topic: string): Promise<Set<string>> {
  const out = new Set<string>();
  await readTopic(kafka, { topic, onRecord: (r) => { out.add(r.value?.toString('utf8') ?? ''); } });
  return out;
}

describe('a broker restart that loses the answers to appended produce requests (OUT_OF_ORDER_SEQUENCE_NUMBER)', { timeout: 10 * 60_000 }, () => {
  const root = `/var/tmp/auditgate/lost-ack-${randomBytes(3).toString('hex')}`;
  let own: OwnStack;
  let kafka: Kafka;
  before(async () => {
    mkdirSync(root, { recursive: true });
    own = await startOwnStack(root, { opensearch: false });
    kafka = createKafka({ brokers: own.kafkaBrokers, clientId: 'lost-ack', logger: createLogger({ name: 'lost-ack', level: 'silent' }) });
  });
  after(async () => {
    await own?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('a plain kafkajs producer silently loses an acknowledged batch; RenewableProducer loses none', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: 'plain', numPartitions: 1 }, { topic: 'renewable', numPartitions: 1 }] });
    await admin.disconnect();
    const idempotent = (): Producer => kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false });
    const plainProducer = idempotent();
    await plainProducer.connect();
    const renewable = new RenewableProducer(idempotent, createLogger({ name: 'lost-ack', level: 'silent' }));
    await renewable.connect();
    const plain = steadySender(plainProducer, 'plain');
    const renewed = steadySender(renewable, 'renewable');
    try {
      await waitFor('both producers busy', async () => (plain.acked.length > 50 && renewed.acked.length > 50 ? true : undefined), 60_000, 50);
      const { relay } = own;
      const before = relay.lostProduceAnswers;
      relay.mode = 'swallow';
      await waitFor('a produce request appended, its answer lost', async () => (relay.lostProduceAnswers - before >= 1 ? true : undefined), 30_000, 1);
      // Both producers wait for answers that will never come (a request sent just before the swallow lost its answer too).
      let last = [plain.acked.length, renewed.acked.length, Date.now()] as const;
      await waitFor('both producers blocked on lost answers', async () => {
        const now = [plain.acked.length, renewed.acked.length] as const;
        if (now[0] !== last[0] || now[1] !== last[1]) { last = [now[0], now[1], Date.now()]; return undefined; }
        return Date.now() - last[2] >= 500 ? true : undefined;
      }, 30_000, 50);
      relay.mode = 'refuse';
      relay.cutAll();
      await own.kafka.down();
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      await own.kafka.up();
      relay.mode = 'pass';
      const [p0, r0] = [plain.acked.length, renewed.acked.length];
      await waitFor('both producers sending again', async () => (plain.acked.length > p0 + 50 && renewed.acked.length > r0 + 50 ? true : undefined), 120_000, 100);
    } finally {
      own.relay.mode = 'pass';
      await plain.stop();
      await renewed.stop();
      await plainProducer.disconnect().catch(() => undefined);
      await renewable.disconnect().catch(() => undefined);
    }
    const [onPlain, onRenewable] = await Promise.all([written(kafka, 'plain'), written(kafka, 'renewable')]);
    const lostPlain = plain.acked.filter((v) => !onPlain.has(v));
    const lostRenewable = renewed.acked.filter((v) => !onRenewable.has(v));
    assert.ok(lostPlain.length >= 1, `the recipe reproduces the race: the plain producer lost an acknowledged batch (errors: ${[...new Set(plain.errors)].join(' | ')})`);
    assert.deepEqual(lostRenewable, [], `RenewableProducer lost acknowledged records (errors: ${[...new Set(renewed.errors)].join(' | ')})`);
    assert.equal(renewable.renewed >= 1, true, 'the failed send replaced the producer');
  });
});
