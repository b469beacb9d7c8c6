import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { newTestKey, startLocalIssuer } from '@auditgate/shared/testing';
import { callApi } from './support/api-client.js';
import { startQueryTestbed, TESTBED_AUDIENCE, type QueryTestbed, type StandardSeed } from './support/query-harness.js';

const MAX_KEYS = 3;

describe('query API hardening: refused tokens audited, no leaked secrets or PITs, malformed input', () => {
  let bed: QueryTestbed;
  let seed: StandardSeed;
  before(async () => {
    bed = await startQueryTestbed({ env: { QUERY_REFUSAL_AUDIT_WINDOW_MS: '3000', QUERY_REFUSAL_AUDIT_MAX_KEYS: String(MAX_KEYS) } });
    seed = await bed.seedStandard();
  });
  after(async () => { await bed?.close(); });

  /** Audit records of one route, straight from the index. */
  const recordsOf = async (route: string): Promise<any[]> => {
    await bed.refresh();
    const r = await bed.opensearch.search({ index: `${bed.indices.audit}-*`, body: { size: 100, query: { term: { route } } } as never });
    return r.body.hits.hits.map((h: any) => h._source);
  };
  /**
   * Polls `what` until `ok` or 8 s. A search error counts as "not yet" until the deadline: the audit index may have
   * just been created by the service's first write, and a search before its shard starts fails with
   * search_phase_execution_exception (seen once in CI).
   */
  const until = async <T>(what: () => Promise<T>, ok: (v: T) => boolean): Promise<T> => {
    const deadline = Date.now() + 8000;
    for (;;) {
      try {
        const v = await what();
        if (ok(v) || Date.now() >= deadline) return v;
      } catch (error) {
        if (Date.now() >= deadline) throw error;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  it('audits refused tokens, aggregated per source and reason so a flood writes a bounded number of records', async () => {
    const now = Math.floor(Date.now() / 1000);
    const stranger = await startLocalIssuer();
    const strangerKey = await newTestKey('ES256', 'x');
    const expired = await bed.tokenFor(['admin'], 'mallory@example.com', { exp: now - 3600, iat: now - 7200 });
    const attempts: Array<[string, number]> = [
      [expired, 10], ['', 5], ['abc.def.ghi', 4],
      [await stranger.sign(strangerKey, { sub: 'x', aud: TESTBED_AUDIENCE, exp: now + 600 }), 3],
      [await bed.issuer.sign(strangerKey, { sub: 'eve', aud: TESTBED_AUDIENCE, exp: now + 600 }, { kid: 'testbed-1' }), 2],
    ];
    await stranger.close();
    for (const [token, n] of attempts) {
      for (let i = 0; i < n; i += 1) assert.equal((await callApi(bed, '/api/v1/events?since=1h', { token })).status, 401);
    }
    const total = attempts.reduce((n, [, k]) => n + k, 0);
    const records = await until(() => recordsOf('auth.refused'), (rs) => rs.reduce((n, r) => n + r.results, 0) === total);
    assert.equal(records.reduce((n, r) => n + r.results, 0), total, JSON.stringify(records));
    assert.equal(records.length, MAX_KEYS + 1);
    const byReason = Object.fromEntries(records.map((r) => [r.params.reason, r]));
    assert.equal(byReason['expired'].results, 10);
    assert.equal(byReason['expired'].params.claimedSubject, 'mallory@example.com');
    assert.equal(byReason['missing_token'].results, 5);
    assert.equal(byReason['various'].results, 5);
    for (const r of records) {
      assert.equal(r.status, 401);
      assert.equal(r.outcome, 'unauthenticated');
      assert.equal(r.errorCode, 'AUDITGATE_E_UNAUTHENTICATED');
      assert.equal(r.path, '/api/v1/events');
      assert.equal(r.username, null);
    }
    const text = JSON.stringify(records);
    for (const [token] of attempts) if (token.length > 20) assert.ok(!text.includes(token.split('.')[2]!), 'no token in the audit trail');
  });

  it('never writes a pasted token into the audit trail', async () => {
    const pasted = await bed.tokenFor(['admin'], 'someone@example.com');
    const who = `paster-${Date.now()}@example.com`;
    const r = await callApi(bed, `/api/v1/events?since=1h&access_token=${pasted}&note=Bearer%20${pasted}`, { username: who });
    assert.equal(r.status, 400);
    const [record] = await until(async () => (await recordsOf('events.search')).filter((x) => x.username === who), (rs) => rs.length === 1);
    assert.equal(record.params.access_token, '[REDACTED]');
    assert.equal(record.params.note, 'Bearer [REDACTED]');
    assert.ok(!JSON.stringify(record).includes(pasted.split('.')[1]!.slice(0, 40)));
  });

  it('holds no OpenSearch point in time open for pages nobody asks for', async () => {
    const pits = async (): Promise<number> => ((await bed.opensearch.transport.request({ method: 'GET', path: '/_search/point_in_time/_all' })).body as any).pits.length;
    const before = await pits();
    for (let i = 0; i < 20; i += 1) assert.ok((await callApi(bed, '/api/v1/events?since=6h&size=2')).body.nextCursor);
    assert.equal((await callApi(bed, `/api/v1/sessions/${seed.sessions.alpha}`)).status, 200);
    // Other suites on the shared stack may open a few meanwhile; twenty would mean every first page leaks one.
    assert.ok((await pits()) - before < 10, `${(await pits()) - before} points in time left open`);
  });

  it('audits and answers 400/404 for malformed bodies, undecodable paths and unknown routes, with safe headers', async () => {
    const who = `sloppy-${Date.now()}@example.com`;
    const id = seed.seededAlerts![0]!.id;
    const malformed = await callApi(bed, `/api/v1/alerts/${id}/acknowledge`, { roles: ['responder'], username: who }, { method: 'POST', body: '{"note":' });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error.parameter, 'body');
    const charset = await callApi(bed, `/api/v1/alerts/${id}/acknowledge`, { roles: ['responder'], username: who }, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json; charset=latin1' } });
    assert.equal(charset.status, 415);
    const undecodable = await callApi(bed, '/api/v1/events/%E0%A4%A', { username: who });
    assert.equal(undecodable.status, 400);
    assert.equal(undecodable.body.error.code, 'AUDITGATE_E_BAD_REQUEST');
    const unknown = await callApi(bed, '/api/v1/secrets', { username: who });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'AUDITGATE_E_NOT_FOUND');
    for (const answer of [malformed, unknown, await callApi(bed, '/api/v1/whoami', { token: '' })]) {
      assert.equal(answer.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(answer.headers.get('cache-control'), 'no-store');
      assert.match(answer.headers.get('content-security-policy')!, /default-src 'none'/);
    }
    const mine = await until(async () => {
      await bed.refresh();
      return (await callApi(bed, `/api/v1/audit?since=1h&actor=${encodeURIComponent(who)}`, { roles: ['admin'] })).body.records as any[];
    }, (rs) => rs.length >= 3 && rs.every((r) => r.status !== undefined));
    assert.deepEqual(mine.map((r) => `${r.route} ${r.status}`).sort(), ['alerts.acknowledge 400', 'alerts.acknowledge 415', 'unknown 404']);
  });
});
