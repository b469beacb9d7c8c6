/**
 * The chart aggregations of the query API against real OpenSearch: a stacked date histogram, top terms split by other
 * fields, alert counts, the `refused` filter; bounded sizes and intervals; roles and the self-audit of each call.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { callApi } from './support/api-client.js';
import { startQueryTestbed, type QueryTestbed, type SeedEventSpec, type StandardSeed } from './support/query-harness.js';

describe('query API: chart aggregations', () => {
  let bed: QueryTestbed;
  let seed: StandardSeed;
  let events: SeedEventSpec[];
  // An exchange the policy allowed and the API server refused (RBAC): a refusal without a deny.
  const rbacRefusal: SeedEventSpec = { at: new Date(Date.now() - 45 * 60_000), actor: 'erin@example.com', verb: 'list', resource: 'secrets', namespace: 'kube-system', code: 403, decision: 'allow' };

  before(async () => {
    bed = await startQueryTestbed();
    seed = await bed.seedStandard();
    await bed.seedEvents([rbacRefusal]);
    events = [...seed.events, rbacRefusal];
  });
  after(async () => { await bed?.close(); });

  const get = async (path: string): Promise<any> => {
    const r = await callApi(bed, path);
    assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const count = (pred: (s: SeedEventSpec) => boolean): number => events.filter(pred).length;

  it('histogram: buckets over the whole range, stacked by decision and status class', async () => {
    const h = await get('/api/v1/aggregations/histogram?since=6h');
    assert.equal(h.stack, 'outcome');
    assert.equal(h.interval, '5m', 'auto: the finest interval with at most 300 buckets over 6 hours');
    assert.equal(h.intervalMs, 300_000);
    assert.equal(h.total, events.length);
    assert.ok(h.buckets.length >= 72 && h.buckets.length <= 73, `every 5 minutes of 6 hours, empty ones too (${h.buckets.length})`);
    assert.ok(Date.parse(h.buckets[0].t) <= Date.parse(h.from) && Date.parse(h.buckets.at(-1).t) + h.intervalMs > Date.parse(h.to));
    for (const b of h.buckets) assert.equal(Object.values(b.stacks as Record<string, number>).reduce((a, n) => a + n, 0), b.count, b.t);
    const series = Object.fromEntries(h.series.map((s: any) => [s.key, s.count]));
    const code = (s: SeedEventSpec): number | undefined => (s.complete === false ? undefined : s.code ?? (s.decision === 'deny' ? 403 : 200));
    assert.deepEqual(series, {
      'allow/2xx': count((s) => s.decision !== 'deny' && (code(s) ?? 0) >= 200 && (code(s) ?? 0) < 300),
      'allow/4xx': count((s) => s.decision !== 'deny' && (code(s) === 404 || code(s) === 403)),
      'allow/5xx': count((s) => code(s) === 500),
      'allow/pending': count((s) => s.complete === false),
      'deny/4xx': count((s) => s.decision === 'deny'),
    });
    assert.deepEqual(h.series.map((s: any) => s.key), ['allow/2xx', 'allow/4xx', 'allow/5xx', 'allow/pending', 'deny/4xx'], 'stacking order');
  });

  it('histogram: stacked by verb, per minute, with the same filters as search', async () => {
    const h = await get(`/api/v1/aggregations/histogram?since=3h&interval=1m&stack=verb&actor=${encodeURIComponent(seed.actors.alice)}`);
    assert.equal(h.interval, '1m');
    const aliceEvents = count((s) => s.actor === seed.actors.alice);
    assert.equal(h.total, aliceEvents);
    assert.deepEqual(h.series, [{ key: 'list', count: 8 }, { key: 'watch', count: 7 }]);
    const search = await get(`/api/v1/events?since=3h&size=500&actor=${encodeURIComponent(seed.actors.alice)}`);
    const perMinute = new Map<number, number>();
    for (const e of search.events) {
      const t = Math.floor(Date.parse(String(e.requestReceivedTimestamp).replace(/(\.\d{3})\d+/, '$1')) / 60_000) * 60_000;
      perMinute.set(t, (perMinute.get(t) ?? 0) + 1);
    }
    const nonEmpty = h.buckets.filter((b: any) => b.count > 0).map((b: any) => [Date.parse(b.t), b.count]);
    assert.deepEqual(nonEmpty, [...perMinute].sort((a, b) => a[0] - b[0]), 'each minute counts the events /events returns for it');
    const none = await get('/api/v1/aggregations/histogram?since=1h&stack=none');
    assert.deepEqual(none.series, []);
    assert.ok(none.buckets.every((b: any) => Object.keys(b.stacks).length === 0));
  });

  it('refused=true is a policy deny or an HTTP 403, in search and charts alike', async () => {
    const refused = count((s) => s.decision === 'deny' || s.code === 403);
    assert.equal(refused, 9);
    assert.equal((await get('/api/v1/events?since=6h&refused=true&size=1')).total, refused);
    assert.equal((await get('/api/v1/events?since=6h&refused=false&size=1')).total, events.length - refused);
    const h = await get('/api/v1/aggregations/histogram?since=6h&refused=true');
    assert.deepEqual(h.series, [{ key: 'allow/4xx', count: 1 }, { key: 'deny/4xx', count: 8 }]);
    assert.equal((await callApi(bed, '/api/v1/events?refused=maybe')).body.error.parameter, 'refused');
  });

  it('terms: top actors with on-behalf-of, secret reads by namespace, busiest MCP sessions', async () => {
    const actors = await get('/api/v1/aggregations/terms?since=6h&field=actor&by=onBehalfOf&size=3');
    assert.equal(actors.total, events.length);
    assert.deepEqual(actors.buckets.map((b: any) => [b.key, b.count]), [
      [seed.actors.agent, count((s) => s.actor === seed.actors.agent)], [seed.actors.alice, 15], [seed.actors.carol, 8],
    ]);
    assert.equal(actors.other, events.length - count((s) => s.actor === seed.actors.agent) - 15 - 8);
    assert.equal(actors.missing, 0);
    const agent = actors.buckets[0];
    assert.deepEqual(agent.by.onBehalfOf, [{ key: seed.actors.alice, count: 31 }, { key: seed.actors.bob, count: 12 }]);
    assert.deepEqual(agent.byMissing, { onBehalfOf: 0 });
    assert.deepEqual(actors.buckets[1].byMissing, { onBehalfOf: 15 }, 'alice acted for herself');
    assert.ok(Date.parse(agent.first) < Date.parse(agent.last));

    const secrets = await get('/api/v1/aggregations/terms?since=6h&field=namespace&secretAccess=true');
    assert.deepEqual(secrets.buckets.map((b: any) => [b.key, b.count]), [['payments', 12], ['kube-system', 1]]);

    const sessions = await get('/api/v1/aggregations/terms?since=6h&field=session&by=actor,onBehalfOf,tool&bySize=10');
    assert.deepEqual(sessions.buckets.map((b: any) => [b.key, b.count]), [[seed.sessions.alpha, 31], [seed.sessions.beta, 12]]);
    assert.equal(sessions.missing, events.length - 43);
    assert.deepEqual(sessions.buckets[0].by.tool.map((t: any) => t.key).sort(), ['pods_get', 'pods_list', 'pods_log']);
    assert.deepEqual(sessions.buckets[1].by.onBehalfOf, [{ key: seed.actors.bob, count: 12 }]);

    const codes = await get('/api/v1/aggregations/terms?since=6h&field=status');
    assert.ok(codes.buckets.some((b: any) => b.key === '403' && b.count === 9));
    assert.equal(codes.missing, 1, 'the exchange still waiting for its response');
  });

  it('alerts: counts by severity (most urgent first), triage status and rule, over lastSeen', async () => {
    const all = await get('/api/v1/aggregations/alerts?status=open');
    assert.equal(all.total, 3);
    assert.deepEqual(all.severity, [{ key: 'critical', count: 1 }, { key: 'high', count: 1 }, { key: 'medium', count: 1 }]);
    assert.deepEqual(all.status, [{ key: 'open', count: 3 }]);
    const recent = await get('/api/v1/aggregations/alerts?status=open&from=now-70m');
    assert.deepEqual(recent.severity.map((s: any) => s.key), ['critical', 'high'], 'lastSeen 38 and 60 minutes ago; the medium one 79');
    const list = await get('/api/v1/alerts?status=open&from=now-70m');
    assert.equal(list.total, recent.total, 'the same filter lists the same alerts');
  });

  it('bounds intervals, sizes and fields: 400 naming the parameter', async () => {
    const cases: Array<[string, string]> = [
      ['histogram?since=24h&interval=1m', 'interval'], ['histogram?since=7d&interval=5m', 'interval'], ['histogram?interval=2m', 'interval'],
      ['histogram?stack=actor', 'stack'], ['histogram?size=10', 'size'], ['histogram?since=400d', 'since'],
      ['terms?since=1h', 'field'], ['terms?field=requestURI', 'field'], ['terms?field=actor&by=actor', 'by'],
      ['terms?field=actor&by=verb,resource,namespace,cluster', 'by'], ['terms?field=actor&by=verb,verb', 'by'],
      ['terms?field=actor&size=51', 'size'], ['terms?field=actor&bySize=11', 'bySize'], ['terms?field=actor&interval=1m', 'interval'],
      ['alerts?status=maybe', 'status'], ['alerts?top=101', 'top'], ['alerts?since=1h', 'since'],
    ];
    for (const [qs, parameter] of cases) {
      const r = await callApi(bed, `/api/v1/aggregations/${qs}`);
      assert.equal(r.status, 400, qs);
      assert.equal(r.body.error.parameter, parameter, qs);
    }
  });

  it('needs the analyst role, and each call is in the analysts\' own audit trail', async () => {
    assert.equal((await callApi(bed, '/api/v1/aggregations/terms?field=actor', { token: '' })).status, 401);
    assert.equal((await callApi(bed, '/api/v1/aggregations/histogram', { roles: [] })).status, 403);
    const who = `charts-${Date.now()}@example.com`;
    await callApi(bed, '/api/v1/aggregations/histogram?since=6h&verb=delete', { username: who });
    await callApi(bed, '/api/v1/aggregations/terms?since=6h&field=actor', { username: who });
    await callApi(bed, '/api/v1/aggregations/alerts?status=open', { username: who });
    let records: any[] = [];
    for (const deadline = Date.now() + 5000; Date.now() < deadline;) {
      await bed.refresh();
      records = (await callApi(bed, `/api/v1/audit?since=1h&actor=${encodeURIComponent(who)}`, { roles: ['admin'] })).body.records;
      if (records.length === 3 && records.every((x) => x.status !== undefined)) break;
      await new Promise((res) => setTimeout(res, 200));
    }
    const byRoute = Object.fromEntries(records.map((x) => [x.route, x]));
    assert.deepEqual(Object.keys(byRoute).sort(), ['aggregations.alerts', 'aggregations.histogram', 'aggregations.terms']);
    assert.equal(byRoute['aggregations.histogram'].params.verb, 'delete');
    assert.equal(byRoute['aggregations.histogram'].results, count((s) => s.verb === 'delete'));
    assert.equal(byRoute['aggregations.terms'].results, events.length);
    assert.equal(byRoute['aggregations.alerts'].results, 3);
    assert.ok(records.every((x) => x.outcome === 'ok' && x.status === 200));
  });
});
