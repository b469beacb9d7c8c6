import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ErrorCodes } from '@auditgate/shared';
import { readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';
import { createUpstreamCredentials } from '../../../services/proxy/src/upstream/create-upstream-credentials.js';
import { auditEventsSince, fileSize, upstreamGet } from '../../../services/proxy/src/upstream/upstream-test.test-helper.js';

const stack = readStackEnv(process.env);
const apiserver = new URL(stack.kubeApiserverUrl);
const auditLog = path.join(stack.kubeState, 'audit.log');
let dir = '';

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'auditgate-in-cluster-'));
  await copyFile(path.join(stack.kubeState, 'pki', 'ca.crt'), path.join(dir, 'ca.crt'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function tokenOf(user: string): Promise<string> {
  const line = (await readFile(path.join(stack.kubeState, 'tokens.csv'), 'utf8')).split('\n').find((l) => l.split(',')[1] === user);
  assert.ok(line, `no token for ${user}`);
  return line.split(',')[0] ?? '';
}

it('in-cluster: GET /version with the mounted token and CA; a rotated token file is picked up', async () => {
  let clock = Date.now();
  const tokenPath = path.join(dir, 'token');
  await writeFile(tokenPath, await tokenOf('auditgate-gateway'));
  const creds = await createUpstreamCredentials({
    mode: 'in-cluster', tokenPath, caPath: path.join(dir, 'ca.crt'), host: apiserver.hostname, port: apiserver.port,
    now: () => clock, reloadMs: 60_000,
  });
  try {
    assert.equal(creds.mode, 'in-cluster');
    assert.equal(creds.target().server.origin, stack.kubeApiserverUrl);
    assert.equal(creds.target().tls.rejectUnauthorized, true);
    assert.equal(creds.describe().mode, 'in-cluster');

    const usedBy = async (): Promise<string> => {
      const offset = await fileSize(auditLog);
      const agent = uniqueName('auditgate-in-cluster-test');
      const answer = await upstreamGet(creds, '/version', agent);
      assert.equal(answer.status, 200, answer.body);
      assert.match((JSON.parse(answer.body) as { gitVersion: string }).gitVersion, /^v1\.36\./);
      const event = await waitFor('audit event', async () =>
        (await auditEventsSince(auditLog, offset)).find((e) => e.userAgent === agent && e.stage === 'ResponseComplete'));
      return event.user.username;
    };
    assert.equal(await usedBy(), 'auditgate-gateway');

    await writeFile(tokenPath, `${await tokenOf('auditgate-admin')}\n`);
    assert.equal(await usedBy(), 'auditgate-gateway', 'cached until the re-read period');
    clock += 61_000; // due: the next call re-reads the file (the one shared token reader, as the indexer's did)
    assert.equal(await creds.authorization(), `Bearer ${await tokenOf('auditgate-admin')}`);
    assert.equal(await usedBy(), 'auditgate-admin');
  } finally {
    await creds.close();
  }
});

it('in-cluster: a missing host, CA or token is a start-up error', async () => {
  const tokenPath = path.join(dir, 'token');
  await writeFile(tokenPath, 'x');
  const caPath = path.join(dir, 'ca.crt');
  await assert.rejects(createUpstreamCredentials({ mode: 'in-cluster', tokenPath, caPath, port: 443 }),
    (e: { code?: string }) => e.code === ErrorCodes.CONFIG_INVALID);
  await assert.rejects(createUpstreamCredentials({ mode: 'in-cluster', tokenPath, caPath: path.join(dir, 'none'), host: '127.0.0.1', port: 6443 }),
    (e: { code?: string }) => e.code === ErrorCodes.CONFIG_INVALID);
  await assert.rejects(createUpstreamCredentials({ mode: 'in-cluster', tokenPath: path.join(dir, 'none'), caPath, host: '127.0.0.1', port: 6443 }),
    (e: { code?: string; retriable?: boolean }) => e.code === ErrorCodes.UPSTREAM_UNAVAILABLE && e.retriable === true);
});
