import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '@auditgate/shared';
import { readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';
import { auditEvent } from '../../../services/detector/src/engine/event-factory.test-helper.js';
import { loadRules } from '../../../services/detector/src/rules/load-rules.js';
import { BUILTIN_RULES_DIR } from '../../../services/detector/src/config/load-config.js';
import { DetectionEngine } from '../../../services/detector/src/engine/detection-engine.js';
import type { Alert } from '../../../services/detector/src/engine/alert.js';
import { SinkQueue, type DeadLetter } from '../../../services/detector/src/delivery/sink-queue.js';
import type { AlertSink } from '../../../services/detector/src/sinks/alert-sink.js';
import { createPagerDutySink } from '../../../services/detector/src/sinks/pagerduty-sink.js';
import { detectorEnv, newTestNames, produceEvents, startDetector, startReceiver, testKafka } from './support/detector-harness.js';

const stack = readStackEnv(process.env);
const quiet = createLogger({ name: 'sink-test', level: 'silent' });
const engine = new DetectionEngine({ rules: loadRules([BUILTIN_RULES_DIR]), queryUrl: 'http://query.test' });
const execAlert = (actor = uniqueName('agent')): Alert => engine.process(auditEvent({
  uri: '/api/v1/namespaces/prod/pods/web/exec?command=sh', verb: 'create', code: 101, actor, at: Date.now(), onBehalfOf: 'alice@example.com',
  ref: { resource: 'pods', namespace: 'prod', name: 'web', subresource: 'exec' },
}))[0]!;
const queue = (sink: AlertSink, dead: DeadLetter[]): SinkQueue => new SinkQueue({
  sink, logger: quiet, maxQueue: 100, maxAttempts: 4, initialBackoffMs: 20, maxBackoffMs: 100, onDeadLetter: (l) => dead.push(l),
});

describe('alert sinks against local receivers', () => {
  it('PagerDuty Events v2: documented trigger shape, 429 and 5xx retried, stable dedup_key, resolve', async () => {
    const pd = await startReceiver((_r, i) => (i === 0 ? 429 : i === 1 ? 503 : 202));
    const dead: DeadLetter[] = [];
    try {
      const q = queue(createPagerDutySink({ url: `${pd.url}/v2/enqueue`, routingKey: 'R0UT1NGKEY0123456789012345678901', fetch, timeoutMs: 2000 }), dead);
      const alert = execAlert();
      q.enqueue({ kind: 'deliver', alert });
      q.enqueue({ kind: 'resolve', alert });
      await waitFor('trigger + resolve accepted', async () => (pd.received.length >= 4 ? true : undefined));
      const body = pd.received[2]!.body as Record<string, any>;
      assert.equal(pd.received[0]!.raw, pd.received[2]!.raw, 'retries send the same body');
      assert.equal(body['routing_key'], 'R0UT1NGKEY0123456789012345678901');
      assert.equal(body['event_action'], 'trigger');
      assert.equal(body['dedup_key'], alert.dedupKey);
      assert.ok(body['payload'].summary.length <= 1024);
      assert.equal(body['payload'].severity, 'error');
      assert.equal(typeof body['payload'].source, 'string');
      assert.ok(!Number.isNaN(Date.parse(body['payload'].timestamp)));
      assert.equal(body['payload'].custom_details.actor, alert.actor);
      assert.deepEqual(pd.received[3]!.body, { routing_key: 'R0UT1NGKEY0123456789012345678901', event_action: 'resolve', dedup_key: alert.dedupKey });
      assert.deepEqual(dead, []);
    } finally { await pd.close(); }
  });

  it('the detector app routes to Alertmanager end to end (Kafka → AM → webhook)', async () => {
    const kafka = testKafka();
    const names = await newTestNames(kafka);
    const hook = new URL(stack.alertmanagerWebhookUrl);
    const receiver = await startReceiver(() => 200, Number(hook.port), 60_000);
    const app = await startDetector(detectorEnv(names, { DETECTOR_ALERTMANAGER_URL: stack.alertmanagerUrl }));
    try {
      const actor = uniqueName('system:serviceaccount:agents:am-e2e');
      await produceEvents(kafka, names.eventsTopic, [auditEvent({ uri: '/api/v1/pods', verb: 'list', ref: { resource: 'pods', namespace: '' }, actor, at: Date.now() })]);
      await waitFor('CLUSTERWIDE_LIST at the Alertmanager webhook', async () => receiver.received.some((r) => r.raw.includes(actor) && r.raw.includes('CLUSTERWIDE_LIST')) || undefined, 30_000);
    } finally { await app.stop(); await receiver.close(); }
  });
});
