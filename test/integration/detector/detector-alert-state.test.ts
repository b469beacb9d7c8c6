import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';
import type { Alert } from '../../../services/detector/src/engine/alert.js';
import { auditEvent } from '../../../services/detector/src/engine/event-factory.test-helper.js';
import { alertsIndexMappings, alertsTemplateName } from '@auditgate/shared';
import { alertIndexName } from '../../../services/detector/src/sinks/opensearch-alert-sink.js';
import {
  detectorEnv, newTestNames, produceEvents, startDetector, startDetectorProcess, startReceiver, testKafka, testOpenSearch, type DetectorProcess,
} from './support/detector-harness.js';

const stack = readStackEnv(process.env);
const kafka = testKafka();
const probe = (actor: string, at: number) => auditEvent({
  uri: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', verb: 'create', code: 201, actor, at,
  ref: { resource: 'selfsubjectrulesreviews', apiGroup: 'authorization.k8s.io' },
});
type AmAlert = { labels: Record<string, string>; endsAt: string; status: { state: string } };

async function amAlerts(actor: string): Promise<AmAlert[]> {
  const res = await fetch(`${stack.alertmanagerUrl}/api/v2/alerts?filter=${encodeURIComponent(`actor="${actor}"`)}`);
  return (await res.json()) as AmAlert[];
}

describe('alert state across restarts', () => {
  const opensearch = testOpenSearch();
  after(async () => { await opensearch.close(); });

  it('the real Alertmanager keeps a SIGKILLed and restarted detector\'s active alert firing (rebuilt from the topic), then gets it resolved', async () => {
    const names = await newTestNames(kafka);
    const hook = new URL(stack.alertmanagerWebhookUrl);
    const receiver = await startReceiver(() => 200, Number(hook.port), 60_000);
    const activeMs = 45_000;
    const ttlMs = 15_000;
    const env = detectorEnv(names, {
      DETECTOR_ALERTMANAGER_URL: stack.alertmanagerUrl, DETECTOR_ALERT_ACTIVE_MS: String(activeMs), DETECTOR_ALERT_RESEND_MS: '1000', DETECTOR_ALERTMANAGER_TTL_MS: String(ttlMs),
    });
    const actor = uniqueName('system:serviceaccount:agents:am-restart');
    type Payload = { alerts: Array<{ status: string; labels: Record<string, string> }> };
    const seen = (status: string): boolean => receiver.received.filter((r) => r.path === hook.pathname)
      .some((r) => (r.body as Payload).alerts.some((a) => a.labels['actor'] === actor && a.status === status));
    const amAlert = async (): Promise<AmAlert | undefined> => (await amAlerts(actor)).find((a) => a.labels['alertname'] === 'CLUSTERWIDE_LIST');
    let first: DetectorProcess | undefined;
    let second: DetectorProcess | undefined;
    try {
      first = await startDetectorProcess(env);
      const eventAt = Date.now();
      await produceEvents(kafka, names.eventsTopic, [auditEvent({ uri: '/api/v1/pods', verb: 'list', ref: { resource: 'pods', namespace: '' }, actor, at: eventAt })]);
      await waitFor('the alert active in Alertmanager', async () => ((await amAlert())?.status.state === 'active' ? true : undefined), 60_000);
      await waitFor('firing at the webhook', async () => seen('firing') || undefined, 60_000);
      await first.kill();
      const killedAt = Date.now();
      // Every re-send of the killed detector asked Alertmanager to keep the alert until at most killedAt + TTL; an end
      // later than that can only come from the restarted detector re-sending the alert it rebuilt from the topic.
      second = await startDetectorProcess(env);
      const resent = await waitFor('a re-send by the restarted detector', async () => {
        const a = await amAlert();
        return a !== undefined && Date.parse(a.endsAt) > killedAt + ttlMs + 500 ? a : undefined;
      }, 60_000, 500);
      assert.equal(resent.status.state, 'active', 'still firing after the restart');
      assert.equal(seen('resolved'), false, 'never resolved while active');
      await waitFor('resolved at the webhook', async () => seen('resolved') || undefined, activeMs + 60_000);
      assert.ok(Date.now() - eventAt >= activeMs - 2000, `resolved when its active time ran out, not before (${Date.now() - eventAt} ms)`);
    } finally {
      await first?.kill();
      await second?.stop();
      await receiver.close();
    }
  });

  it('OpenSearch: the template is installed, and an update after a triage write keeps triage', async () => {
    const names = await newTestNames(kafka);
    const app = await startDetector(detectorEnv(names));
    try {
      const tpl = await opensearch.indices.getIndexTemplate({ name: alertsTemplateName(names.indexPrefix) });
      const installed = (tpl.body as unknown as { index_templates: Array<{ index_template: { template: { mappings: unknown } } }> }).index_templates[0]!;
      assert.deepEqual(installed.index_template.template.mappings, alertsIndexMappings());
      const actor = uniqueName('system:serviceaccount:agents:triage');
      const t = Date.now();
      await produceEvents(kafka, names.eventsTopic, [probe(actor, t)]);
      const get = async (): Promise<(Alert & { triage?: unknown }) | undefined> => {
        const res = await opensearch.search({ index: `${names.indexPrefix}-*`, body: { query: { term: { actor } } } }).catch(() => undefined);
        return (res?.body.hits.hits[0]?._source as (Alert & { triage?: unknown }) | undefined);
      };
      const low = await waitFor('the low alert indexed', async () => { await opensearch.indices.refresh({ index: `${names.indexPrefix}-*` }); return get(); }, 20_000);
      assert.equal(low.severity, 'low');
      const triage = { status: 'acknowledged', history: [{ action: 'acknowledge', by: 'alice@example.com', at: new Date().toISOString(), note: 'looking' }] };
      await opensearch.update({ index: alertIndexName(names.indexPrefix, low), id: low.id, refresh: true, body: { doc: { triage } } });
      await produceEvents(kafka, names.eventsTopic, Array.from({ length: 9 }, (_, i) => probe(actor, t + (i + 1) * 100)));
      const high = await waitFor('the escalation indexed', async () => {
        await opensearch.indices.refresh({ index: `${names.indexPrefix}-*` });
        const doc = await get();
        return doc?.severity === 'high' ? doc : undefined;
      }, 20_000);
      assert.equal(high.id, low.id);
      assert.equal(high.count, 10);
      assert.deepEqual(high.triage, triage, 'the update kept triage');
      const mapping = await opensearch.indices.getMapping({ index: alertIndexName(names.indexPrefix, low) });
      const props = (Object.values(mapping.body)[0] as { mappings: { properties: Record<string, { type?: string; properties?: Record<string, { type?: string }> }> } }).mappings.properties;
      assert.equal(props['triage']?.properties?.['status']?.type, 'keyword');
      assert.equal(props['count']?.type, 'integer');
      const hits = await opensearch.count({ index: `${names.indexPrefix}-*`, body: { query: { term: { 'triage.status': 'acknowledged' } } } });
      assert.equal(hits.body.count, 1, 'triage.status is searchable');
    } finally {
      await app.stop();
      await opensearch.indices.deleteIndexTemplate({ name: alertsTemplateName(names.indexPrefix) }).catch(() => undefined);
    }
  });
});
