/**
 * Runs last (test files run in name order): reads every audit event produced to Kafka since this test run started
 * and checks that no secret value any test created appears in it, in plain text or base64. Tests that create
 * secrets use values with the prefix TEST_SECRET_PREFIX.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createKafka, createLogger, Topics } from '@auditgate/shared';
import { readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';

const TEST_SECRET_PREFIX = 's3cr3t-';

/** Base64 fragments that any base64 encoding of a string containing `text` must contain, at each alignment. */
function base64Needles(text: string): string[] {
  return [0, 1, 2].map((shift) => {
    const encoded = Buffer.from('x'.repeat(shift) + text).toString('base64');
    const start = Math.ceil((shift * 4) / 3) + 1;
    return encoded.slice(start, Math.floor(((shift + text.length) * 4) / 3) - 1);
  });
}

it('Kafka holds no plaintext of any secret created during this test run', async () => {
  const stack = readStackEnv(process.env);
  const since = Number(process.env['AUDITGATE_TEST_RUN_STARTED'] ?? Date.now() - 3_600_000);
  const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: uniqueName('plaintext-scan'), logger: createLogger({ name: 'scan', level: 'error' }) });
  const admin = kafka.admin();
  await admin.connect();
  const from = await admin.fetchTopicOffsetsByTimestamp(Topics.events, since);
  const to = await admin.fetchTopicOffsets(Topics.events);
  await admin.disconnect();
  const remaining = new Map(to.map((o) => [o.partition, Number(o.high)]));
  const consumer = kafka.consumer({ groupId: uniqueName('plaintext-scan') });
  await consumer.connect();
  await consumer.subscribe({ topic: Topics.events });
  const needles = [TEST_SECRET_PREFIX, ...base64Needles(TEST_SECRET_PREFIX)];
  const hits: string[] = [];
  let scanned = 0;
  const done = new Set<number>();
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      scanned += 1;
      const text = message.value?.toString('utf8') ?? '';
      for (const needle of needles) if (text.includes(needle)) hits.push(`${needle} in ${text.slice(0, 300)}`);
      if (Number(message.offset) + 1 >= (remaining.get(partition) ?? 0)) done.add(partition);
    },
  });
  for (const o of from) {
    const end = remaining.get(o.partition) ?? 0;
    if (Number(o.offset) >= end || Number(o.offset) < 0) done.add(o.partition);
    else consumer.seek({ topic: Topics.events, partition: o.partition, offset: o.offset });
  }
  try {
    await waitFor('the whole topic window', async () => (done.size >= to.length ? true : undefined), 120_000, 250);
  } finally {
    await consumer.disconnect();
  }
  assert.deepEqual(hits.slice(0, 5), [], `${hits.length} events carry a test secret in plaintext (scanned ${scanned})`);
});
