import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { callApi } from './support/api-client.js';
import { startQueryTestbed, type QueryTestbed } from './support/query-harness.js';

describe('compliance report: a read is a read only when it was allowed and succeeded', () => {
  let bed: QueryTestbed;
  const agent = 'system:serviceaccount:agents:mcp';
  const eve = 'system:serviceaccount:agents:eve';
  before(async () => {
    bed = await startQueryTestbed();
    const at = (i: number) => new Date(Date.now() - 30 * 60_000 + i * 1000);
    await bed.seedEvents([
      // An agent reads one Secret (masked, allowed) twice and lists a namespace's Secrets.
      { at: at(0), actor: agent, verb: 'get', resource: 'secrets', namespace: 'payments', name: 'db-creds', decision: 'mask', ruleId: 'mask-secrets' },
      { at: at(1), actor: agent, verb: 'get', resource: 'secrets', namespace: 'payments', name: 'db-creds', decision: 'mask', ruleId: 'mask-secrets' },
      { at: at(2), actor: agent, verb: 'list', resource: 'secrets', namespace: 'payments', decision: 'mask', ruleId: 'mask-secrets' },
      // An attacker's cluster-wide list, refused by policy; a get forbidden by the API server; a get of a missing Secret.
      { at: at(3), actor: eve, verb: 'list', resource: 'secrets', decision: 'deny', ruleId: 'mask-secrets', code: 403 },
      { at: at(4), actor: eve, verb: 'get', resource: 'secrets', namespace: 'kube-system', name: 'bootstrap', decision: 'allow', code: 403 },
      { at: at(5), actor: eve, verb: 'get', resource: 'secrets', namespace: 'payments', name: 'nope', code: 404 },
    ]);
  });
  after(async () => { await bed?.close(); });

  it('counts allowed 2xx reads with readable keys; refusals are denied attempts with readable targets', async () => {
    const r = await callApi(bed, '/api/v1/reports/compliance?since=1h');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.secretReads.total, 3);
    assert.deepEqual(r.body.secretReads.byActor, [{ actor: agent, count: 3, secrets: [
      { key: 'payments/db-creds', count: 2 }, { key: 'every Secret in payments (list)', count: 1 },
    ] }]);
    assert.equal(r.body.deniedAttempts.total, 2);
    const [denied] = r.body.deniedAttempts.byActor;
    assert.equal(denied.actor, eve);
    assert.deepEqual(denied.targets.map((t: { key: string }) => t.key).sort(), ['get secrets kube-system/bootstrap', 'list secrets in all namespaces']);
    assert.deepEqual(r.body.deniedAttempts.byRule, [{ key: 'mask-secrets', count: 1 }, { key: '(no policy rule: refused by the API server)', count: 1 }]);
    const html = await callApi(bed, '/api/v1/reports/compliance?since=1h&format=html');
    assert.ok((html.body as string).includes('every Secret in payments (list): 1'));
    assert.ok((html.body as string).includes('list secrets in all namespaces: 1'));
    assert.ok(!(html.body as string).includes('/secrets/'), 'no raw keys');
  });
});
