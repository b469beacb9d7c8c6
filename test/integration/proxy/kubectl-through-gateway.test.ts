import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { connect } from 'node:net';
import { once } from 'node:events';
import type { AuditEvent } from '@auditgate/shared';
import { kubectl, readKubeCredentials, readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';
import { EventCollector } from './support/event-collector.js';
import { createAgent, startProxy, type ProxyHarness } from './support/proxy-harness.js';

const stack = readStackEnv(process.env);
const creds = readKubeCredentials(stack);
const SECRET_VALUE = `s3cr3t-${uniqueName('pw')}`;

describe('kubectl through the gateway (real kube-apiserver, real Kafka)', () => {
  let proxy: ProxyHarness;
  let agent: Awaited<ReturnType<typeof createAgent>>;
  let kubeconfig: string;
  const events = new EventCollector();
  const gw = (args: string[], input?: string) => kubectl(stack, kubeconfig, ['-n', agent.namespace, ...args], input);
  const mine = (e: AuditEvent) => e.auditgate.actor.username === agent.username;

  /** Both stages of one exchange, matched by auditID. */
  async function exchange(what: string, match: (e: AuditEvent) => boolean): Promise<{ received: AuditEvent; complete: AuditEvent }> {
    const [complete] = await events.waitFor(what, (e) => mine(e) && e.stage === 'ResponseComplete' && match(e));
    const [received] = await events.waitFor(`${what} (RequestReceived)`, (e) => e.auditID === complete!.auditID && e.stage === 'RequestReceived');
    assert.ok(Date.parse(received!.stageTimestamp) <= Date.parse(complete!.stageTimestamp));
    return { received: received!, complete: complete! };
  }

  before(async () => {
    await events.start();
    proxy = await startProxy();
    agent = await createAgent('gw-kubectl');
    kubeconfig = proxy.kubeconfigFor(agent.token);
  });
  after(async () => {
    await kubectl(stack, creds.adminKubeconfig, ['delete', 'namespace', agent.namespace, '--wait=false']).catch(() => undefined);
    await proxy.stop();
    await events.stop();
  });

  it('get and list: answered by the API server, recorded as the service account with RequestReceived first', async () => {
    const list = JSON.parse(await gw(['get', 'serviceaccounts', '-o', 'json'])) as { items: Array<{ metadata: { name: string } }> };
    assert.ok(list.items.some((sa) => sa.metadata.name === 'agent'));
    const { complete } = await exchange('list serviceaccounts', (e) => e.verb === 'list' && e.objectRef?.resource === 'serviceaccounts' && e.objectRef.namespace === agent.namespace);
    assert.equal(complete.responseStatus?.code, 200);
    assert.equal(complete.user.username, agent.username);
    assert.ok(complete.user.groups?.includes(`system:serviceaccounts:${agent.namespace}`));
    assert.equal(complete.auditgate.upstream?.identity, 'auditgate-gateway');
    await gw(['get', 'serviceaccount', 'agent']);
    await exchange('get serviceaccount', (e) => e.verb === 'get' && e.objectRef?.name === 'agent');
  });

  it('apply and delete of a Secret: created for real, recorded masked', async () => {
    const manifest = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { password: SECRET_VALUE } });
    await gw(['apply', '-f', '-'], manifest);
    const stored = JSON.parse(await kubectl(stack, creds.adminKubeconfig, ['-n', agent.namespace, 'get', 'secret', 'db', '-o', 'json'])) as { data: Record<string, string> };
    assert.equal(Buffer.from(stored.data['password']!, 'base64').toString(), SECRET_VALUE, 'the API server got the real value');
    const write = await exchange('apply secret', (e) => (e.verb === 'patch' || e.verb === 'create') && e.objectRef?.resource === 'secrets' && e.objectRef.name === 'db');
    assert.ok((write.received.auditgate.body?.request?.bytes ?? 0) > 0);
    const seen = await gw(['get', 'secret', 'db', '-o', 'json']);
    assert.ok(seen.includes(Buffer.from(SECRET_VALUE).toString('base64')), 'allowed reads return the real value to the caller');
    const read = await exchange('get secret', (e) => e.verb === 'get' && e.objectRef?.resource === 'secrets' && e.objectRef.name === 'db' && e.responseStatus?.code === 200);
    assert.ok(read.complete.auditgate.body?.response?.maskedPaths.includes('/data/password'));
    assert.match(JSON.stringify(read.complete.responseObject), /masked:hmac-sha256/);
    await gw(['delete', 'secret', 'db']);
    await exchange('delete secret', (e) => e.verb === 'delete' && e.objectRef?.name === 'db');
  });

  it('server-side apply: the apply patch is forwarded, applied, and recorded with its field manager', async () => {
    const manifest = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa' }, data: { mode: 'server-side' } });
    await gw(['apply', '--server-side', '--field-manager=auditgate-test', '-f', '-'], manifest);
    const stored = JSON.parse(await kubectl(stack, creds.adminKubeconfig, ['-n', agent.namespace, 'get', 'configmap', 'ssa', '-o', 'json'])) as { data: Record<string, string> };
    assert.equal(stored.data['mode'], 'server-side');
    const { received } = await exchange('server-side apply', (e) => e.verb === 'patch' && e.objectRef?.name === 'ssa');
    assert.match(received.requestURI, /fieldManager=auditgate-test/);
    assert.match(received.auditgate.body?.request?.contentType ?? '', /apply-patch/);
  });

  it('watch: a change made during the watch reaches the client; ResponseStarted at open, ResponseComplete at close with event and byte counts', async () => {
    await gw(['create', 'configmap', 'watched', '--from-literal=a=b']);
    const watch = spawn(stack.kubectl, ['--kubeconfig', kubeconfig, '-n', agent.namespace, 'get', 'configmaps', '--watch', '--request-timeout=60s', '-o', 'name']);
    let out = '';
    watch.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    const exited = once(watch, 'exit');
    try {
      // The initial list is printed once the watch is about to open; the change is made after that.
      await waitFor('the initial list through the watch', async () => (out.includes('configmap/watched') ? true : undefined), 30_000);
      await events.waitFor('the watch opened (ResponseStarted)', (e) => mine(e) && e.verb === 'watch' && e.objectRef?.resource === 'configmaps' && e.stage === 'ResponseStarted');
      await gw(['create', 'configmap', 'changed-while-watching', '--from-literal=c=d']);
      await waitFor('the change through the watch', async () => (out.includes('configmap/changed-while-watching') ? true : undefined), 30_000);
    } finally {
      watch.kill();
      await exited;
    }
    const { complete } = await exchange('watch configmaps', (e) => e.verb === 'watch' && e.objectRef?.resource === 'configmaps');
    await events.waitFor('ResponseStarted of the watch', (e) => e.auditID === complete.auditID && e.stage === 'ResponseStarted');
    assert.ok((complete.auditgate.stream?.events ?? 0) >= 1, 'the ADDED event of the change was counted');
    assert.ok((complete.auditgate.stream?.bytes ?? 0) > 0);
  });

  it('exec, logs -f and port-forward through the gateway, each recorded', async () => {
    await kubectl(stack, creds.adminKubeconfig, ['-n', agent.namespace, 'create', 'deployment', 'web', '--image=nginx']);
    await waitFor('a running pod', async () => ((await gw(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].status.phase}'])).includes('Running') ? true : undefined), 60_000);
    assert.equal((await gw(['exec', 'deploy/web', '--', 'echo', 'exec-through-gateway'])).trim(), 'exec-through-gateway');
    const execEvent = await exchange('exec', (e) => e.objectRef?.subresource === 'exec');
    assert.match(execEvent.complete.requestURI, /command=echo/);
    assert.ok(['get', 'create'].includes(execEvent.complete.verb), 'WebSocket exec is a GET, SPDY exec a POST');

    const marker = uniqueName('followed');
    const logs = spawn(stack.kubectl, ['--kubeconfig', kubeconfig, '-n', agent.namespace, 'logs', '-f', '--tail=1', 'deploy/web']);
    let out = '';
    logs.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    await new Promise((r) => setTimeout(r, 1500));
    appendFileSync(`${stack.kubeState}/kwok/container.log`, `${new Date().toISOString()} stdout F ${marker}\n`);
    await waitFor('the followed line', async () => (out.includes(marker) ? true : undefined));
    logs.kill();
    await exchange('logs -f', (e) => e.objectRef?.subresource === 'log' && /follow=true/.test(e.requestURI));

    const pf = spawn(stack.kubectl, ['--kubeconfig', kubeconfig, '-n', agent.namespace, 'port-forward', 'deploy/web', ':80']);
    let pfOut = '';
    pf.stdout.on('data', (c: Buffer) => { pfOut += c.toString(); });
    try {
      const port = await waitFor('the forwarded port', async () => /127\.0\.0\.1:(\d+) ->/.exec(pfOut)?.[1]);
      const socket = connect(Number(port), '127.0.0.1');
      await once(socket, 'connect');
      socket.write('through the gateway\n');
      const [echoed] = await once(socket, 'data') as [Buffer];
      assert.equal(echoed.toString(), 'through the gateway\n');
      socket.destroy();
    } finally {
      pf.kill();
    }
    const forward = await exchange('port-forward', (e) => e.objectRef?.subresource === 'portforward');
    assert.ok((forward.complete.auditgate.stream?.bytes ?? 0) > 0);
  });

  it('auth can-i --list is forwarded and recorded as a selfsubjectrulesreview', async () => {
    const out = await gw(['auth', 'can-i', '--list']);
    assert.match(out, /Resources/);
    await exchange('can-i', (e) => e.verb === 'create' && e.objectRef?.resource === 'selfsubjectrulesreviews');
  });

  it('Kafka never received the plaintext of the secret created here', async () => {
    await new Promise((r) => setTimeout(r, 500));
    const all = events.raw.join('\n');
    assert.ok(events.raw.length > 10);
    for (const form of [SECRET_VALUE, Buffer.from(SECRET_VALUE).toString('base64')]) {
      assert.equal(all.includes(form), false, `plaintext form ${form.slice(0, 6)}… found in Kafka`);
    }
  });
});
