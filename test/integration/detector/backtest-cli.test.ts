// `auditgate rules test` over what a real session stored: kubectl through the gateway → Kafka → indexer → OpenSearch,
// with the live detector beside it. The backtest finds the same alerts (same ids) and pages no one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureTopics } from '@auditgate/shared';
import { readStackEnv, waitFor } from '@auditgate/shared/testing';
import { indexerEnv, startInProcess, testOpenSearch } from '../indexer/support/indexer-harness.js';
import { startGatewayPipeline, type Agent, type GatewayPipeline } from './support/gateway-pipeline.js';

const run = promisify(execFile);
const stack = readStackEnv(process.env);
const ROOT = new URL('../../../', import.meta.url).pathname;
const CLI = join(ROOT, 'services/query/bin/auditgate.js');

interface JsonReport {
  eventsScanned: number;
  rules: Array<{ rule: string; alerts: number; events: number; actors: Array<{ actor: string; alerts: number }>; samples: Array<{ id: string; outcomes: Record<string, number>; sampleEvents: string[] }> }>;
}

describe('auditgate rules test: a backtest over stored events', { timeout: 10 * 60_000 }, () => {
  let p: GatewayPipeline;
  let indexer: Awaited<ReturnType<typeof startInProcess>>;
  let agent: Agent;
  const opensearch = testOpenSearch();
  const indexPrefix = `${Date.now().toString(36)}-bt-events`;
  let start = 0;

  before(async () => {
    p = await startGatewayPipeline();
    const dlqTopic = `${p.names.eventsTopic}.dlq`;
    await ensureTopics(p.kafka, [{ topic: dlqTopic, numPartitions: 1, configEntries: [] }]);
    indexer = await startInProcess(indexerEnv({ topic: p.names.eventsTopic, dlqTopic, indexPrefix, groupId: `${p.names.groupId}-indexer` }));
    ({ attacker: agent } = await p.agents('attacker'));
    start = Date.now();
    await agent.attempt(['get', 'secrets', '-A']);
    await agent.kubectl(['-n', p.namespace, 'create', 'configmap', 'notes', '--from-literal=a=b']);
    for (const name of ['notes', 'notes', 'missing']) await agent.attempt(['-n', p.namespace, 'get', 'configmap', name]);
    await p.waitAlert(agent.username, 'SECRET_LIST_CLUSTERWIDE');
    await p.waitDelivered();
    await waitFor('the session stored in OpenSearch', async () => {
      await opensearch.indices.refresh({ index: `${indexPrefix}-*` }).catch(() => undefined);
      const r = await opensearch.count({ index: `${indexPrefix}-*`, body: { query: { bool: { filter: [{ term: { complete: true } }, { term: { 'auditgate.actor.username': agent.username } }] } } } }).catch(() => undefined);
      return (r?.body.count ?? 0) >= 5 ? true : undefined;
    }, 60_000, 500);
  });
  after(async () => {
    await indexer?.stop();
    await p?.stop();
    await opensearch.indices.delete({ index: `${indexPrefix}-*` }).catch(() => undefined);
    await opensearch.close();
  });

  const backtest = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, 'rules', 'test', ...args], { cwd: ROOT, env: { ...process.env, OPENSEARCH_URL: stack.opensearchUrl }, timeout: 120_000 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  };
  const period = (): string[] => ['--from', new Date(start - 60_000).toISOString(), '--to', 'now', '--index', `${indexPrefix}-*`];

  it('a shipped rule file: the same alerts the live detector raised, same ids and outcomes; nothing paged', async () => {
    const posted = p.hook.received.length;
    const { code, stdout, stderr } = await backtest(join(ROOT, 'services/detector/rules/secrets.yaml'), ...period(), '--json');
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout) as JsonReport;
    assert.ok(report.eventsScanned >= 5);
    const cw = report.rules.find((r) => r.rule === 'SECRET_LIST_CLUSTERWIDE')!;
    assert.equal(cw.alerts, 1);
    assert.deepEqual(cw.actors.map((a) => a.actor), [agent.username]);
    const live = p.alertsOf(agent.username).find((a) => a.rule === 'SECRET_LIST_CLUSTERWIDE')!;
    assert.equal(cw.samples[0]?.id, live.id, 'the backtest replays the live detection exactly');
    assert.deepEqual(cw.samples[0]?.outcomes, { refused: 1 });
    assert.deepEqual(cw.samples[0]?.sampleEvents, live.evidence);
    await p.waitDelivered();
    assert.equal(p.hook.received.length, posted, 'a backtest pages no one');
  });

  it('a new rule, as text: count, actors and sample events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ag-bt-'));
    const file = join(dir, 'configmap-reads.yaml');
    writeFileSync(file, 'id: CONFIGMAP_READ\ntitle: ConfigMap read\nseverity: low\ntechnique: T1613\nmatch:\n  verb: get\n  objectRef.resource: configmaps\nscope: [objectRef.name]\n');
    const { code, stdout, stderr } = await backtest(file, ...period());
    assert.equal(code, 0, stderr);
    assert.match(stdout, /dry run: nothing is paged or stored/);
    assert.match(stdout, /CONFIGMAP_READ  ConfigMap read  \[T1613 Container and Resource Discovery\]\n  would fire: 2 alerts \(2 low\) over 3 events\n/);
    assert.match(stdout, new RegExp(`actors \\(1\\): ${agent.username.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ×2`));
    assert.match(stdout, /outcomes: 2 allowed; events: [0-9a-f-]{36} [0-9a-f-]{36}/);
    assert.match(stdout, /outcomes: 1 failed; events: [0-9a-f-]{36}/, 'the 404 of a missing ConfigMap is an attempt too');
  });

  it('refuses an invalid rule file with exit code 2 and the problems', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ag-bt-')), 'bad.yaml');
    writeFileSync(file, 'id: BAD\nseverity: urgent\nmatch: { derived.nope: true }\n');
    const { code, stderr } = await backtest(file, ...period());
    assert.equal(code, 2);
    assert.match(stderr, /severity: must be one of/);
    assert.match(stderr, /unknown derived field "derived.nope"/);
  });
});
