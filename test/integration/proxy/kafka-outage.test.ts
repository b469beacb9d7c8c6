import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import type { AuditEvent } from '@auditgate/shared';
import { kubectl, readKubeCredentials, readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';
import { freePort } from '../../bench/free-port.js';
import { ApiServerLogFollower } from '../../faults/api-server-log.js';
import { EventCollector } from './support/event-collector.js';
import { createAgent, startProxy, type ProxyHarness } from './support/proxy-harness.js';

const run = promisify(execFile);
const stack = readStackEnv(process.env);
const creds = readKubeCredentials(stack);
const STACK_SCRIPT = new URL('../../stack/stack.sh', import.meta.url).pathname;
// A broker of this test's own (same jars, its own state and free ports), so stopping it disturbs no other test.
const OWN_STATE = mkdtempSync(join(tmpdir(), 'auditgate-outage-kafka-'));
const [OWN_PORT, OWN_CONTROLLER_PORT] = [await freePort(), await freePort()];
const OWN_BROKERS = [`127.0.0.1:${OWN_PORT}`];
// The broker runs in a session of its own: should this process end without the after hook, it is killed by its pid.
process.once('exit', () => {
  try { process.kill(Number(readFileSync(join(OWN_STATE, 'kafka.pid'), 'utf8').split(' ')[0]), 'SIGKILL'); } catch { /* stopped already */ }
});

async function kafka(action: 'up' | 'down'): Promise<void> {
  await run('bash', [STACK_SCRIPT, action, 'kafka'], {
    timeout: 180_000,
    env: { ...process.env, AUDITGATE_STATE: OWN_STATE, KAFKA_PORT: String(OWN_PORT), KAFKA_CONTROLLER_PORT: String(OWN_CONTROLLER_PORT) },
  });
}

/** One GET through the gateway: status, body and the Audit-Id the gateway assigned. */
function get(port: number, token: string, path: string, userAgent: string): Promise<{ status: number; body: string; auditId: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, rejectUnauthorized: false, headers: { authorization: `Bearer ${token}`, 'user-agent': userAgent } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, auditId: String(res.headers['audit-id'] ?? '') }));
    });
    req.on('error', reject);
    req.setTimeout(20_000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** A GET straight to the API server as its admin, with `userAgent`; resolves with the status. */
function adminGet(path: string, userAgent: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, stack.kubeApiserverUrl);
    const req = request({ host: url.hostname, port: url.port, path, ca: creds.ca, headers: { authorization: `Bearer ${creds.adminToken}`, 'user-agent': userAgent } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The proxy's spool counters from its /metrics. */
async function spoolCounters(opsPort: number): Promise<{ spooled: number; drained: number }> {
  const text = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
  const value = (event: string): number => Number(new RegExp(`^auditgate_proxy_spool_events_total\\{[^}]*event="${event}"[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { spooled: value('spooled'), drained: value('drained') };
}

describe('Kafka stopped and restarted under traffic (real broker)', () => {
  let agent: Awaited<ReturnType<typeof createAgent>>;
  before(async () => {
    await kafka('up');
    agent = await createAgent('outage');
  });
  after(async () => {
    await kafka('down');
    rmSync(OWN_STATE, { recursive: true, force: true });
    await kubectl(stack, creds.adminKubeconfig, ['delete', 'namespace', agent.namespace, '--wait=false']).catch(() => undefined);
  });

  it('fail-closed: 503 Status and nothing forwarded while Kafka is down; normal service once it is back', async () => {
    const proxy: ProxyHarness = await startProxy({ env: { KAFKA_BROKERS: OWN_BROKERS.join(','), PROXY_KAFKA_OUTAGE_MODE: 'fail-closed', PROXY_KAFKA_ACK_TIMEOUT_MS: '1500' } });
    const path = `/api/v1/namespaces/${agent.namespace}/serviceaccounts`;
    const marker = uniqueName('fail-closed');
    const follower = new ApiServerLogFollower(creds.auditLog, marker);
    try {
      assert.equal((await get(proxy.httpsPort, agent.token, path, 'outage/before')).status, 200);
      await kafka('down');
      await follower.start();
      const refused = await get(proxy.httpsPort, agent.token, path, marker);
      assert.equal(refused.status, 503);
      const status = JSON.parse(refused.body) as { kind: string; details: { causes: Array<{ reason: string }> } };
      assert.equal(status.kind, 'Status');
      assert.equal(status.details.causes[0]?.reason, 'AUDITGATE_E_KAFKA_UNAVAILABLE');
      const ready = await fetch(`http://127.0.0.1:${proxy.opsPort}/readyz`);
      assert.equal(ready.status, 503, 'not ready while the audit log is unavailable');
      // The API server logs requests in order: once a request sent after the refused one is in its log, the refused
      // one would be there too had it been forwarded.
      assert.equal(await adminGet(`/api/v1/namespaces/${agent.namespace}`, `${marker}-after`), 200);
      await waitFor('the request sent after it in the API server log', async () => { await follower.sync(); return follower.entries.some((e) => e.userAgent === `${marker}-after`) ? true : undefined; }, 30_000);
      assert.deepEqual(follower.entries.filter((e) => e.userAgent === marker), [], 'the refused request never reached the API server');
      await kafka('up');
      await waitFor('service restored after Kafka returns', async () => {
        const again = await get(proxy.httpsPort, agent.token, path, 'outage/after');
        return again.status === 200 ? true : undefined;
      }, 90_000, 1000);
    } finally {
      await follower.stop();
      await kafka('up');
      await proxy.stop();
    }
  });

  it('spool: requests keep flowing while Kafka is down; the spool is used and drains every event to Kafka, in order, each once', async () => {
    const proxy = await startProxy({ env: { KAFKA_BROKERS: OWN_BROKERS.join(','), PROXY_KAFKA_OUTAGE_MODE: 'spool', PROXY_KAFKA_ACK_TIMEOUT_MS: '1500' } });
    // Only the offsets where the run starts; events are read after Kafka is back, by a fresh consumer.
    const marker = new EventCollector();
    await marker.start(undefined, undefined, OWN_BROKERS);
    await marker.stop();
    const collector = new EventCollector();
    const path = `/api/v1/namespaces/${agent.namespace}/serviceaccounts/agent`;
    const userAgent = uniqueName('outage-spool');
    const ids: string[] = [];
    let stop = false;
    const traffic = (async () => {
      for (let i = 0; i < 2000 && !stop; i += 1) {
        const r = await get(proxy.httpsPort, agent.token, path, userAgent);
        assert.equal(r.status, 200, `request ${i} answered ${r.status}: ${r.body.slice(0, 200)}`);
        ids.push(r.auditId);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const answered = (n: number, what: string): Promise<true> => waitFor(what, async () => (ids.length >= n ? true : undefined), 60_000, 50);
    try {
      await answered(10, 'traffic before the outage');
      await kafka('down');
      const atDown = ids.length;
      await answered(atDown + 20, '20 requests answered while Kafka is down');
      const during = await spoolCounters(proxy.opsPort);
      assert.ok(during.spooled > 0, `the spool was used while Kafka was down (${JSON.stringify(during)})`);
      await kafka('up');
      await waitFor('the spool drained', async () => { const c = await spoolCounters(proxy.opsPort); return c.drained >= c.spooled && c.spooled > during.spooled ? true : undefined; }, 120_000, 500);
      const atDrained = ids.length;
      await answered(atDrained + 10, 'traffic straight to Kafka again');
      stop = true;
      await traffic;
      const final = await spoolCounters(proxy.opsPort);
      assert.equal(final.drained, final.spooled, `every spooled event drained (${JSON.stringify(final)})`);
      await collector.start(undefined, marker.offsets, OWN_BROKERS);
      await waitFor('every exchange of the run in Kafka', async () => {
        const complete = new Set(collector.events.filter((e) => e.stage === 'ResponseComplete').map((e) => e.auditID));
        return ids.every((id) => complete.has(id)) ? true : undefined;
      }, 90_000, 1000).catch(() => undefined);
      const mine = collector.events.map((e, i) => ({ e, raw: collector.raw[i]! })).filter(({ e }) => e.userAgent === userAgent);
      const byId = new Map<string, AuditEvent[]>();
      for (const { e } of mine) byId.set(e.auditID, [...(byId.get(e.auditID) ?? []), e]);
      const missing = ids.filter((id) => !byId.get(id)?.some((e) => e.stage === 'RequestReceived') || !byId.get(id)?.some((e) => e.stage === 'ResponseComplete'));
      assert.deepEqual(missing, [], `${missing.length} of ${ids.length} exchanges lack an event`);
      // Each exchange once: no exchange the client did not make, and a record seen twice is the same bytes sent again
      // (an unacknowledged batch that Kafka had written), never a second, different record.
      assert.deepEqual([...byId.keys()].filter((id) => !ids.includes(id)), [], 'exchanges nobody made');
      assert.equal(new Set(ids).size, ids.length, 'one audit ID per request');
      const copies = new Map<string, Set<string>>();
      for (const { e, raw } of mine) copies.set(`${e.auditID}/${e.stage}`, (copies.get(`${e.auditID}/${e.stage}`) ?? new Set()).add(raw));
      assert.deepEqual([...copies].filter(([, c]) => c.size > 1).map(([k]) => k), [], 'a stage recorded twice with different content');
      // Order across exchanges: one actor, one partition; the spool drains before direct sends resume, so the
      // requests' RequestReceived events are in the order the requests were made, each before its ResponseComplete.
      const first = (stage: string): string[] => [...new Set(mine.filter(({ e }) => e.stage === stage).map(({ e }) => e.auditID))];
      assert.deepEqual(first('RequestReceived'), ids, 'RequestReceived in request order across the outage');
      assert.deepEqual(first('ResponseComplete'), ids, 'ResponseComplete in request order across the outage');
      const position = new Map<string, number>();
      mine.forEach(({ e }, i) => { if (!position.has(`${e.auditID}/${e.stage}`)) position.set(`${e.auditID}/${e.stage}`, i); });
      for (const id of ids) assert.ok(position.get(`${id}/RequestReceived`)! < position.get(`${id}/ResponseComplete`)!, `order of ${id}`);
    } finally {
      stop = true;
      await traffic.catch(() => undefined);
      await kafka('up');
      await collector.stop().catch(() => undefined);
      await proxy.stop();
    }
  });
});
