import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Kafka } from 'kafkajs';
import { uniqueName, waitFor } from '@auditgate/shared/testing';
import type { Alert } from '../../../services/detector/src/engine/alert.js';
import { auditEvent } from '../../../services/detector/src/engine/event-factory.test-helper.js';
import { AlertDlqHeaders } from '../../../services/detector/src/delivery/dead-letter-outbox.js';
import {
  detectorEnv, newTestNames, produceEvents, readWholeTopic, startDetector, startDetectorProcess, startReceiver, testKafka, topicSize, waitQuiet,
  type DetectorProcess, type Received,
} from './support/detector-harness.js';

const kafka = testKafka();
const SECRET = 'detector-delivery-test-secret';
const secretGet = (actor: string, name: string, at: number) => auditEvent({
  uri: `/api/v1/namespaces/prod/secrets/${name}`, verb: 'get', ref: { resource: 'secrets', namespace: 'prod', name }, actor, at,
});
const probe = (actor: string, at: number) => auditEvent({
  uri: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', verb: 'create', code: 201, actor, at,
  ref: { resource: 'selfsubjectrulesreviews', apiGroup: 'authorization.k8s.io' },
});
const header = (r: Received, name: string): string => String(r.headers[name] ?? '');

describe('durable alert delivery (a consumer group per sink on the alerts topic)', () => {
  it('a delivery not yet accepted when the detector is SIGKILLed is redelivered after the restart: exactly one page per key', async () => {
    const names = await newTestNames(kafka);
    let up = false;
    const statuses: number[] = [];
    const hook = await startReceiver(() => { const s = up ? 200 : 503; statuses.push(s); return s; });
    const env = detectorEnv(names, {
      DETECTOR_WEBHOOK_URL: `${hook.url}/hook`, DETECTOR_WEBHOOK_SECRET: SECRET,
      DETECTOR_SINK_MAX_ATTEMPTS: '100', DETECTOR_SINK_BACKOFF_MS: '200', DETECTOR_SINK_MAX_BACKOFF_MS: '400',
    });
    const actor = uniqueName('system:serviceaccount:agents:durable');
    let first: DetectorProcess | undefined;
    let second: DetectorProcess | undefined;
    try {
      first = await startDetectorProcess(env);
      await produceEvents(kafka, names.eventsTopic, [secretGet(actor, 'a', Date.now()), secretGet(actor, 'b', Date.now() + 1)]);
      // Both alerts share the Kafka key (rule|actor): the second waits behind the first, in order.
      await waitFor('failed attempts', async () => (hook.received.length >= 3 ? true : undefined), 60_000);
      await first.kill();
      assert.ok(!statuses.includes(200), 'nothing was accepted before the kill');
      assert.equal(await topicSize(kafka, names.alertsDlqTopic), 0, 'a killed delivery is not dead-lettered');
      up = true;
      second = await startDetectorProcess(env);
      const accepted = (): Received[] => hook.received.filter((_, i) => statuses[i] === 200);
      await waitFor('both alerts accepted after the restart', async () => (accepted().length >= 2 ? true : undefined), 60_000);
      await waitQuiet(kafka, names, ['webhook']);
      const perKey = new Map<string, number>();
      for (const r of accepted()) perKey.set(header(r, 'idempotency-key'), (perKey.get(header(r, 'idempotency-key')) ?? 0) + 1);
      assert.equal(perKey.size, 2);
      assert.deepEqual([...perKey.values()], [1, 1], 'each key accepted exactly once');
      assert.deepEqual(accepted().map((r) => (r.body as Alert).rule), ['SECRET_READ', 'SECRET_READ']);
      assert.equal(await topicSize(kafka, names.alertsDlqTopic), 0, 'nothing dead-lettered');
    } finally {
      await first?.kill();
      await second?.stop();
      await hook.close();
    }
  });

  it('a batch delivered again after its offset commit failed (the group was rebalancing) pages no one twice', async () => {
    const names = await newTestNames(kafka);
    const hook = await startReceiver(() => 200);
    // The webhook delivery group's first commit is refused as a rebalance refuses it: the group re-joins and reads its
    // partitions again from the last committed offset, before the alerts just delivered.
    let refused = 0;
    const flaky = Object.create(kafka) as Kafka;
    flaky.consumer = (config) => {
      const consumer = kafka.consumer(config);
      if (config.groupId.endsWith('-delivery.webhook')) {
        const commit = consumer.commitOffsets.bind(consumer);
        consumer.commitOffsets = async (offsets) => {
          if (refused === 0) { refused += 1; throw Object.assign(new Error('The group is rebalancing, so a rejoin is needed'), { name: 'KafkaJSProtocolError', type: 'REBALANCE_IN_PROGRESS', retriable: true }); }
          return commit(offsets);
        };
      }
      return consumer;
    };
    const app = await startDetector(detectorEnv(names, { DETECTOR_WEBHOOK_URL: `${hook.url}/hook`, DETECTOR_WEBHOOK_SECRET: SECRET }), flaky);
    try {
      const actor = uniqueName('system:serviceaccount:agents:recommit');
      await produceEvents(kafka, names.eventsTopic, [secretGet(actor, 'a', Date.now()), secretGet(actor, 'b', Date.now() + 1)]);
      await waitFor('both pages', async () => (hook.received.length >= 2 ? true : undefined), 60_000);
      await waitQuiet(kafka, names, ['webhook']);
      assert.equal(refused, 1, 'a commit was refused');
      const keys = hook.received.map((r) => header(r, 'idempotency-key'));
      assert.equal(keys.length, 2, `one page per alert, not ${keys.length}: ${keys.join(', ')}`);
      assert.equal(new Set(keys).size, 2);
    } finally {
      await app.stop();
      await hook.close();
    }
  });

  it('a delivery consumer that crashed for good (the group coordinator was not found while Kafka started) is restarted: no page is lost', async () => {
    const names = await newTestNames(kafka);
    const hook = await startReceiver(() => 200);
    // The webhook delivery group's first commit fails as kafkajs fails when it cannot find the group coordinator: an
    // error kafkajs does not retry and after which it does not restart the consumer.
    let refused = 0;
    const flaky = Object.create(kafka) as Kafka;
    flaky.consumer = (config) => {
      const consumer = kafka.consumer(config);
      if (config.groupId.endsWith('-delivery.webhook')) {
        const commit = consumer.commitOffsets.bind(consumer);
        consumer.commitOffsets = async (offsets) => {
          if (refused === 0) { refused += 1; throw Object.assign(new Error('Failed to find group coordinator'), { name: 'KafkaJSGroupCoordinatorNotFound', retriable: false }); }
          return commit(offsets);
        };
      }
      return consumer;
    };
    const app = await startDetector(detectorEnv(names, { DETECTOR_WEBHOOK_URL: `${hook.url}/hook`, DETECTOR_WEBHOOK_SECRET: SECRET }), flaky);
    try {
      const actor = uniqueName('system:serviceaccount:agents:coordinator');
      await produceEvents(kafka, names.eventsTopic, [secretGet(actor, 'a', Date.now())]);
      await waitFor('the first page', async () => (hook.received.length >= 1 ? true : undefined), 60_000);
      await produceEvents(kafka, names.eventsTopic, [secretGet(actor, 'b', Date.now())]);
      await waitFor('the page after the crash', async () => (hook.received.length >= 2 ? true : undefined), 60_000);
      await waitQuiet(kafka, names, ['webhook']);
      assert.equal(refused, 1);
      assert.deepEqual(hook.received.map((r) => (r.body as Alert).target.name).sort(), ['a', 'b'], 'each page once');
    } finally {
      await app.stop();
      await hook.close();
    }
  });

  it('a graceful stop does not wait for a delivery in backoff, and does not dead-letter it', async () => {
    const names = await newTestNames(kafka);
    const hook = await startReceiver(() => 503);
    const app = await startDetector(detectorEnv(names, {
      DETECTOR_WEBHOOK_URL: `${hook.url}/hook`, DETECTOR_WEBHOOK_SECRET: SECRET,
      DETECTOR_SINK_MAX_ATTEMPTS: '100', DETECTOR_SINK_BACKOFF_MS: '2000', DETECTOR_SINK_MAX_BACKOFF_MS: '4000',
    }));
    try {
      await produceEvents(kafka, names.eventsTopic, [secretGet(uniqueName('system:serviceaccount:agents:graceful'), 'a', Date.now())]);
      await waitFor('a failed attempt', async () => (hook.received.length >= 1 ? true : undefined), 30_000);
    } finally {
      const t = Date.now();
      await app.stop();
      assert.ok(Date.now() - t < 5000, `a stop does not wait for the backoff (${Date.now() - t} ms)`);
      await hook.close();
    }
    assert.deepEqual(app.deadLetters(), [], 'a stop abandons a delivery; it does not dead-letter it');
    assert.equal(await topicSize(kafka, names.alertsDlqTopic), 0);
  });

  it('a 4xx sink and a dead sink dead-letter to the DLQ topic after bounded attempts; the other sinks still page', async () => {
    const names = await newTestNames(kafka);
    const pd = await startReceiver(() => 400);
    const dead = await startReceiver(() => 503);
    const slack = await startReceiver(() => 200);
    const app = await startDetector(detectorEnv(names, {
      DETECTOR_PAGERDUTY_ROUTING_KEY: 'R0UT1NGKEY0123456789012345678901', DETECTOR_PAGERDUTY_URL: `${pd.url}/v2/enqueue`,
      DETECTOR_WEBHOOK_URL: `${dead.url}/hook`, DETECTOR_WEBHOOK_SECRET: SECRET, DETECTOR_SLACK_WEBHOOK_URL: `${slack.url}/services/T/B/X`,
      DETECTOR_SINK_MAX_ATTEMPTS: '3', DETECTOR_SINK_BACKOFF_MS: '50',
    }));
    try {
      const actor = uniqueName('system:serviceaccount:agents:deadsink');
      await produceEvents(kafka, names.eventsTopic, [auditEvent({
        uri: '/api/v1/namespaces/prod/pods/web/exec?command=sh', verb: 'create', code: 101, actor, at: Date.now(),
        ref: { resource: 'pods', namespace: 'prod', name: 'web', subresource: 'exec' },
      })]);
      await waitFor('the Slack message', async () => (slack.received.length >= 1 ? true : undefined), 30_000);
      await waitQuiet(kafka, names, ['pagerduty', 'webhook', 'slack']);
      const dlq = await readWholeTopic(kafka, names.alertsDlqTopic);
      assert.equal(dlq.length, 2, JSON.stringify(dlq.map((r) => r.headers)));
      const bySink = Object.fromEntries(dlq.map((r) => [r.headers[AlertDlqHeaders.sink], r]));
      assert.equal(bySink['pagerduty']?.headers[AlertDlqHeaders.attempts], '1', '400 not retried');
      assert.equal(bySink['webhook']?.headers[AlertDlqHeaders.attempts], '3', 'bounded attempts');
      const alert = JSON.parse(bySink['webhook']!.value) as Alert;
      assert.equal(alert.rule, 'POD_EXEC');
      assert.equal(bySink['webhook']!.key, alert.dedupKey);
      assert.equal(pd.received.length, 1);
      assert.equal(dead.received.length, 3);
      assert.equal(slack.received.length, 1);
      assert.deepEqual(app.deadLetters().map((l) => l.sink).sort(), ['pagerduty', 'webhook']);
      const metrics = await (await fetch(`http://127.0.0.1:${app.ops}/metrics`)).text();
      assert.match(metrics, /auditgate_detector_dead_letters_total\{[^}]*sink="webhook"[^}]*\} 1\n/);
    } finally {
      await app.stop();
      await Promise.all([pd.close(), dead.close(), slack.close()]);
    }
  });

  it('PERMISSION_PROBE escalates the same alert: one PagerDuty dedup_key, low then high; webhook keys per version', async () => {
    const names = await newTestNames(kafka);
    const pd = await startReceiver(() => 202);
    const hook = await startReceiver(() => 200);
    const app = await startDetector(detectorEnv(names, {
      DETECTOR_PAGERDUTY_ROUTING_KEY: 'R0UT1NGKEY0123456789012345678901', DETECTOR_PAGERDUTY_URL: `${pd.url}/v2/enqueue`, DETECTOR_PAGERDUTY_MIN_SEVERITY: 'low',
      DETECTOR_WEBHOOK_URL: `${hook.url}/hook`, DETECTOR_WEBHOOK_SECRET: SECRET,
    }));
    try {
      const actor = uniqueName('system:serviceaccount:agents:probe');
      const t = Date.now();
      await produceEvents(kafka, names.eventsTopic, Array.from({ length: 12 }, (_, i) => probe(actor, t + i * 100)));
      await waitFor('two PagerDuty triggers', async () => (pd.received.length >= 2 && hook.received.length >= 2 ? true : undefined), 30_000);
      await waitQuiet(kafka, names, ['pagerduty', 'webhook']);
      const triggers = pd.received.map((r) => r.body as { dedup_key: string; event_action: string; payload: { severity: string; custom_details: { alertId: string } } });
      assert.deepEqual(triggers.map((b) => `${b.event_action}:${b.payload.severity}`), ['trigger:info', 'trigger:error']);
      assert.equal(triggers[0]!.dedup_key, triggers[1]!.dedup_key, 'same PagerDuty alert');
      assert.equal(triggers[0]!.payload.custom_details.alertId, triggers[1]!.payload.custom_details.alertId);
      const posts = hook.received;
      assert.equal(posts.length, 2);
      assert.equal(header(posts[0]!, 'x-auditgate-dedup-key'), header(posts[1]!, 'x-auditgate-dedup-key'));
      assert.notEqual(header(posts[0]!, 'idempotency-key'), header(posts[1]!, 'idempotency-key'), 'the escalation is a new delivery');
      // Each page carries the count so far: repeats published in the same batch fold into it (never less than at the page).
      const [low, high] = posts.map((r) => r.body as Alert) as [Alert, Alert];
      assert.deepEqual([low.severity, high.severity], ['low', 'high']);
      assert.ok(low.count >= 1 && low.count <= 9, `low page count ${low.count}`);
      assert.ok(high.count >= 10 && high.count <= 12, `high page count ${high.count}`);
      assert.deepEqual([low.change, high.change], ['raised', 'escalated']);
    } finally {
      await app.stop();
      await Promise.all([pd.close(), hook.close()]);
    }
  });
});
