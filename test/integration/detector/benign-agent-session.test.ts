// An ordinary read-only agent session, as a kubectl-based MCP server (mcp-server-kubernetes: kubectl get -o json,
// describe, logs) runs it through the gateway under the example policy: pods, namespaces, describe, logs, events, one
// Secret read six times, and one request the policy refuses. It must page no one; what it did is still on record.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { uniqueName, waitFor } from '@auditgate/shared/testing';
import type { Alert } from '../../../services/detector/src/engine/alert.js';
import { testOpenSearch } from './support/detector-harness.js';
import { admin, startGatewayPipeline, type Agent, type GatewayPipeline } from './support/gateway-pipeline.js';

describe('a benign agent session pages no one', { timeout: 10 * 60_000 }, () => {
  let p: GatewayPipeline;
  let agent: Agent;
  const opensearch = testOpenSearch();
  const pod = uniqueName('app');

  before(async () => {
    // What pages a person: Slack from medium, PagerDuty from high (the detector's defaults). The webhook stands for them.
    p = await startGatewayPipeline({ webhookMinSeverity: 'medium' });
    ({ agent } = await p.agents('agent'));
    await admin(['-n', p.namespace, 'run', pod, '--image=nginx']);
    await admin(['-n', p.namespace, 'create', 'secret', 'generic', 'app-config', '--from-literal=url=postgres://db']);
    await waitFor('the app pod running', async () => ((await admin(['-n', p.namespace, 'get', 'pod', pod, '-o', 'jsonpath={.status.phase}'])) === 'Running' ? true : undefined), 120_000);
  });
  after(async () => {
    await p?.stop();
    await opensearch.indices.delete({ index: `${p.names.indexPrefix}-*` }).catch(() => undefined);
    await opensearch.close();
  });

  it('no page for the session; the Secret reads are one low alert whose count and evidence grew to 6', async () => {
    const ns = p.namespace;
    await agent.kubectl(['get', 'namespaces', '-o', 'json']);
    await agent.kubectl(['-n', ns, 'get', 'pods', '-o', 'json']);
    await agent.kubectl(['-n', ns, 'describe', 'pod', pod]);
    await agent.kubectl(['-n', ns, 'logs', pod, '--tail=100']);
    await agent.kubectl(['-n', ns, 'get', 'events', '-o', 'json']);
    await agent.kubectl(['-n', ns, 'get', 'deployments', '-o', 'json']);
    const refused = await agent.attempt(['get', '--raw', '/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy/']);
    assert.equal(refused.ok, false, 'the example policy refuses a service proxy in kube-system');
    assert.match(refused.out, /Forbidden|forbidden/);
    for (let i = 0; i < 6; i += 1) await agent.kubectl(['-n', ns, 'get', 'secret', 'app-config', '-o', 'json']);

    const stored = async (): Promise<Alert[]> => {
      await opensearch.indices.refresh({ index: `${p.names.indexPrefix}-*` }).catch(() => undefined);
      const r = await opensearch.search({ index: `${p.names.indexPrefix}-*`, body: { size: 100, query: { term: { actor: agent.username } } } }).catch(() => undefined);
      return (r?.body.hits.hits ?? []).map((h) => h._source as unknown as Alert);
    };
    const read = await waitFor('the SECRET_READ alert counting all 6 reads', async () => {
      const found = (await stored()).find((a) => a.rule === 'SECRET_READ');
      return found !== undefined && found.count === 6 ? found : undefined;
    }, 60_000, 500);
    assert.equal(read.severity, 'low', 'read through the mask rule: the agent saw no values');
    assert.equal(read.evidence.length, 6);
    assert.deepEqual(read.outcomes, { allowed: 6 });
    await p.waitDelivered();
    assert.deepEqual(p.hook.received.map((r) => `${(r.body as Alert).rule}:${(r.body as Alert).severity}`), [], 'no one is paged');
    assert.deepEqual((await stored()).map((a) => a.rule).filter((r) => r !== 'SECRET_READ'), [], 'one refusal is not a FORBIDDEN_SWEEP');
  });
});
