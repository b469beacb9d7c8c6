/**
 * One story for analysts, all real: tool calls through the MCP gate (the real kubernetes-mcp-server and an SDK probe
 * server), the gateway's events on their own Kafka topic, the indexer putting MCP events in their own index beside the
 * Kubernetes events, the detector, and the query service's API and CLI. Search by tool call returns exactly that
 * call's Kubernetes requests; a person's timeline lists their tool calls; a call that reaches beyond its arguments
 * raises an alert.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { Client as OpenSearch } from '@opensearch-project/opensearch';
import { createKafka, createLogger, createMetricsRegistry, ensureTopics, isMcpEvent, type AuditEvent, type GatewayEvent, type McpEvent } from '@auditgate/shared';
import { kubectl, readKubeCredentials, readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';
import { createApp as createIndexer, type IndexerApp } from '../../../services/indexer/src/app.js';
import { loadConfig as loadIndexerConfig } from '../../../services/indexer/src/config/load-config.js';
import { createApp as createDetector, type DetectorApp } from '../../../services/detector/src/app.js';
import { loadConfig as loadDetectorConfig } from '../../../services/detector/src/config/load-config.js';
import { runCli } from '../../../services/query/src/cli/run-cli.js';
import { EventCollector } from '../proxy/support/event-collector.js';
import { createAgent } from '../proxy/support/proxy-harness.js';
import { startQueryTestbed, type QueryTestbed } from '../query/support/query-harness.js';
import { startUiSession } from '../query/support/ui-session.js';
import { seedAgentNamespace } from './support/mcp-test-namespace.js';
import { startMcpGateStack, type McpGateStack, type Person } from './support/mcp-gate-stack.js';

const stack = readStackEnv(process.env);
const creds = readKubeCredentials(stack);
const quiet = createLogger({ name: 'mcp-search-test', level: 'silent' });
const POLICY = `apiVersion: auditgate.dev/v1
kind: GatewayPolicy
defaultAction: allow
rules: []
mcp:
  defaultAction: allow
`;

describe('tool calls as one story: search, call view, timeline, CLI, detection', () => {
  const base = uniqueName('mcp-story');
  const names = { events: `${base}.events`, alerts: `${base}.alerts`, index: `${base}-events`, mcpIndex: `${base}-mcp`, alertsIndex: `${base}-alerts` };
  let gate: McpGateStack;
  let indexer: IndexerApp;
  let detector: DetectorApp;
  let query: QueryTestbed;
  let namespace: string;
  let alice: Person;
  const events = new EventCollector();
  const alerts = new EventCollector();
  const calls: Record<string, string> = {};
  const kubeOf = (callId: string): AuditEvent[] => (events.events as unknown as GatewayEvent[])
    .filter((e): e is AuditEvent => !isMcpEvent(e) && e.auditgate.mcp?.callId === callId);
  const api = async (path: string): Promise<any> => {
    const res = await fetch(`${query.baseUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${await query.tokenFor(['analyst'])}` } });
    assert.equal(res.status, 200, await res.clone().text());
    return res.json();
  };

  before(async () => {
    const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: uniqueName('mcp-story'), logger: quiet });
    await ensureTopics(kafka, [{ topic: names.events, numPartitions: 3, configEntries: [] }, { topic: names.alerts, numPartitions: 1, configEntries: [] }]);
    await events.start(names.events);
    await alerts.start(names.alerts);
    const indexerConfig = loadIndexerConfig({
      KAFKA_BROKERS: stack.kafkaBrokers.join(','), OPENSEARCH_URL: stack.opensearchUrl, INDEXER_EVENTS_TOPIC: names.events,
      INDEXER_DLQ_TOPIC: `${base}.dlq`, INDEXER_INDEX_PREFIX: names.index, INDEXER_MCP_INDEX_PREFIX: names.mcpIndex, INDEXER_GROUP_ID: `${base}-indexer`,
      INDEXER_OPS_PORT: '0', INDEXER_FLUSH_INTERVAL_MS: '100', INDEXER_REFRESH_INTERVAL: '1s', INDEXER_CHECKPOINTS_ENABLED: 'false', LOG_LEVEL: 'silent',
    });
    indexer = createIndexer(indexerConfig, { logger: quiet, registry: createMetricsRegistry('indexer'), kafka, opensearch: new OpenSearch({ node: stack.opensearchUrl }) });
    await indexer.start();
    const detectorConfig = loadDetectorConfig({
      KAFKA_BROKERS: stack.kafkaBrokers.join(','), OPENSEARCH_URL: stack.opensearchUrl, DETECTOR_EVENTS_TOPIC: names.events, DETECTOR_ALERTS_TOPIC: names.alerts,
      DETECTOR_ALERTS_DLQ_TOPIC: `${base}.alerts.dlq`, DETECTOR_GROUP_ID: `${base}-detector`, DETECTOR_ALERTS_INDEX_PREFIX: names.alertsIndex,
      DETECTOR_OPS_PORT: '0', DETECTOR_QUERY_URL: 'http://query.test:8080', LOG_LEVEL: 'silent',
    });
    detector = createDetector(detectorConfig, { logger: quiet, registry: createMetricsRegistry('detector'), kafka, opensearch: new OpenSearch({ node: stack.opensearchUrl }) });
    await detector.start();
    query = await startQueryTestbed({ env: { QUERY_EVENTS_INDEX: names.index, QUERY_MCP_INDEX: names.mcpIndex } });
    gate = await startMcpGateStack({ policy: POLICY, env: { PROXY_EVENTS_TOPIC: names.events } });
    const agent = await createAgent('mcp-story');
    namespace = agent.namespace;
    await seedAgentNamespace(namespace, agent.name);
    alice = { sub: `alice-${randomUUID().slice(0, 8)}`, username: '', groups: [] };
    alice = { ...alice, username: `oidc:${alice.sub}` };
    await kubectl(stack, creds.adminKubeconfig, ['-n', namespace, 'create', 'rolebinding', 'alice', '--role', 'mcp-agent', `--user=${alice.username}`]);
    // Three tool calls: two by the real kubernetes-mcp-server, one by the probe that reaches beyond its arguments.
    const kube = await gate.connect('kubernetes', await gate.tokenFor(alice, 'kubernetes'));
    const probe = await gate.connect('probe', await gate.tokenFor(alice, 'probe'));
    const callIdOf = async (tool: string, since: number): Promise<string> => {
      const [e] = await events.waitFor(`${tool} recorded`, (x) => isMcpEvent(x as GatewayEvent) && (x as unknown as McpEvent).auditgate.mcp.toolName === tool
        && (x as unknown as McpEvent).auditgate.mcp.server === 'kubernetes' && x.stage === 'ResponseComplete' && Date.parse(x.requestReceivedTimestamp) >= since - 1000, 1, 60_000);
      return (e as unknown as McpEvent).auditgate.mcp.callId!;
    };
    try {
      let since = Date.now();
      await kube.client.callTool({ name: 'pods_list_in_namespace', arguments: { namespace } });
      calls['pods'] = await callIdOf('pods_list_in_namespace', since);
      since = Date.now();
      await kube.client.callTool({ name: 'events_list', arguments: { namespace } });
      calls['events'] = await callIdOf('events_list', since);
      since = Date.now();
      await probe.client.callTool({ name: 'pods_list_in_namespace', arguments: { namespace } });
      const [probeCall] = await events.waitFor('the probe call', (x) => isMcpEvent(x as GatewayEvent) && (x as unknown as McpEvent).auditgate.mcp.server === 'probe' && x.verb === 'tools/call'
        && x.stage === 'ResponseComplete' && Date.parse(x.requestReceivedTimestamp) >= since - 1000, 1, 60_000);
      calls['probe'] = (probeCall as unknown as McpEvent).auditgate.mcp.callId!;
    } finally {
      await kube.client.close();
      await probe.client.close();
    }
    for (const id of Object.values(calls)) await waitFor(`Kubernetes events of ${id}`, async () => (kubeOf(id).some((e) => e.stage === 'ResponseComplete') ? true : undefined), 30_000);
  });
  after(async () => {
    const steps: Array<[string, () => Promise<unknown>]> = [
      ['gate', async () => gate?.stop()], ['indexer', async () => indexer?.stop()], ['detector', async () => detector?.stop()],
      ['query', async () => query?.close()], ['events', async () => events.stop()], ['alerts', async () => alerts.stop()],
      ['namespace', async () => namespace !== undefined && kubectl(stack, creds.adminKubeconfig, ['delete', 'namespace', namespace, '--wait=false'])],
      ['indices', async () => { const os = new OpenSearch({ node: stack.opensearchUrl }); await os.indices.delete({ index: `${base}-*`, ignore_unavailable: true, allow_no_indices: true }); await os.close(); }],
    ];
    for (const [what, step] of steps) await step().catch((error: unknown) => console.error(`cleanup ${what}:`, error));
  });

  it('search by tool call returns exactly that call\'s Kubernetes requests', async () => {
    for (const id of Object.values(calls)) {
      const expected = [...new Set(kubeOf(id).map((e) => e.auditID))].sort();
      assert.ok(expected.length > 0);
      const found = await waitFor(`the indexed requests of ${id}`, async () => {
        const page = await api(`/events?call=${id}&since=1h&size=500`);
        return page.total === expected.length ? page : undefined;
      }, 60_000, 500);
      assert.deepEqual(found.events.map((e: AuditEvent) => e.auditID).sort(), expected);
      for (const e of found.events as AuditEvent[]) {
        assert.equal(e.auditgate.mcp?.callId, id);
        assert.equal(e.auditgate.mcp?.caller, 'verified');
        assert.equal(e.auditgate.onBehalfOf?.username, alice.username);
      }
    }
  });

  it('the call view shows the tool call with its Kubernetes requests under it; the CLI prints the same', async () => {
    const id = calls['pods']!;
    const view = await waitFor('the call document', async () => { const v = await api(`/mcp/calls/${id}`); return v.call !== null ? v : undefined; }, 60_000, 500);
    assert.equal(view.call.auditgate.mcp.toolName, 'pods_list_in_namespace');
    assert.equal(view.call.auditgate.mcp.outcome, 'ok');
    assert.deepEqual(view.call.requestObject.arguments, { namespace });
    assert.deepEqual(view.kubernetes.events.map((e: AuditEvent) => e.auditID).sort(), [...new Set(kubeOf(id).map((e) => e.auditID))].sort());
    assert.ok(view.kubernetes.events.some((e: AuditEvent) => e.verb === 'list' && e.objectRef?.resource === 'pods'));
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => { text += c.toString('utf8'); });
    const code = await runCli({ argv: ['call', id, '--url', query.baseUrl, '--token', await query.tokenFor(['analyst'])], env: {}, stdout: out, stderr: out, fetch });
    assert.equal(code, 0, text);
    assert.match(text, /pods_list_in_namespace/);
    assert.match(text, new RegExp(`${view.kubernetes.total} of ${view.kubernetes.total} Kubernetes requests of this call`));
    const searched = new PassThrough();
    let json = '';
    searched.on('data', (c: Buffer) => { json += c.toString('utf8'); });
    assert.equal(await runCli({ argv: ['search', '--call', id, '--since', '1h', '--json', '--url', query.baseUrl, '--token', await query.tokenFor(['analyst'])], env: {}, stdout: searched, stderr: searched, fetch }), 0, json);
    assert.equal((JSON.parse(json) as { total: number }).total, view.kubernetes.total);
  });

  it('a person\'s timeline lists their tool calls, each with how many Kubernetes requests it made', async () => {
    const timeline = await waitFor('three tool calls on the timeline', async () => {
      const t = await api(`/actors/${encodeURIComponent(alice.username)}/timeline?since=1h`);
      return (t.toolCalls ?? []).length >= 3 ? t : undefined;
    }, 60_000, 500);
    const byId = new Map((timeline.toolCalls as Array<{ auditgate: { mcp: { callId: string } }; kubernetesRequests: number }>).map((c) => [c.auditgate.mcp.callId, c]));
    for (const id of Object.values(calls)) assert.equal(byId.get(id)?.kubernetesRequests, new Set(kubeOf(id).map((e) => e.auditID)).size);
    assert.ok((timeline.events as AuditEvent[]).some((e) => e.auditgate.mcp?.callId === calls['events']), 'her Kubernetes requests are on it too');
  });

  it('the analyst UI (Chromium) shows the call with its Kubernetes requests under it, and the person\'s timeline lists it', async () => {
    const id = calls['pods']!;
    const view = await api(`/mcp/calls/${id}`);
    const ui = await startUiSession(query);
    try {
      const page = await ui.openAs(['analyst'], `/ui/calls/${id}`);
      await page.waitForSelector('table.events tbody tr');
      assert.match(await page.locator('h1').innerText(), /Tool call\s+pods_list_in_namespace\s+on kubernetes/);
      assert.equal(await page.locator('table.events tbody tr').count(), view.kubernetes.events.length);
      assert.match(await page.locator('#sec-k8s').innerText(), new RegExp(`Kubernetes requests of this call \\(${view.kubernetes.total}\\)`));
      assert.match(await page.locator('dl.facts').innerText(), new RegExp(alice.username));
      await ui.screenshot(page, 'mcp-tool-call');
      const timeline = await ui.openAs(['analyst'], `/ui/actors/${encodeURIComponent(alice.username)}?since=1h`);
      await timeline.waitForSelector('table.tool-calls tbody tr');
      assert.ok(await timeline.locator(`table.tool-calls tbody tr[data-call-id="${id}"]`).count() === 1, 'the call is on the timeline');
      await timeline.locator(`table.tool-calls tbody tr[data-call-id="${id}"] a`).click();
      await timeline.waitForURL(`**/ui/calls/${id}`);
    } finally {
      await ui.close();
    }
  });

  it('a tool call whose Kubernetes requests exceed its arguments raises MCP_TOOL_CALL_EXCEEDS_ARGUMENTS', async () => {
    const [alert] = await alerts.waitFor('the scope alert', (a) => (a as unknown as { rule: string }).rule === 'MCP_TOOL_CALL_EXCEEDS_ARGUMENTS', 1, 60_000) as unknown as Array<Record<string, any>>;
    assert.equal(alert!['severity'], 'critical');
    assert.equal(alert!['actor'], alice.username);
    assert.equal(JSON.stringify(alert).includes(calls['probe']!), true, 'the alert names the call');
    assert.equal((alerts.events as unknown as Array<{ rule: string }>).filter((a) => a.rule === 'MCP_TOOL_CALL_EXCEEDS_ARGUMENTS').every((a) => !JSON.stringify(a).includes(calls['pods']!)), true, 'the real server stayed within its arguments');
  });
});
