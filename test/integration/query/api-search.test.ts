import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { callApi } from './support/api-client.js';
import { startQueryTestbed, type QueryTestbed, type StandardSeed } from './support/query-harness.js';

describe('query API: event search filters', () => {
  let bed: QueryTestbed;
  let seed: StandardSeed;
  before(async () => { bed = await startQueryTestbed(); seed = await bed.seedStandard(); });
  after(async () => { await bed?.close(); });

  const search = async (qs: string): Promise<{ total: number; events: any[] }> => {
    const r = await callApi(bed, `/api/v1/events?since=6h&size=500&${qs}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };

  it('returns every seeded exchange over the range, newest first, without bodies', async () => {
    const all = await search('');
    assert.equal(all.total, seed.events.length);
    const times = all.events.map((e) => Date.parse(e.requestReceivedTimestamp));
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
    assert.ok(all.events.every((e) => e.responseObject === undefined));
  });

  it('narrows by each filter to exactly the matching exchanges', async () => {
    const count = (pred: (s: (typeof seed.events)[number]) => boolean): number => seed.events.filter(pred).length;
    const cases: Array<[string, number]> = [
      [`actor=${encodeURIComponent(seed.actors.carol)}`, count((s) => s.actor === seed.actors.carol)],
      [`onBehalfOf=${encodeURIComponent(seed.actors.bob)}`, count((s) => s.onBehalfOf === seed.actors.bob)],
      ['verb=delete', count((s) => s.verb === 'delete')],
      ['verb=delete,patch', count((s) => s.verb === 'delete' || s.verb === 'patch')],
      ['resource=secrets', count((s) => s.resource === 'secrets')],
      ['namespace=default', count((s) => s.namespace === 'default')],
      ['name=checkout', count((s) => s.name === 'checkout')],
      ['apiGroup=rbac.authorization.k8s.io', count((s) => s.apiGroup === 'rbac.authorization.k8s.io')],
      ['subresource=exec', count((s) => s.subresource === 'exec')],
      ['decision=deny', count((s) => s.decision === 'deny')],
      ['status=403', count((s) => s.code === 403)],
      ['status=5xx', count((s) => (s.code ?? 200) >= 500)],
      ['cluster=staging', count((s) => s.cluster === 'staging')],
      [`session=${seed.sessions.beta}`, count((s) => s.session === seed.sessions.beta)],
      ['tool=pods_list', count((s) => s.tool === 'pods_list')],
      ['secretAccess=true', count((s) => s.resource === 'secrets')],
      ['q=exec%3Fcommand', count((s) => s.subresource === 'exec')],
      ['q=DB-CREDS-1', count((s) => s.name === 'db-creds-1')],
      [`actor=${encodeURIComponent(seed.actors.agent)}&resource=secrets&verb=get`, count((s) => s.actor === seed.actors.agent && s.resource === 'secrets')],
    ];
    for (const [qs, expected] of cases) {
      assert.ok(expected > 0, `${qs} must match something in the seed`);
      const r = await search(qs);
      assert.equal(r.total, expected, qs);
      assert.equal(r.events.length, expected, qs);
    }
  });

  it('answers 400 naming the parameter for bad values and injection attempts', async () => {
    const cases: Array<[string, string]> = [
      ['q=*)%20OR%20(*', 'q'], ['actor=a%22%20OR%20%22b', 'actor'], ['verb=get%20OR%201', 'verb'], ['from=yesterday', 'from'],
      ['from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'], ['since=1y', 'since'], ['since=400d', 'since'], ['size=0', 'size'],
      ['size=501', 'size'], ['sort=sideways', 'sort'], ['status=abc', 'status'], ['decision=maybe', 'decision'], ['bogus=1', 'bogus'],
      ['secretAccess=yes', 'secretAccess'], ['cursor=abc', 'cursor'], ['actor=a&actor=b', 'actor'], ['namespace=Kube_System', 'namespace'],
    ];
    for (const [qs, parameter] of cases) {
      const r = await callApi(bed, `/api/v1/events?${qs}`);
      assert.equal(r.status, 400, qs);
      assert.equal(r.body.error.code, 'AUDITGATE_E_BAD_REQUEST', qs);
      assert.equal(r.body.error.parameter, parameter, qs);
    }
  });

  it('clusterWide is one definition, shared with the gateway and the detector: a list or watch across all namespaces of a namespaced resource', async () => {
    const actor = 'system:serviceaccount:sweep:cluster-wide-probe';
    const at = (minutesAgo: number): string => new Date(Date.now() - minutesAgo * 60_000).toISOString();
    await bed.seedEvents([
      { at: at(5), actor, verb: 'list', resource: 'secrets' },
      { at: at(4), actor, verb: 'watch', resource: 'pods' },
      { at: at(3), actor, verb: 'list', resource: 'nodes' },
      { at: at(2), actor, verb: 'get', resource: 'nodes', name: 'n1' },
      { at: at(1), actor, verb: 'list', resource: 'pods', namespace: 'payments' },
    ] as never);
    const wide = await search(`clusterWide=true&actor=${encodeURIComponent(actor)}`);
    assert.deepEqual(wide.events.map((e) => `${String(e['verb'])} ${String((e['objectRef'] as { resource?: string } | undefined)?.resource)}`).sort(), ['list secrets', 'watch pods']);
    assert.equal((await search(`clusterWide=false&actor=${encodeURIComponent(actor)}`)).total, 3);
  });

  it('returns one exchange with its stages, and 404 for an unknown one', async () => {
    const id = String(seed.documents![0]!['auditID']);
    const r = await callApi(bed, `/api/v1/events/${id}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.auditID, id);
    assert.deepEqual(Object.keys(r.body.stages).sort(), ['RequestReceived', 'ResponseComplete']);
    assert.equal((await callApi(bed, '/api/v1/events/00000000-0000-4000-a000-000000000000')).status, 404);
    assert.equal((await callApi(bed, '/api/v1/events/bad%20id')).body.error.parameter, 'auditID');
  });
});
