import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { waitFor, uniqueName } from '@auditgate/shared/testing';
import { auditEvent } from '../../../services/detector/src/engine/event-factory.test-helper.js';
import type { Alert } from '../../../services/detector/src/engine/alert.js';
import { alertIndexName } from '../../../services/detector/src/sinks/opensearch-alert-sink.js';
import {
  detectorEnv, newTestNames, produceEvents, readWholeTopic, startDetector, startDetectorProcess, startReceiver, testKafka, testOpenSearch, waitQuiet,
  type DetectorProcess, type Receiver,
} from './support/detector-harness.js';

const kafka = testKafka();
const SECRET = 'detector-test-webhook-secret';
const secretGet = (actor: string, name: string, at: number) => auditEvent({
  uri: `/api/v1/namespaces/prod/secrets/${name}`, verb: 'get', ref: { resource: 'secrets', namespace: 'prod', name }, actor, at,
});
const rulesOf = (hook: Receiver): string[] => hook.received.map((r) => (r.body as Alert).rule).sort();

/** Every alert on `topic` (read to its end; call once the detector is quiet). */
async function readAlerts(topic: string): Promise<Array<{ key: string; alert: Alert }>> {
  return (await readWholeTopic(kafka, topic)).map((r) => ({ key: r.key, alert: JSON.parse(r.value) as Alert }));
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
      await waitQuiet(kafka, names, ['webhook']);
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

      const onTopic = await readAlerts(names.alertsTopic);
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

  it('a publish of alerts that fails (Kafka refused it) is retried with the batch: the alert is not lost', async () => {
    const names = await newTestNames(kafka);
    const hook = await startReceiver();
    // The detector's producer refuses its first send to the alerts topic, as a broker going away would.
    let refused = 0;
    const flaky = Object.create(kafka) as Kafka;
    flaky.producer = (options) => {
      const producer = kafka.producer(options);
      const send = producer.send.bind(producer);
      producer.send = async (record) => {
        if (record.topic === names.alertsTopic && refused === 0) { refused += 1; throw new Error('Closed connection'); }
        return send(record);
      };
      return producer;
    };
    const app = await startDetector(detectorEnv(names, { DETECTOR_WEBHOOK_URL: `${hook.url}/hook`, DETECTOR_WEBHOOK_SECRET: SECRET }), flaky);
    try {
      const actor = uniqueName('system:serviceaccount:agents:flaky');
      await produceEvents(kafka, names.eventsTopic, [secretGet(actor, 'a', Date.now())]);
      await waitFor('the page after the refused publish', async () => (hook.received.length >= 1 ? true : undefined), 60_000);
      await waitQuiet(kafka, names, ['webhook']);
      assert.equal(refused, 1, 'the first publish was refused');
      assert.deepEqual(rulesOf(hook), ['SECRET_READ']);
    } finally {
      await app.stop();
      await hook.close();
    }
  });

  it('a restart (SIGKILL) mid-window loses no alert and pages nothing twice', async () => {
    const names = await newTestNames(kafka);
    const hook = await startReceiver();
    const env = detectorEnv(names, { DETECTOR_WEBHOOK_URL: `${hook.url}/hook`, DETECTOR_WEBHOOK_SECRET: SECRET, DETECTOR_LOOKBACK_MS: '600000' });
    const actor = uniqueName('system:serviceaccount:agents:restart');
    const t = Date.now();
    let first: DetectorProcess | undefined;
    let second: DetectorProcess | undefined;
    try {
      first = await startDetectorProcess(env);
      await produceEvents(kafka, names.eventsTopic, [secretGet(actor, 'a', t), secretGet(actor, 'b', t + 1000)]);
      await waitFor('2 SECRET_READ posts', async () => (hook.received.length >= 2 ? true : undefined), 60_000);
      // The kill comes once both pages are committed: what the restart must rebuild is the window, not a delivery.
      await waitQuiet(kafka, names, ['webhook']);
      await first.kill();
      assert.deepEqual(rulesOf(hook), ['SECRET_READ', 'SECRET_READ']);
      second = await startDetectorProcess(env);
      // Same secret again (deduped by the rebuilt suppression state) and a third distinct one (completes the burst).
      await produceEvents(kafka, names.eventsTopic, [secretGet(actor, 'a', t + 2000), secretGet(actor, 'c', t + 3000)]);
      await waitFor('the burst after restart', async () => (rulesOf(hook).includes('SECRET_READ_BURST') ? true : undefined), 60_000);
      await waitQuiet(kafka, names, ['webhook']);
      assert.deepEqual(rulesOf(hook), ['SECRET_READ', 'SECRET_READ', 'SECRET_READ', 'SECRET_READ_BURST']);
      const keys = hook.received.map((r) => r.headers['idempotency-key']);
      assert.equal(new Set(keys).size, keys.length, 'no dedup key delivered twice');
      // The repeat of secret a updated its alert on the topic (count 2) without paging.
      const onTopic = await readAlerts(names.alertsTopic);
      assert.equal(onTopic.filter((m) => m.alert.change !== 'updated').length, 4);
      const updates = onTopic.filter((m) => m.alert.change === 'updated').map((m) => m.alert);
      assert.deepEqual(updates.map((a) => `${a.rule}:${a.target.name}:${a.count}`), ['SECRET_READ:a:2']);
      assert.equal(updates[0]!.id, hook.received.map((r) => r.body as Alert).find((a) => a.target.name === 'a')!.id);
    } finally {
      await first?.kill();
      await second?.stop();
      await hook.close();
    }
  });
});
