import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { callApi } from './support/api-client.js';
import { startQueryTestbed, type QueryTestbed, type StandardSeed } from './support/query-harness.js';

describe('query API: deep pages, aggregations, timeline, session', () => {
  let bed: QueryTestbed;
  let seed: StandardSeed;
  before(async () => { bed = await startQueryTestbed(); seed = await bed.seedStandard(); });
  after(async () => { await bed?.close(); });

  it('walks > 2 pages with a cursor, yielding every exchange exactly once in order', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await callApi(bed, `/api/v1/events?since=6h&size=7&sort=asc${cursor === undefined ? '' : `&cursor=${cursor}`}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.total, seed.events.length);
      seen.push(...r.body.events.map((e: any) => e.auditID));
      cursor = r.body.nextCursor;
      pages += 1;
    } while (cursor !== undefined && pages < 100);
    assert.ok(pages > 2);
    assert.equal(seen.length, seed.events.length);
    assert.equal(new Set(seen).size, seen.length);
    assert.deepEqual(new Set(seen), new Set(seed.documents!.map((d) => d['auditID'])));
  });

  it('refuses altered, foreign and mismatched cursors with 400 cursor', async () => {
    const first = await callApi(bed, '/api/v1/events?since=6h&size=5');
    const cursor: string = first.body.nextCursor;
    assert.ok(cursor);
    const [body, mac] = cursor.split('.');
    const forged = JSON.parse(Buffer.from(body!, 'base64url').toString());
    forged.after = [0, 'a'];
    const tampered = `${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${mac}`;
    for (const qs of [`cursor=${tampered}`, `cursor=${cursor}x`, `cursor=${cursor}&verb=get`, `cursor=${cursor}&sort=asc`]) {
      const r = await callApi(bed, `/api/v1/events?since=6h&size=5&${qs}`);
      assert.equal(r.status, 400, qs);
      assert.equal(r.body.error.parameter, 'cursor', qs);
    }
    const ok = await callApi(bed, `/api/v1/events?since=6h&size=5&cursor=${cursor}`);
    assert.equal(ok.status, 200);
  });

  it('aggregates over time with denials, top actors, verbs, resources', async () => {
    const r = await callApi(bed, '/api/v1/aggregations?since=6h&interval=1h&top=5');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.overTime.reduce((n: number, b: any) => n + b.count, 0), seed.events.length);
    assert.equal(r.body.overTime.reduce((n: number, b: any) => n + b.denied, 0), seed.events.filter((s) => s.decision === 'deny').length);
    assert.equal(r.body.topActors[0].key, seed.actors.agent);
    assert.equal(r.body.topActors[0].count, seed.events.filter((s) => s.actor === seed.actors.agent).length);
    assert.deepEqual(r.body.denials, [{ key: seed.actors.carol, count: 8 }]);
    assert.ok(r.body.verbs.some((v: any) => v.key === 'delete' && v.count === 9));
    assert.ok(r.body.resources.some((v: any) => v.key === 'secrets' && v.count === 12));
    const bad = await callApi(bed, '/api/v1/aggregations?since=90d&interval=1m');
    assert.equal(bad.body.error.parameter, 'interval');
  });

  it('gives an actor timeline in time order and a session view', async () => {
    const t = await callApi(bed, `/api/v1/actors/${encodeURIComponent(seed.actors.dave)}/timeline?since=6h`);
    assert.equal(t.status, 200);
    assert.equal(t.body.actor, seed.actors.dave);
    assert.equal(t.body.total, 4);
    const times = t.body.events.map((e: any) => Date.parse(e.requestReceivedTimestamp));
    assert.deepEqual(times, [...times].sort((a, b) => a - b));
    assert.equal((await callApi(bed, `/api/v1/actors/x/timeline?actor=y`)).body.error.parameter, 'actor');

    const s = await callApi(bed, `/api/v1/sessions/${seed.sessions.alpha}`);
    assert.equal(s.status, 200);
    assert.equal(s.body.total, seed.events.filter((e) => e.session === seed.sessions.alpha).length);
    assert.deepEqual(s.body.actors, [seed.actors.agent]);
    assert.deepEqual(s.body.tools.map((x: any) => x.key).sort(), ['pods_get', 'pods_list', 'pods_log']);
    assert.ok(Date.parse(s.body.first) < Date.parse(s.body.last));
  });
});
