import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { once } from 'node:events';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import {
  kubectl, readApiServerAudit, readKubeCredentials, readStackEnv, uniqueName, waitFor,
} from '@auditgate/shared/testing';

const stack = readStackEnv(process.env);
const creds = readKubeCredentials(stack);
const ns = uniqueName('cp-test');
const admin = (args: string[], input?: string) => kubectl(stack, creds.adminKubeconfig, args, input);

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${stack.kubeApiserverUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${creds.adminToken}`, 'content-type': 'application/json', 'user-agent': `cp-test/${ns}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: await response.json() as Record<string, unknown> };
}

/** Appends a line to the kwok container log in CRI format, which `logs` and `attach` follow. */
function appendContainerLog(text: string): void {
  appendFileSync(`${stack.kubeState}/kwok/container.log`, `${new Date().toISOString()} stdout F ${text}\n`);
}

describe('the real Kubernetes control plane of the local stack', () => {
  before(async () => { await admin(['create', 'namespace', ns]); });
  after(async () => { await admin(['delete', 'namespace', ns, '--wait=false']); });

  it('mints a TokenRequest token with audience auditgate that jose verifies via the issuer discovery + JWKS', async () => {
    await admin(['-n', ns, 'create', 'serviceaccount', 'agent']);
    const minted = await api('POST', `/api/v1/namespaces/${ns}/serviceaccounts/agent/token`, {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: ['auditgate'], expirationSeconds: 600 },
    });
    assert.equal(minted.status, 201, JSON.stringify(minted.json));
    const token = (minted.json['status'] as { token: string }).token;

    const discovery = await (await fetch(`${stack.kubeApiserverUrl}/.well-known/openid-configuration`)).json() as { issuer: string; jwks_uri: string };
    assert.equal(discovery.issuer, stack.kubeApiserverUrl);
    const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
    const { payload } = await jwtVerify(token, jwks, { issuer: discovery.issuer, audience: 'auditgate', algorithms: ['RS256'] });
    assert.equal(payload.sub, `system:serviceaccount:${ns}:agent`);
    await assert.rejects(jwtVerify(token, jwks, { issuer: discovery.issuer, audience: 'someone-else' }), /aud/);

    const audited = await waitFor('the TokenRequest in the API server audit log', async () => {
      const found = readApiServerAudit(creds.auditLog, (e) => {
        const ref = e['objectRef'] as Record<string, string> | undefined;
        return e['verb'] === 'create' && e['stage'] === 'ResponseComplete' && ref?.['resource'] === 'serviceaccounts'
          && ref['subresource'] === 'token' && ref['namespace'] === ns && ref['name'] === 'agent';
      });
      return found.length > 0 ? found : undefined;
    });
    assert.equal((audited[0]!['user'] as { username: string }).username, 'auditgate-admin');
    assert.equal((audited[0]!['responseStatus'] as { code: number }).code, 201);
  });

  it("schedules a Deployment's pod to the kwok node and it becomes Running", async () => {
    await admin(['-n', ns, 'create', 'deployment', 'web', '--image=nginx', '--port=80']);
    const pod = await waitFor('a Running pod of the Deployment', async () => {
      const list = JSON.parse(await admin(['-n', ns, 'get', 'pods', '-l', 'app=web', '-o', 'json'])) as
        { items: Array<{ metadata: { name: string }; spec: { nodeName?: string }; status: { phase?: string } }> };
      return list.items.find((p) => p.status.phase === 'Running');
    }, 60_000);
    assert.equal(pod.spec.nodeName, 'kwok-node-0');
  });

  it('kubectl exec runs a command through the API server and the kwok kubelet', async () => {
    const out = await admin(['-n', ns, 'exec', 'deploy/web', '--', 'sh', '-c', 'echo exec-ok:$AUDITGATE_KWOK']);
    assert.equal(out.trim(), 'exec-ok:1');
  });

  it('kubectl logs -f follows lines as they are written', async () => {
    const marker = uniqueName('log-line');
    const child = spawn(stack.kubectl, ['--kubeconfig', creds.adminKubeconfig, '-n', ns, 'logs', '-f', '--tail=1', 'deploy/web']);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    try {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      appendContainerLog(`first ${marker}`);
      await waitFor('the first followed line', async () => (out.includes(`first ${marker}`) ? true : undefined));
      appendContainerLog(`second ${marker}`);
      await waitFor('the second followed line', async () => (out.includes(`second ${marker}`) ? true : undefined));
      assert.equal(child.exitCode, null, 'still following');
    } finally {
      child.kill();
    }
  });

  it('kubectl port-forward carries bytes to the pod and back', async () => {
    const child = spawn(stack.kubectl, ['--kubeconfig', creds.adminKubeconfig, '-n', ns, 'port-forward', 'deploy/web', ':80']);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    try {
      const port = await waitFor('the forwarded local port', async () => /127\.0\.0\.1:(\d+) ->/.exec(out)?.[1]);
      const socket = connect(Number(port), '127.0.0.1');
      await once(socket, 'connect');
      socket.write('ping through port-forward\n');
      const [echoed] = await once(socket, 'data') as [Buffer];
      assert.equal(echoed.toString(), 'ping through port-forward\n');
      socket.destroy();
    } finally {
      child.kill();
    }
  });
});
