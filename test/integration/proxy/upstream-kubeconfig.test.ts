import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ErrorCodes } from '@auditgate/shared';
import { readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';
import { createKubeconfigCredentials } from '../../../services/proxy/src/upstream/kubeconfig-credentials.js';
import { createUpstreamCredentials } from '../../../services/proxy/src/upstream/create-upstream-credentials.js';
import type { UpstreamCredentials } from '../../../services/proxy/src/upstream/upstream-credentials.js';
import { auditEventsSince, fileSize, upstreamGet } from '../../../services/proxy/src/upstream/upstream-test.test-helper.js';

const stack = readStackEnv(process.env);
const kube = stack.kubeState;
const auditLog = path.join(kube, 'audit.log');
const pki = path.join(kube, 'pki');
let dir = '';

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'auditgate-upstream-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function tokenOf(user: string): Promise<string> {
  const line = (await readFile(path.join(kube, 'tokens.csv'), 'utf8')).split('\n').find((l) => l.split(',')[1] === user);
  assert.ok(line, `no token for ${user}`);
  return line.split(',')[0] ?? '';
}

/** GETs `uri` with `creds`, expects `status`, and returns the username the API server audited for that request. */
async function auditedUser(creds: UpstreamCredentials, uri: string, status = 200): Promise<string> {
  const offset = await fileSize(auditLog);
  const agent = uniqueName('auditgate-upstream-test');
  const answer = await upstreamGet(creds, uri, agent);
  assert.equal(answer.status, status, answer.body);
  const event = await waitFor(`audit event of ${agent}`, async () =>
    (await auditEventsSince(auditLog, offset)).find((e) => e.userAgent === agent && e.stage === 'ResponseComplete'));
  assert.equal(event.requestURI, uri);
  return event.user.username;
}

function kubeconfig(user: Record<string, unknown>, cluster: Record<string, unknown> = { 'certificate-authority': path.join(pki, 'ca.crt') }): string {
  return JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'test',
    clusters: [{ name: 'c', cluster: { server: stack.kubeApiserverUrl, ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'test', context: { cluster: 'c', user: 'u' } }, { name: 'other', context: { cluster: 'c', user: 'u' } }],
  });
}

describe('kubeconfig upstream credentials against the real API server', () => {
  it('gateway-upstream.kubeconfig: GET /api/v1/namespaces is 200 and audited as auditgate-gateway', async () => {
    const creds = await createUpstreamCredentials({ mode: 'kubeconfig', kubeconfigPath: path.join(kube, 'gateway-upstream.kubeconfig') });
    try {
      assert.equal(creds.mode, 'kubeconfig');
      assert.equal(creds.target().server.origin, stack.kubeApiserverUrl);
      assert.ok(creds.target().tls.ca?.toString().includes('BEGIN CERTIFICATE'));
      assert.equal(creds.target().tls.rejectUnauthorized, true);
      assert.match((await creds.authorization()) ?? '', /^Bearer \S+$/);
      assert.deepEqual(creds.describe(), { mode: 'kubeconfig', identity: 'auditgate-gateway' });
      assert.equal(await auditedUser(creds, '/api/v1/namespaces'), 'auditgate-gateway');
    } finally {
      await creds.close();
      await creds.close();
    }
  });

  it('admin.kubeconfig is audited as auditgate-admin', async () => {
    const creds = await createKubeconfigCredentials({ kubeconfigPath: path.join(kube, 'admin.kubeconfig') });
    assert.equal(await auditedUser(creds, '/api/v1/namespaces'), 'auditgate-admin');
    await creds.close();
  });

  it('client certificate and CA as inline data: no Authorization header, audited as the certificate CN', async () => {
    const b64 = async (f: string) => (await readFile(path.join(pki, f))).toString('base64');
    const creds = await createKubeconfigCredentials({
      kubeconfigYaml: kubeconfig(
        { 'client-certificate-data': await b64('kubelet-client.crt'), 'client-key-data': await b64('kubelet-client.key') },
        { 'certificate-authority-data': await b64('ca.crt'), 'tls-server-name': 'kubernetes.default.svc' },
      ),
    });
    assert.equal(await creds.authorization(), undefined);
    assert.equal(creds.target().tls.servername, 'kubernetes.default.svc');
    assert.ok(creds.target().tls.key);
    assert.equal(await auditedUser(creds, '/api/v1/namespaces'), 'kube-apiserver-kubelet-client');
    await creds.close();
  });

  it('client certificate, key and CA as files relative to the kubeconfig', async () => {
    const sub = path.join(dir, 'files');
    await mkdir(sub);
    for (const f of ['ca.crt', 'kubelet-client.crt', 'kubelet-client.key']) await copyFile(path.join(pki, f), path.join(sub, f));
    const file = path.join(sub, 'config');
    await writeFile(file, kubeconfig({ 'client-certificate': 'kubelet-client.crt', 'client-key': 'kubelet-client.key' }, { 'certificate-authority': 'ca.crt' }));
    const creds = await createKubeconfigCredentials({ kubeconfigPath: file, context: 'other' });
    assert.equal(await auditedUser(creds, '/version'), 'kube-apiserver-kubelet-client');
    await creds.close();
  });

  it('tokenFile is re-read, so a rotated token is picked up', async () => {
    let clock = Date.now();
    const tokenFile = path.join(dir, 'token');
    await writeFile(tokenFile, `${await tokenOf('auditgate-gateway')}\n`);
    const creds = await createKubeconfigCredentials({ kubeconfigYaml: kubeconfig({ tokenFile }), now: () => clock, reloadMs: 1_000 });
    assert.equal(await auditedUser(creds, '/api/v1/namespaces'), 'auditgate-gateway');
    await writeFile(tokenFile, await tokenOf('auditgate-admin'));
    assert.equal(await auditedUser(creds, '/api/v1/namespaces'), 'auditgate-gateway', 'still cached before reloadMs');
    clock += 2_500; // past expiresAt: the next call waits for the re-read
    assert.equal(await auditedUser(creds, '/api/v1/namespaces'), 'auditgate-admin');
    await creds.close();
  });

  it('exec credential plugin (client.authentication.k8s.io/v1) through client-node', async () => {
    const plugin = path.join(dir, 'plugin.sh');
    const credential = { apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: await tokenOf('auditgate-gateway') } };
    await writeFile(plugin, `#!/bin/sh\necho '${JSON.stringify(credential)}'\n`);
    await chmod(plugin, 0o755);
    const creds = await createKubeconfigCredentials({
      kubeconfigYaml: kubeconfig({ exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' } }),
    });
    assert.equal(await creds.authorization(), `Bearer ${credential.status.token}`);
    assert.equal(await auditedUser(creds, '/api/v1/namespaces'), 'auditgate-gateway');
    await creds.close();
  });

  it('insecure-skip-tls-verify turns certificate verification off', async () => {
    const creds = await createKubeconfigCredentials({
      kubeconfigYaml: kubeconfig({ token: await tokenOf('auditgate-gateway') }, { 'insecure-skip-tls-verify': true }),
    });
    assert.equal(creds.target().tls.rejectUnauthorized, false);
    assert.equal(creds.target().tls.ca, undefined);
    assert.equal(await auditedUser(creds, '/version'), 'auditgate-gateway');
    await creds.close();
  });

  it('a wrong token is rejected by the API server (401)', async () => {
    const creds = await createKubeconfigCredentials({ kubeconfigYaml: kubeconfig({ token: 'not-a-valid-token' }) });
    const answer = await upstreamGet(creds, '/api/v1/namespaces', uniqueName('auditgate-upstream-test'));
    assert.equal(answer.status, 401);
    await creds.close();
  });

  it('configuration errors are CONFIG_INVALID', async () => {
    const invalid = (e: { code?: string }) => e.code === ErrorCodes.CONFIG_INVALID;
    await assert.rejects(createKubeconfigCredentials({}), invalid);
    await assert.rejects(createKubeconfigCredentials({ kubeconfigPath: path.join(dir, 'missing') }), invalid);
    await assert.rejects(createKubeconfigCredentials({ kubeconfigYaml: kubeconfig({ token: 'x' }), context: 'nope' }), invalid);
    await assert.rejects(createKubeconfigCredentials({ kubeconfigYaml: kubeconfig({}) }), invalid);
  });
});
