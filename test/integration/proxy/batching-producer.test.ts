import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Kafka, Producer } from 'kafkajs';
import { ErrorCodes, isAppError } from '@auditgate/shared';
import { BatchingProducer } from '../../../services/proxy/src/audit/batching-producer.js';
import { connectingProducer, newTopic, proxyLikeProducer, readTopic, stallableKafka, testKafka } from './support/test-kafka.js';

function expectUnavailable(error: unknown, message?: RegExp): true {
  assert.ok(isAppError(error), String(error));
  assert.equal(error.code, ErrorCodes.KAFKA_UNAVAILABLE);
  assert.equal(error.retriable, true);
  assert.equal(error.status, 503);
  if (message !== undefined) assert.match(error.message, message);
  return true;
}

describe('BatchingProducer against the real broker', () => {
  let kafka: Kafka;
  let producer: Producer;
  let produceRequests = 0;

  before(async () => {
    kafka = testKafka();
    producer = await proxyLikeProducer(kafka);
    producer.on(producer.events.REQUEST, ({ payload }) => { if (payload.apiName === 'Produce') produceRequests += 1; });
  });
  after(async () => { await producer.disconnect(); });

  it('many concurrent sends: all acknowledged, in few produce requests, with each key\'s order kept', async () => {
    const topic = await newTopic(kafka, 3);
    const heard: number[] = [];
    const batching = new BatchingProducer({ producer, topic, lingerMs: 5, maxBatchMessages: 50, ackTimeoutMs: 10_000, onBatch: (m) => heard.push(m) });
    const n = 600;
    const keys = ['alice', 'bob', 'carol', 'dave', 'erin'];
    const before = produceRequests;
    const sends = Array.from({ length: n }, (_, i) => batching.send(keys[i % keys.length]!, Buffer.from(`${keys[i % keys.length]}-${i}`)));
    await Promise.all(sends);
    const requests = produceRequests - before;
    assert.ok(requests >= n / 50 && requests <= n / 10, `${n} sends took ${requests} produce requests`);
    assert.equal(heard.length, requests, 'onBatch hears each produce request (one broker)');
    assert.equal(heard.reduce((a, b) => a + b, 0), n, 'and the messages each carried');
    const records = await readTopic(kafka, topic, n);
    assert.equal(records.length, n, 'each record exactly once');
    for (const key of keys) {
      const mine = records.filter((r) => r.key === key);
      assert.equal(new Set(mine.map((r) => r.partition)).size, 1, `${key} stays on one partition`);
      const order = mine.map((r) => Number(r.value.split('-')[1]));
      assert.deepEqual(order, [...order].sort((a, b) => a - b), `${key}'s records in send order`);
      assert.equal(order.length, n / keys.length);
    }
  });

  it('a batch stays under the broker\'s message size: a drained spool of large events is acknowledged, not refused as too large', async () => {
    const topic = await newTopic(kafka, 1);
    const batching = new BatchingProducer({ producer, topic, lingerMs: 5, maxBatchMessages: 500, ackTimeoutMs: 30_000 });
    // 400 events of 8 KiB sent at once (3.2 MB): more than the broker's default message.max.bytes (1 MiB) per batch.
    const n = 400;
    await Promise.all(Array.from({ length: n }, (_, i) => batching.send('k', Buffer.from(`${i}-`.padEnd(8192, 'x')))));
    const records = await readTopic(kafka, topic, n);
    assert.equal(records.length, n, 'each record exactly once');
    assert.deepEqual(records.map((r) => Number(r.value.split('-')[0])), Array.from({ length: n }, (_, i) => i), 'in send order');
  });

  it('a full batch goes at once; a lone message waits for its linger; flush() sends what is queued', async () => {
    const topic = await newTopic(kafka, 1);
    const lazy = new BatchingProducer({ producer, topic, lingerMs: 60_000, maxBatchMessages: 10, ackTimeoutMs: 10_000 });
    const started = Date.now();
    await Promise.all(Array.from({ length: 10 }, (_, i) => lazy.send('k', Buffer.from(`full-${i}`))));
    assert.ok(Date.now() - started < 5000, 'a full batch does not wait for the linger');
    let sent = false;
    const lone = lazy.send('k', Buffer.from('lone')).then(() => { sent = true; });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(sent, false, 'a lone message waits for company');
    await lazy.flush();
    await lone;
    assert.equal(sent, true, 'flush() resolves after the queued message was acknowledged');
    await lazy.flush();

    const lingering = new BatchingProducer({ producer, topic, lingerMs: 200, maxBatchMessages: 1000, ackTimeoutMs: 10_000 });
    const t0 = Date.now();
    await lingering.send('k', Buffer.from('after-linger'));
    assert.ok(Date.now() - t0 >= 180, 'sent when the linger expired');
    const values = (await readTopic(kafka, topic, 12)).map((r) => r.value);
    assert.deepEqual(values, [...Array.from({ length: 10 }, (_, i) => `full-${i}`), 'lone', 'after-linger']);
  });

  it('deferred messages ride with the next urgent one (one produce request, order kept) or leave after deferMs', async () => {
    const topic = await newTopic(kafka, 1);
    const batching = new BatchingProducer({ producer, topic, lingerMs: 0, deferMs: 400, maxBatchMessages: 100, ackTimeoutMs: 10_000 });
    const before = produceRequests;
    let deferredDone = false;
    const deferred = batching.send('k', Buffer.from('complete-1'), 'deferred').then(() => { deferredDone = true; });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(deferredDone, false, 'a deferred message alone waits');
    assert.equal(produceRequests, before, 'nothing sent yet');
    await batching.send('k', Buffer.from('received-2'), 'now');
    await deferred;
    assert.equal(produceRequests - before, 1, 'the deferred message travelled with the urgent one');

    const t0 = Date.now();
    await batching.send('k', Buffer.from('complete-2'), 'deferred');
    const waited = Date.now() - t0;
    assert.ok(waited >= 380 && waited < 3000, `a lone deferred message leaves after deferMs (${waited} ms)`);
    assert.equal(produceRequests - before, 2);

    // Urgent sends while a batch is in flight do not wait for deferMs; flush() sends deferred ones at once.
    const burst = Array.from({ length: 20 }, (_, i) => batching.send('k', Buffer.from(`burst-${i}`), i % 2 === 0 ? 'now' : 'deferred'));
    const t1 = Date.now();
    await Promise.all(burst);
    assert.ok(Date.now() - t1 < 380, 'a burst ending in a deferred message is not held for deferMs when urgent ones come with it');
    const last = batching.send('k', Buffer.from('last'), 'deferred');
    const t2 = Date.now();
    await batching.flush();
    await last;
    assert.ok(Date.now() - t2 < 380, 'flush() does not wait for deferMs');
    const values = (await readTopic(kafka, topic, 24)).map((r) => r.value);
    assert.deepEqual(values, ['complete-1', 'received-2', 'complete-2', ...Array.from({ length: 20 }, (_, i) => `burst-${i}`), 'last']);
  });
});

describe('BatchingProducer when Kafka cannot acknowledge', () => {
  it('a broker nothing listens on (127.0.0.1:1): every message of the batch is rejected as KAFKA_UNAVAILABLE', async () => {
    const producer = connectingProducer(testKafka(['127.0.0.1:1']));
    try {
      const batching = new BatchingProducer({ producer, topic: 'unused', lingerMs: 1, maxBatchMessages: 100, ackTimeoutMs: 500 });
      const started = Date.now();
      const results = await Promise.allSettled([batching.send('a', Buffer.from('1')), batching.send('b', Buffer.from('2'))]);
      assert.ok(Date.now() - started < 5000);
      for (const r of results) {
        assert.equal(r.status, 'rejected');
        expectUnavailable((r as PromiseRejectedResult).reason);
      }
      await batching.flush();
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
  });

  it('an acknowledgement that does not come in time (the broker\'s answers stall): rejected after ackTimeoutMs', async () => {
    const net = stallableKafka();
    const topic = await newTopic(testKafka(), 1);
    const producer = await proxyLikeProducer(net.kafka);
    try {
      const batching = new BatchingProducer({ producer, topic, lingerMs: 1, maxBatchMessages: 100, ackTimeoutMs: 300 });
      await batching.send('a', Buffer.from('before the stall'));
      net.stall();
      const started = Date.now();
      const results = await Promise.allSettled([batching.send('a', Buffer.from('1')), batching.send('b', Buffer.from('2'))]);
      const took = Date.now() - started;
      assert.ok(took >= 280 && took < 3000, `rejected after ${took} ms`);
      for (const r of results) {
        assert.equal(r.status, 'rejected');
        expectUnavailable((r as PromiseRejectedResult).reason, /no acknowledgement within 300 ms/);
      }
      net.resume();
      await batching.send('a', Buffer.from('after the stall'));
      await batching.flush();
    } finally {
      net.resume();
      await producer.disconnect().catch(() => undefined);
    }
  });

});
