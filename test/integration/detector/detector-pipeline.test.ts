import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { waitFor, uniqueName } from '@auditgate/shared/testing';
import { auditEvent } from '../../../services/detector/src/engine/event-factory.test-helper.js';
import type { Alert } from '../../../services/detector/src/engine/alert.js';
import { alertIndexName } from '../../../services/detector/src/sinks/opensearch-alert-sink.js';
import { detectorEnv, newTestNames, produceEvents, startDetector, startReceiver, testKafka, testOpenSearch, type Receiver } from './support/detector-harness.js';

const kafka = testKafka();
const SECRET = 'detector-test-webhook-secret';
const secretGet = (actor: string, name: string, at: number) => auditEvent({
  uri: `/api/v1/namespaces/prod/secrets/${name}`, verb: 'get', ref: { resource: 'secrets', namespace: 'prod', name }, actor, at,
});
const rulesOf = (hook: Receiver): string[] => hook.received.map((r) => (r.body as Alert).rule).sort();

async function readAlerts(topic: string, min: number): Promise<Array<{ key: string; alert: Alert }>> {
  const consumer = kafka.consumer({ groupId: uniqueName('det-read'), maxWaitTimeInMs: 100 });
  const got: Array<{ key: string; alert: Alert }> = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => { got.push({ key: message.key?.toString() ?? '', alert: JSON.parse(message.value!.toString()) as Alert }); } });
    await waitFor(`${min} alerts on ${topic}`, async () => (got.length >= min ? true : undefined), 30_000);
    await new Promise((r) => setTimeout(r, 1000));
    return got;
  } finally {
    await consumer.disconnect();
  }
}

describe('detector through real Kafka, OpenSearch and a webhook', () => {
  const opensearch = testOpenSearch();
  after(async () => { await opensearch.close(); });

  it('turns produced events into alerts on the alerts topic, signed webhook posts and OpenSearch docs', async () => {
    const names = await newTestNames(kafka);
    const hook = await startReceiver();
    const app = await startDetector(detectorEnv(names, { DETECTOR_WEBHOOK_URL: `${hook.url}/hook`, DETECTOR_WEBHOOK_SECRET: SECRET }));
    try {
      const actor = uniqueName('system:serviceaccount:agents:e2e');
      const t = Date.now();
      await produceEvents(kafka, names.eventsTopic, [secretGet(actor, 'a', t), secretGet(actor, 'b', t + 1000), secretGet(actor, 'c', t + 2000)]);
      await waitFor('4 webhook posts', async () => (hook.received.length >= 4 ? true : undefined), 30_000);
      assert.deepEqual(rulesOf(hook), ['SECRET_READ', 'SECRET_READ', 'SECRET_READ', 'SECRET_READ_BURST']);
      for (const r of hook.received) {
        assert.equal(r.headers['x-auditgate-signature'], `sha256=${createHmac('sha256', SECRET).update(r.raw).digest('hex')}`);
        assert.equal(r.headers['idempotency-key'], `${(r.body as Alert).dedupKey}@${(r.body as Alert).severity}`);
        assert.equal(r.headers['x-auditgate-dedup-key'], (r.body as Alert).dedupKey);
      }
      const burst = hook.received.map((r) => r.body as Alert).find((a) => a.rule === 'SECRET_READ_BURST')!;
      assert.equal(burst.actor, actor);
      assert.equal(burst.count, 3);
      assert.equal(burst.evidence.length, 3);
      assert.match(burst.link, /^http:\/\/query\.test:8080\/ui\/events\/[0-9a-f-]+$/);

      const onTopic = await readAlerts(names.alertsTopic, 4);
      assert.equal(onTopic.length, 4);
      assert.ok(onTopic.every((m) => m.key === `${m.alert.rule}|${actor}`));

      const doc = await waitFor('alert doc in OpenSearch', async () => {
        const res = await opensearch.get({ index: alertIndexName(names.indexPrefix, burst), id: burst.id }).catch(() => undefined);
        return res?.body.found === true ? res.body : undefined;
      }, 20_000);
      assert.equal((doc._source as Alert).rule, 'SECRET_READ_BURST');
      assert.equal((doc._source as Alert).dedupKey, burst.dedupKey);
    } finally {
      await app.stop();
      await hook.close();
    }
  });

  it('a restart mid-window loses no alert and pages nothing twice', async () => {
    const names = await newTestNames(kafka);
    const hook = await startReceiver();
    const env = detectorEnv(names, { DETECTOR_WEBHOOK_URL: `${hook.url}/hook`, DETECTOR_WEBHOOK_SECRET: SECRET, DETECTOR_LOOKBACK_MS: '600000' });
    const actor = uniqueName('system:serviceaccount:agents:restart');
    const t = Date.now();
    const first = await startDetector(env);
    try {
      await produceEvents(kafka, names.eventsTopic, [secretGet(actor, 'a', t), secretGet(actor, 'b', t + 1000)]);
      await waitFor('2 SECRET_READ posts', async () => (hook.received.length >= 2 ? true : undefined), 30_000);
    } finally {
      await first.stop();
    }
    assert.deepEqual(rulesOf(hook), ['SECRET_READ', 'SECRET_READ']);
    const second = await startDetector(env);
    try {
      // Same secret again (deduped by the rebuilt suppression state) and a third distinct one (completes the burst).
      await produceEvents(kafka, names.eventsTopic, [secretGet(actor, 'a', t + 2000), secretGet(actor, 'c', t + 3000)]);
      await waitFor('the burst after restart', async () => (rulesOf(hook).includes('SECRET_READ_BURST') ? true : undefined), 30_000);
      await new Promise((r) => setTimeout(r, 2000));
      assert.deepEqual(rulesOf(hook), ['SECRET_READ', 'SECRET_READ', 'SECRET_READ', 'SECRET_READ_BURST']);
      const keys = hook.received.map((r) => r.headers['idempotency-key']);
      assert.equal(new Set(keys).size, keys.length, 'no dedup key delivered twice');
      // The repeat of secret a updated its alert on the topic (count 2) without paging.
      const onTopic = await readAlerts(names.alertsTopic, 5);
      assert.equal(onTopic.filter((m) => m.alert.change !== 'updated').length, 4);
      const updates = onTopic.filter((m) => m.alert.change === 'updated').map((m) => m.alert);
      assert.deepEqual(updates.map((a) => `${a.rule}:${a.target.name}:${a.count}`), ['SECRET_READ:a:2']);
      assert.equal(updates[0]!.id, hook.received.map((r) => r.body as Alert).find((a) => a.target.name === 'a')!.id);
    } finally {
      await second.stop();
      await hook.close();
    }
  });
});
