import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';
import type { Alert } from '../../../services/detector/src/engine/alert.js';
import { auditEvent } from '../../../services/detector/src/engine/event-factory.test-helper.js';
import { alertsIndexMappings, alertsTemplateName } from '../../../services/detector/src/sinks/alerts-index-template.js';
import { alertIndexName } from '../../../services/detector/src/sinks/opensearch-alert-sink.js';
import { detectorEnv, newTestNames, produceEvents, startDetector, startReceiver, testKafka, testOpenSearch } from './support/detector-harness.js';

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

  it('the real Alertmanager keeps a restarted detector\'s active alert firing (rebuilt from the topic), then gets it resolved', async () => {
    const names = await newTestNames(kafka);
    const hook = new URL(stack.alertmanagerWebhookUrl);
    const receiver = await startReceiver(() => 200, Number(hook.port), 60_000);
    const env = detectorEnv(names, {
      DETECTOR_ALERTMANAGER_URL: stack.alertmanagerUrl, DETECTOR_ALERT_ACTIVE_MS: '14000', DETECTOR_ALERT_RESEND_MS: '1000', DETECTOR_ALERTMANAGER_TTL_MS: '3000',
    });
    const actor = uniqueName('system:serviceaccount:agents:am-restart');
    type Payload = { alerts: Array<{ status: string; labels: Record<string, string> }> };
    const seen = (status: string): boolean => receiver.received.filter((r) => r.path === hook.pathname)
      .some((r) => (r.body as Payload).alerts.some((a) => a.labels['actor'] === actor && a.status === status));
    try {
      const first = await startDetector(env);
      let t0: number;
      try {
        await produceEvents(kafka, names.eventsTopic, [auditEvent({ uri: '/api/v1/pods', verb: 'list', ref: { resource: 'pods', namespace: '' }, actor, at: Date.now() })]);
        await waitFor('the alert active in Alertmanager', async () => ((await amAlerts(actor)).some((a) => a.status.state === 'active') ? true : undefined), 30_000);
        t0 = Date.now();
        await waitFor('firing at the webhook', async () => seen('firing') || undefined, 30_000);
      } finally {
        await first.stop();
      }
      const second = await startDetector(env);
      try {
        // Without the rebuilt set, the last re-send of the first detector would let Alertmanager end it ~3 s after the stop.
        await new Promise((r) => setTimeout(r, Math.max(0, t0 + 8000 - Date.now())));
        const still = (await amAlerts(actor)).find((a) => a.labels['alertname'] === 'CLUSTERWIDE_LIST');
        assert.equal(still?.status.state, 'active', 'still firing 8 s later: the restarted detector re-sends it');
        assert.ok(Date.parse(still!.endsAt) > Date.now());
        assert.equal(seen('resolved'), false);
        await waitFor('resolved at the webhook', async () => seen('resolved') || undefined, 30_000);
        assert.ok(Date.now() - t0 >= 10_000, `resolved when its active time ran out, not before (${Date.now() - t0} ms)`);
      } finally {
        await second.stop();
      }
    } finally {
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
