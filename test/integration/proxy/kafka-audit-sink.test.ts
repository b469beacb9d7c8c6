import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka, Producer } from 'kafkajs';
import { CURRENT_SCHEMA_VERSION, ErrorCodes, createLogger, isAppError, type AuditEvent } from '@auditgate/shared';
import { waitFor } from '@auditgate/shared/testing';
import { BatchingProducer } from '../../../services/proxy/src/audit/batching-producer.js';
import { buildAuditEvent, type GatewayFacts } from '../../../services/proxy/src/audit/exchange-record.js';
import { KafkaAuditSink } from '../../../services/proxy/src/audit/kafka-audit-sink.js';
import { connectingProducer, newTopic, proxyLikeProducer, readTopic, stallableKafka, testKafka } from './support/test-kafka.js';
import { Spool } from '../../../services/proxy/src/audit/spool.js';

const FACTS: GatewayFacts = {
  instance: 'sink-test', version: '0.1.0', cluster: { name: 'local' }, upstream: () => ({ mode: 'kubeconfig' }), schemaVersion: CURRENT_SCHEMA_VERSION,
};
const logger = createLogger({ name: 'sink-test', level: 'silent' });

/** A valid event whose requestURI carries `label`, for `actor`. */
function event(label: string, actor = 'system:serviceaccount:ns:agent'): AuditEvent {
  return buildAuditEvent(FACTS, {
    auditID: `00000000-0000-4000-8000-${label.replace(/[^0-9a-z]/gi, '').padStart(12, '0').slice(-12)}`, receivedAt: Date.now(),
    requestURI: `/api/v1/namespaces/ns/configmaps/${label}`, verb: 'get', sourceIP: '127.0.0.1', level: 'Metadata',
    actor: { issuer: 'https://issuer', subject: actor, username: actor, groups: [], tokenKind: 'serviceaccount' },
  }, 'RequestReceived', Date.now());
}
const labelOf = (value: string): string => (JSON.parse(value) as AuditEvent).requestURI.split('/').pop() ?? '';

describe('KafkaAuditSink against the real broker', () => {
  let kafka: Kafka;
  let producer: Producer;
  const dirs: string[] = [];
  const spoolDir = (): string => { const d = mkdtempSync(join(tmpdir(), 'sink-test-')); dirs.push(d); return join(d, 'spool'); };

  before(async () => { kafka = testKafka(); producer = await proxyLikeProducer(kafka); });
  after(async () => {
    await producer.disconnect();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('fail-closed, Kafka up: events land on the topic keyed by actor, in order; flush and close are safe twice', async () => {
    const topic = await newTopic(kafka, 3);
    const sink = new KafkaAuditSink({ producer: new BatchingProducer({ producer, topic, lingerMs: 2, maxBatchMessages: 500, ackTimeoutMs: 10_000 }), mode: 'fail-closed', logger });
    await sink.start();
    await sink.writeAhead(event('a1', 'alice'));
    await Promise.all([sink.record(event('a2', 'alice')), sink.writeAhead(event('b1', 'bob')), sink.record(event('a3', 'alice'))]);
    assert.equal(sink.healthy(), true);
    await sink.flush();
    await sink.close();
    await sink.close();
    const records = await readTopic(kafka, topic, 4);
    assert.deepEqual(records.filter((r) => r.key === 'alice').map((r) => labelOf(r.value)), ['a1', 'a2', 'a3']);
    assert.deepEqual(records.filter((r) => r.key === 'bob').map((r) => labelOf(r.value)), ['b1']);
  });

  it('fail-closed, Kafka unreachable: writeAhead rejects as KAFKA_UNAVAILABLE and nothing is kept', async () => {
    const dead = connectingProducer(testKafka(['127.0.0.1:1']));
    try {
      const sink = new KafkaAuditSink({ producer: new BatchingProducer({ producer: dead, topic: 'unused', lingerMs: 1, maxBatchMessages: 10, ackTimeoutMs: 500 }), mode: 'fail-closed', logger });
      await sink.start();
      await assert.rejects(sink.writeAhead(event('x')), (e) => isAppError(e) && e.code === ErrorCodes.KAFKA_UNAVAILABLE && e.retriable);
      await sink.close();
    } finally {
      await dead.disconnect().catch(() => undefined);
    }
  });

  it('spool mode: with Kafka unreachable events are spooled and the sink stays healthy; a new sink drains them in order', async () => {
    const topic = await newTopic(kafka, 3);
    const dir = spoolDir();
    const counts = { spooled: 0, drained: 0 };
    const onSpool = (what: 'spooled' | 'drained', n: number): void => { counts[what] += n; };
    const expected: string[] = [];

    const dead = connectingProducer(testKafka(['127.0.0.1:1']));
    try {
      const outage = new KafkaAuditSink({
        producer: new BatchingProducer({ producer: dead, topic, lingerMs: 1, maxBatchMessages: 10, ackTimeoutMs: 500 }),
        mode: 'spool', spool: new Spool(dir), logger, drainIntervalMs: 50, onSpool,
      });
      await outage.start();
      await outage.writeAhead(event('s0'));
      expected.push('s0');
      assert.equal(outage.healthy(), true, 'spool mode keeps serving through the outage');
      for (let i = 1; i <= 5; i += 1) { await outage.writeAhead(event(`s${i}`)); expected.push(`s${i}`); }
      const burst = Array.from({ length: 30 }, (_, i) => `t${i}`);
      await Promise.all(burst.map((label, i) => (i % 2 === 0 ? outage.writeAhead(event(label)) : outage.record(event(label)))));
      expected.push(...burst);
      await new Promise((r) => setTimeout(r, 200)); // a few failed drain attempts must not lose or reorder anything
      assert.equal(outage.healthy(), true);
      await outage.close();
      await outage.close();
    } finally {
      await dead.disconnect().catch(() => undefined);
    }
    assert.equal(counts.spooled, expected.length);
    assert.equal(counts.drained, 0);
    const left = new Spool(dir);
    const onDisk: string[] = [];
    for (const seq of await left.segments()) onDisk.push(...(await left.read(seq)).map((r) => labelOf(r.value.toString())));
    assert.deepEqual(onDisk, expected, 'the spool holds every event, in order');

    const restarted = new KafkaAuditSink({
      producer: new BatchingProducer({ producer, topic, lingerMs: 2, maxBatchMessages: 7, ackTimeoutMs: 10_000 }),
      mode: 'spool', spool: new Spool(dir), logger, drainIntervalMs: 50, onSpool,
    });
    await restarted.start();
    await restarted.writeAhead(event('live-while-draining'));
    expected.push('live-while-draining');
    await waitFor('the spool drained', async () => (counts.drained === expected.length ? true : undefined));
    await waitFor('the spool folder empty', async () => ((await new Spool(dir).segments()).length === 0 ? true : undefined));
    await restarted.writeAhead(event('live-after-drain'));
    expected.push('live-after-drain');
    assert.equal(counts.spooled, expected.length - 1, 'after the drain, events go straight to Kafka');
    await restarted.close();

    const records = await readTopic(kafka, topic, expected.length);
    assert.equal(records.length, expected.length, 'each event exactly once');
    assert.deepEqual(records.map((r) => labelOf(r.value)), expected, 'in the order they were written');
    assert.ok(records.every((r) => r.key === 'system:serviceaccount:ns:agent'));
  });

  it('spool mode: when Kafka stops answering, what is queued behind the failed batch is on disk at once, not one ack timeout per batch later', async () => {
    // Answered requests' terminal stages queue behind the batch in flight when the broker dies. A crash before they
    // reach the spool loses them (fault 1c of npm run faults once lost 9 this way, 10 s after they were answered).
    const topic = await newTopic(kafka, 1);
    const dir = spoolDir();
    const net = stallableKafka();
    const stalledProducer = await proxyLikeProducer(net.kafka);
    const ackTimeoutMs = 1000;
    try {
      const sink = new KafkaAuditSink({
        producer: new BatchingProducer({ producer: stalledProducer, topic, lingerMs: 1, maxBatchMessages: 1, ackTimeoutMs }),
        mode: 'spool', spool: new Spool(dir), logger, drainIntervalMs: 60_000,
      });
      await sink.start();
      net.stall();
      const started = Date.now();
      const labels = ['first', ...Array.from({ length: 8 }, (_, i) => `queued${i}`)];
      const writes = labels.map((label, i) => (i === 0 ? sink.writeAhead(event(label)) : sink.record(event(label))));
      await Promise.all(writes);
      const tookMs = Date.now() - started;
      const onDisk: string[] = [];
      const spool = new Spool(dir);
      for (const seq of await spool.segments()) onDisk.push(...(await spool.read(seq)).map((r) => labelOf(r.value.toString())));
      assert.deepEqual(onDisk, labels, 'every event is in the spool, in order');
      assert.ok(tookMs < ackTimeoutMs * 2.5, `all ${labels.length} events were durable ${tookMs} ms after Kafka stopped answering (one ack timeout is ${ackTimeoutMs} ms; one per queued batch would be ${labels.length * ackTimeoutMs} ms)`);
      net.resume();
      await sink.close();
    } finally {
      net.resume();
      await stalledProducer.disconnect().catch(() => undefined);
    }
  });
});
