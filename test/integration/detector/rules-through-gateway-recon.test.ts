// The older rules (Secret reads and refusals, reconnaissance, ephemeral containers, anonymous access) as kubectl
// sessions through the real gateway, the example policy in force, checked at the webhook receiver. The gateway
// forwards each caller as itself (PROXY_IMPERSONATE), so the API server's RBAC judges them: the agents are bound to
// cluster-admin, except `nobody`, whose attempts the policy allows and RBAC forbids.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import type { AuditEvent } from '@auditgate/shared';
import { uniqueName, waitFor } from '@auditgate/shared/testing';
import { EventCollector } from '../proxy/support/event-collector.js';
import { admin, examplePolicyWith, startGatewayPipeline, type Agent, type GatewayPipeline } from './support/gateway-pipeline.js';

const AGENTS = [
  'denied', 'reader', 'cw', 'cw-neg', 'disc', 'disc-neg', 'debug', 'debug-neg', 'quiet', 'sweep', 'nobody',
] as const;
type Name = (typeof AGENTS)[number];
const ANONYMOUS = 'system:anonymous';

describe('older rules through the gateway with kubectl (example policy in force, callers judged by RBAC)', { timeout: 10 * 60_000 }, () => {
  let p: GatewayPipeline;
  let a: Record<Name, Agent>;
  let node = '';
  const events = new EventCollector();
  const cleanup: string[][] = [];
  const pod = uniqueName('web');
  const binding = uniqueName('ag-recon-admins');

  const evidenceEvent = (auditID: string): Promise<AuditEvent> =>
    events.waitFor(`event ${auditID}`, (e) => e.auditID === auditID && e.stage === 'ResponseComplete').then((x) => x[0]!);

  before(async () => {
    p = await startGatewayPipeline({ policy: () => examplePolicyWith(), proxyEnv: { PROXY_IMPERSONATE: 'true' } });
    await events.start(p.names.eventsTopic);
    a = await p.agents(...AGENTS);
    const ns = p.namespace;
    await admin(['create', 'clusterrolebinding', binding, '--clusterrole=cluster-admin',
      ...AGENTS.filter((n) => n !== 'nobody').map((n) => `--serviceaccount=${ns}:${n}`)]);
    cleanup.push(['delete', 'clusterrolebinding', binding, '--ignore-not-found']);
    await admin(['-n', ns, 'run', pod, '--image=nginx']);
    await waitFor(`${pod} running`, async () => ((await admin(['-n', ns, 'get', 'pod', pod, '-o', 'jsonpath={.status.phase}'])) === 'Running' ? true : undefined), 120_000);
    for (const name of ['s1', 's2', 's3']) await admin(['-n', ns, 'create', 'secret', 'generic', name, `--from-literal=k=${name}`]);
    node = (await admin(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
  });
  after(async () => {
    for (const args of cleanup) await admin(args).catch(() => undefined);
    await events.stop();
    await p.stop();
  });

  it('SECRET_ACCESS_DENIED: a kube-system Secret read, refused by policy, fires and is no SECRET_READ; an allowed read is SECRET_READ (masked: low), not a denial', async () => {
    assert.equal((await a.denied.attempt(['-n', 'kube-system', 'get', 'secret', 'anything'])).ok, false);
    const alert = await p.waitAlert(a.denied.username, 'SECRET_ACCESS_DENIED');
    assert.equal(alert.outcome, 'refused');
    assert.equal(alert.details['policyRule'], 'deny-secrets-kube-system');
    await a.reader.kubectl(['-n', p.namespace, 'get', 'secret', 's1', '-o', 'name']);
    await a.reader.kubectl(['-n', p.namespace, 'get', 'secret', 's2', '-o', 'name']);
    const read = await p.waitAlert(a.reader.username, 'SECRET_READ');
    assert.equal(read.outcome, 'allowed');
    assert.equal(read.severity, 'low', 'the example policy masks Secrets outside kube-system');
    assert.equal(read.technique?.id, 'T1552.007');
    await p.settle(a.denied, a.reader);
    assert.ok(!p.rulesOf(a.denied.username).includes('SECRET_READ'));
    const readerRules = p.rulesOf(a.reader.username);
    assert.ok(!readerRules.includes('SECRET_ACCESS_DENIED'), readerRules.join(','));
    assert.ok(!readerRules.includes('SECRET_LIST_NAMESPACE'), 'reads by name are no list');
    assert.ok(!readerRules.includes('SECRET_READ_BURST'), 'two distinct Secrets are below the burst threshold of three');
  });

  it('forbidden by RBAC: a Secret list the policy allows (mask) and the API server answers 403 still fires, outcome forbidden', async () => {
    const out = await a.nobody.attempt(['-n', p.namespace, 'get', 'secrets']);
    assert.equal(out.ok, false);
    assert.match(out.out, /forbidden/i);
    const alert = await p.waitAlert(a.nobody.username, 'SECRET_LIST_NAMESPACE');
    assert.equal(alert.outcome, 'forbidden');
    assert.equal(alert.severity, 'high', 'the rule keeps its severity');
    const recorded = await evidenceEvent(alert.evidence[0]!);
    assert.equal(recorded.responseStatus?.code, 403);
    assert.equal(recorded.auditgate.policy?.decision, 'mask', 'our policy let it through: the 403 is the API server\'s');
  });

  it('CLUSTERWIDE_LIST: kubectl get pods -A fires; the same list in one namespace does not', async () => {
    await a.cw.kubectl(['get', 'pods', '-A']);
    const alert = await p.waitAlert(a.cw.username, 'CLUSTERWIDE_LIST');
    assert.equal(alert.outcome, 'allowed');
    assert.equal(alert.technique?.id, 'T1613');
    await a['cw-neg'].kubectl(['-n', p.namespace, 'get', 'pods']);
    await p.settle(a['cw-neg']);
    assert.ok(!p.rulesOf(a['cw-neg'].username).includes('CLUSTERWIDE_LIST'));
  });

  it('DISCOVERY_SWEEP: namespaces, nodes and clusterroles listed within a minute fire; two resources do not', async () => {
    for (const resource of ['namespaces', 'nodes', 'clusterroles']) await a.disc.kubectl(['get', resource, '-o', 'name']);
    const alert = await p.waitAlert(a.disc.username, 'DISCOVERY_SWEEP');
    assert.deepEqual([...(alert.details['distinct'] as string[])].sort(), ['clusterroles', 'namespaces', 'nodes']);
    for (const resource of ['namespaces', 'nodes']) await a['disc-neg'].kubectl(['get', resource, '-o', 'name']);
    await p.settle(a['disc-neg']);
    assert.ok(!p.rulesOf(a['disc-neg'].username).includes('DISCOVERY_SWEEP'));
  });

  it('EPHEMERAL_CONTAINER: kubectl debug adding an ephemeral container fires; kubectl debug --copy-to (a new pod) does not', async () => {
    await a.debug.kubectl(['-n', p.namespace, 'debug', pod, '--image=busybox', '--container=dbg']);
    const alert = await p.waitAlert(a.debug.username, 'EPHEMERAL_CONTAINER');
    assert.equal(alert.outcome, 'allowed');
    assert.equal(alert.technique?.id, 'T1610');
    await a['debug-neg'].kubectl(['-n', p.namespace, 'debug', pod, `--copy-to=${uniqueName('ag-copy')}`, '--image=busybox', '--container=dbg']);
    await p.settle(a['debug-neg']);
    assert.ok(!p.rulesOf(a['debug-neg'].username).includes('EPHEMERAL_CONTAINER'));
  });

  it('PERMISSION_PROBE: ordinary reads raise no probe (a refused kube-system Secret read is the sentinel)', async () => {
    await a.quiet.kubectl(['-n', p.namespace, 'get', 'pods,configmaps,services']);
    await a.quiet.kubectl(['-n', p.namespace, 'describe', 'pod', pod]);
    await a.quiet.attempt(['-n', 'kube-system', 'get', 'secret', 'sentinel']);
    await p.waitAlert(a.quiet.username, 'SECRET_ACCESS_DENIED');
    await p.waitDelivered();
    assert.ok(!p.rulesOf(a.quiet.username).includes('PERMISSION_PROBE'), p.rulesOf(a.quiet.username).join(','));
  });

  it('FORBIDDEN_SWEEP: reads mixed with refusals of three URIs over three resources fire', async () => {
    const ns = p.namespace;
    for (const args of [['-n', ns, 'get', 'pods'], ['-n', ns, 'get', 'configmaps'], ['-n', ns, 'get', 'services']]) await a.sweep.kubectl(args);
    for (const args of [['-n', 'kube-system', 'get', 'secrets'], ['-n', 'kube-system', 'get', 'secret', 'x'], ['get', '--raw', `/api/v1/nodes/${node}/proxy/pods`], ['-n', 'kube-system', 'create', 'token', 'default']]) {
      assert.equal((await a.sweep.attempt(args)).ok, false, args.join(' '));
    }
    const alert = await p.waitAlert(a.sweep.username, 'FORBIDDEN_SWEEP');
    assert.equal(alert.severity, 'medium');
    const uris = alert.details['distinct'] as string[];
    assert.ok(uris.length >= 6, uris.join(' '));
    assert.ok(uris.some((u) => u.includes('/namespaces/kube-system/secrets')) && uris.some((u) => u.includes(`/namespaces/${ns}/pods`)), 'refused and allowed requests both count');
  });

  it('ANONYMOUS_ALLOWED: requests without a token are answered 401 by the gateway and raise nothing (a Secret denial is the sentinel)', async () => {
    // No credentials at all (kubectl would prompt for a password on a 401): plain HTTPS, as a scanner would send.
    const anon = (path: string): Promise<number> => new Promise((resolve, reject) => {
      request({ host: '127.0.0.1', port: p.proxy.httpsPort, path, rejectUnauthorized: false }, (res) => { res.resume(); resolve(res.statusCode ?? 0); })
        .on('error', reject).end();
    });
    for (const path of ['/api/v1/namespaces', '/.well-known/openid-configuration', '/apis']) assert.equal(await anon(path), 401, path);
    assert.equal(await anon(`/api/v1/namespaces/${p.namespace}/secrets/s1`), 401);
    const sentinel = await p.waitAlert(ANONYMOUS, 'SECRET_ACCESS_DENIED');
    assert.notEqual(sentinel.outcome, 'allowed');
    await p.waitDelivered();
    assert.ok(!p.rulesOf(ANONYMOUS).includes('ANONYMOUS_ALLOWED'), p.rulesOf(ANONYMOUS).join(','));
    const recorded = events.events.filter((e) => e.auditgate.actor.username === ANONYMOUS && e.stage === 'ResponseComplete');
    assert.ok(recorded.length >= 4 && recorded.every((e) => e.responseStatus?.code === 401), JSON.stringify(recorded.map((e) => [e.requestURI, e.responseStatus?.code])));
  });
});
