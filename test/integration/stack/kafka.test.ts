import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createKafka, createLogger, ensureTopics } from '@auditgate/shared';
import { readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';

const stack = readStackEnv(process.env);
const logger = createLogger({ name: 'test', level: 'warn' });

it('kafkajs produces (idempotent, acks=all) and consumes on a fresh topic of the real broker', async () => {
  const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'stack-test', logger });
  const topic = uniqueName('test-kafka');
  await ensureTopics(kafka, [{ topic, numPartitions: 2, configEntries: [] }]);
  assert.deepEqual(await ensureTopics(kafka, [{ topic, numPartitions: 2, configEntries: [] }]), [], 'second ensure is a no-op');

  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
  await producer.connect();
  const sent = await producer.send({
    topic, acks: -1,
    messages: Array.from({ length: 10 }, (_, i) => ({ key: `actor-${i % 2}`, value: JSON.stringify({ i }) })),
  });
  assert.ok(sent.every((meta) => meta.errorCode === 0));
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: uniqueName('test-group') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received: Array<{ key: string; i: number; partition: number }> = [];
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      received.push({ key: String(message.key), i: (JSON.parse(String(message.value)) as { i: number }).i, partition });
    },
  });
  try {
    await waitFor('10 messages', async () => (received.length >= 10 ? true : undefined), 30_000);
  } finally {
    await consumer.disconnect();
  }
  assert.deepEqual(received.map((r) => r.i).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  for (const key of ['actor-0', 'actor-1']) {
    const mine = received.filter((r) => r.key === key);
    assert.equal(new Set(mine.map((r) => r.partition)).size, 1, 'one key stays on one partition');
    assert.deepEqual(mine.map((r) => r.i), [...mine.map((r) => r.i)].sort((a, b) => a - b), 'in order per key');
  }
});
