import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newTestKey } from '@auditgate/shared/testing';
import { callApi } from './support/api-client.js';
import { startQueryTestbed, TESTBED_AUDIENCE, type QueryTestbed, type StandardSeed } from './support/query-harness.js';

describe('query API: alert triage, authentication, self-audit', () => {
  let bed: QueryTestbed;
  let seed: StandardSeed;
  before(async () => { bed = await startQueryTestbed(); seed = await bed.seedStandard(); });
  after(async () => { await bed?.close(); });

  it('lists alerts (all open at first) and gets one with its triage', async () => {
    const r = await callApi(bed, '/api/v1/alerts?status=open');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.total, 3);
    assert.ok(r.body.alerts.every((a: any) => a.triage.status === 'open'));
    const high = await callApi(bed, '/api/v1/alerts?severity=critical');
    assert.deepEqual(high.body.alerts.map((a: any) => a.rule), ['exec-into-pod']);
    const one = await callApi(bed, `/api/v1/alerts/${seed.seededAlerts![0]!.id}`);
    assert.equal(one.body.rule, 'secret-read-burst');
    assert.deepEqual(one.body.triage, { status: 'open', history: [] });
    assert.equal((await callApi(bed, '/api/v1/alerts/nope-404')).status, 404);
    assert.equal((await callApi(bed, '/api/v1/alerts?status=closed')).body.error.parameter, 'status');
  });

  it('lets responders acknowledge and resolve, refuses analysts (403) and invalid transitions (409)', async () => {
    const id = seed.seededAlerts![1]!.id;
    const denied = await callApi(bed, `/api/v1/alerts/${id}/acknowledge`, { roles: ['analyst'] }, { method: 'POST', body: '{}' });
    assert.equal(denied.status, 403);
    // Concurrent acknowledgements: exactly one wins, the other sees the new state.
    const acks = await Promise.all([1, 2, 3].map((n) => callApi(bed, `/api/v1/alerts/${id}/acknowledge`, { roles: ['responder'], username: `r${n}@example.com` }, { method: 'POST', body: JSON.stringify({ note: `mine ${n}` }) })));
    assert.deepEqual(acks.map((a) => a.status).sort(), [200, 409, 409]);
    const resolved = await callApi(bed, `/api/v1/alerts/${id}/resolve`, { roles: ['admin'], username: 'boss@example.com' }, { method: 'POST', body: JSON.stringify({ note: 'false positive' }) });
    assert.equal(resolved.status, 200);
    assert.equal(resolved.body.triage.status, 'resolved');
    assert.deepEqual(resolved.body.triage.history.map((h: any) => h.action), ['acknowledge', 'resolve']);
    assert.equal(resolved.body.triage.history[1].by, 'boss@example.com');
    assert.equal((await callApi(bed, `/api/v1/alerts/${id}/resolve`, { roles: ['responder'] }, { method: 'POST', body: '{}' })).status, 409);
    assert.equal((await callApi(bed, `/api/v1/alerts/${id}/acknowledge`, { roles: ['responder'] }, { method: 'POST', body: '{"extra":1}' })).body.error.parameter, 'extra');
    const open = await callApi(bed, '/api/v1/alerts?status=open');
    assert.equal(open.body.total, 2);
    assert.equal((await callApi(bed, '/api/v1/alerts?status=resolved')).body.alerts[0].id, id);
  });

  it('answers 401 for missing, forged, expired, foreign-audience tokens and 403 without a role', async () => {
    const other = await newTestKey('ES256', 'other');
    const now = Math.floor(Date.now() / 1000);
    const tokens = {
      none: '', garbage: 'abc.def.ghi',
      forged: await bed.issuer.sign(other, { sub: 'mallory', aud: TESTBED_AUDIENCE, exp: now + 600, auditgate_roles: ['admin'] }, { kid: 'testbed-1' }),
      expired: await bed.tokenFor(['admin'], 'alice@example.com', { exp: now - 3600, iat: now - 7200 }),
      audience: await bed.tokenFor(['admin'], 'alice@example.com', { aud: 'kubernetes' }),
    };
    for (const [name, token] of Object.entries(tokens)) {
      const r = await callApi(bed, '/api/v1/whoami', { token });
      assert.equal(r.status, 401, name);
      assert.equal(r.body.error.code, 'AUDITGATE_E_UNAUTHENTICATED', name);
    }
    assert.equal((await callApi(bed, '/api/v1/whoami', { roles: [] })).status, 403);
    const me = await callApi(bed, '/api/v1/whoami', { roles: ['responder'], username: 'rita@example.com' });
    assert.deepEqual({ username: me.body.username, roles: me.body.roles }, { username: 'rita@example.com', roles: ['responder'] });
  });

  it('audits every call (filters, result count, refusals) and lets only admins read the trail', async () => {
    const who = `auditor-${Date.now()}@example.com`;
    await callApi(bed, '/api/v1/events?since=6h&verb=delete&size=3', { roles: ['analyst'], username: who });
    await callApi(bed, '/api/v1/audit', { roles: ['responder'], username: who });
    const deadline = Date.now() + 5000;
    let records: any[] = [];
    while (Date.now() < deadline) {
      await bed.refresh();
      const r = await callApi(bed, `/api/v1/audit?since=1h&actor=${encodeURIComponent(who)}`, { roles: ['admin'] });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      records = r.body.records;
      if (records.length === 2 && records.every((x) => x.status !== undefined)) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    const search = records.find((x) => x.route === 'events.search');
    assert.equal(search.params.verb, 'delete');
    assert.equal(search.results, 3);
    assert.equal(search.status, 200);
    assert.equal(search.outcome, 'ok');
    const refused = records.find((x) => x.route === 'audit.list');
    assert.equal(refused.status, 403);
  });

  it('answers 503 when the audit record cannot be written', async () => {
    // A closed index under the audit alias's write target makes every start record fail.
    const month = new Date();
    const index = `${bed.indices.audit}-${month.getUTCFullYear()}.${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
    await bed.opensearch.indices.close({ index });
    try {
      const r = await callApi(bed, '/api/v1/events?since=1h');
      assert.equal(r.status, 503);
      assert.equal(r.body.error.code, 'AUDITGATE_E_OPENSEARCH_UNAVAILABLE');
    } finally {
      await bed.opensearch.indices.open({ index });
    }
  });
});
