import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import type { AuditEvent } from '@auditgate/shared';
import { kubectl, readApiServerAudit, readKubeCredentials, readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';
import { EventCollector } from './support/event-collector.js';
import { createAgent, startProxy, type ProxyHarness } from './support/proxy-harness.js';

const run = promisify(execFile);
const stack = readStackEnv(process.env);
const creds = readKubeCredentials(stack);
const STACK_SCRIPT = new URL('../../stack/stack.sh', import.meta.url).pathname;
// A broker of this test's own (same jars, its own state and ports), so stopping it disturbs no other test.
const OWN_STATE = mkdtempSync(join(tmpdir(), 'auditgate-outage-kafka-'));
const OWN_PORT = 19092;
const OWN_BROKERS = [`127.0.0.1:${OWN_PORT}`];

async function kafka(action: 'up' | 'down'): Promise<void> {
  await run('bash', [STACK_SCRIPT, action, 'kafka'], {
    timeout: 180_000,
    env: { ...process.env, AUDITGATE_STATE: OWN_STATE, KAFKA_PORT: String(OWN_PORT), KAFKA_CONTROLLER_PORT: '19097' },
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
    try {
      assert.equal((await get(proxy.httpsPort, agent.token, path, 'outage/before')).status, 200);
      await kafka('down');
      const marker = uniqueName('fail-closed');
      const refused = await get(proxy.httpsPort, agent.token, path, marker);
      assert.equal(refused.status, 503);
      const status = JSON.parse(refused.body) as { kind: string; details: { causes: Array<{ reason: string }> } };
      assert.equal(status.kind, 'Status');
      assert.equal(status.details.causes[0]?.reason, 'AUDITGATE_E_KAFKA_UNAVAILABLE');
      const ready = await fetch(`http://127.0.0.1:${proxy.opsPort}/readyz`);
      assert.equal(ready.status, 503, 'not ready while the audit log is unavailable');
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(readApiServerAudit(creds.auditLog, (e) => e['userAgent'] === marker).length, 0, 'the refused request never reached the API server');
      await kafka('up');
      await waitFor('service restored after Kafka returns', async () => {
        const again = await get(proxy.httpsPort, agent.token, path, 'outage/after');
        return again.status === 200 ? true : undefined;
      }, 90_000, 1000);
    } finally {
      await kafka('up');
      await proxy.stop();
    }
  });

  it('spool: requests keep flowing while Kafka is down; the spool drains every event to Kafka in order', async () => {
    const proxy = await startProxy({ env: { KAFKA_BROKERS: OWN_BROKERS.join(','), PROXY_KAFKA_OUTAGE_MODE: 'spool', PROXY_KAFKA_ACK_TIMEOUT_MS: '1500' } });
    // Only the offsets where the run starts; events are read after Kafka is back, by a fresh consumer.
    const marker = new EventCollector();
    await marker.start(undefined, undefined, OWN_BROKERS);
    await marker.stop();
    const collector = new EventCollector();
    const path = `/api/v1/namespaces/${agent.namespace}/serviceaccounts/agent`;
    const ids: string[] = [];
    let stop = false;
    const traffic = (async () => {
      for (let i = 0; i < 400 && !stop; i += 1) {
        const r = await get(proxy.httpsPort, agent.token, path, 'outage/spool');
        assert.equal(r.status, 200, `request ${i} answered ${r.status}: ${r.body.slice(0, 200)}`);
        ids.push(r.auditId);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    try {
      await new Promise((r) => setTimeout(r, 1500));
      await kafka('down');
      const beforeUp = ids.length;
      await new Promise((r) => setTimeout(r, 3000));
      assert.ok(ids.length > beforeUp, 'requests were answered while Kafka was down');
      await kafka('up');
      await new Promise((r) => setTimeout(r, 3000));
      stop = true;
      await traffic;
      await collector.start(undefined, marker.offsets, OWN_BROKERS);
      await waitFor('every exchange of the run in Kafka', async () => {
        const complete = new Set(collector.events.filter((e) => e.stage === 'ResponseComplete').map((e) => e.auditID));
        return ids.every((id) => complete.has(id)) ? true : undefined;
      }, 90_000, 1000).catch(() => undefined);
      const byId = new Map<string, AuditEvent[]>();
      for (const e of collector.events) if (ids.includes(e.auditID)) byId.set(e.auditID, [...(byId.get(e.auditID) ?? []), e]);
      const missing = ids.filter((id) => !byId.get(id)?.some((e) => e.stage === 'RequestReceived') || !byId.get(id)?.some((e) => e.stage === 'ResponseComplete'));
      assert.deepEqual(missing, [], `${missing.length} of ${ids.length} exchanges lack an event`);
      const order = collector.events.filter((e) => ids.includes(e.auditID));
      for (const id of ids) {
        const stages = order.filter((e) => e.auditID === id).map((e) => e.stage);
        assert.ok(stages.indexOf('RequestReceived') < stages.lastIndexOf('ResponseComplete'), `order of ${id}: ${stages.join(',')}`);
      }
    } finally {
      stop = true;
      await traffic.catch(() => undefined);
      await kafka('up');
      await collector.stop().catch(() => undefined);
      await proxy.stop();
    }
  });
});
