// Rules that read a request body, fed the bodies kubectl really sends: a Pod in Kubernetes protobuf (kubectl debug
// --copy-to), and JSON, merge and strategic merge patches (kubectl patch). Through the real gateway (example policy in
// force), kube-apiserver, Kafka and the detector, checked at the webhook receiver.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AuditEvent } from '@auditgate/shared';
import { uniqueName } from '@auditgate/shared/testing';
import { EventCollector } from '../proxy/support/event-collector.js';
import { admin, examplePolicyWith, startGatewayPipeline, type Agent, type GatewayPipeline } from './support/gateway-pipeline.js';

const AGENTS = ['copier', 'copier-neg', 'rbacp', 'rbacp-neg', 'jsonp', 'mergep', 'stratp', 'patch-neg', 'csrp', 'csrp-neg'] as const;
type Name = (typeof AGENTS)[number];

const run = promisify(execFile);

/** A CSR (PEM, base64 as the API wants it) for a fresh EC key, made by openssl. */
async function csrRequest(cn: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ag-csr-'));
  await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${cn}`,
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'csr.pem')]);
  return readFileSync(join(dir, 'csr.pem')).toString('base64');
}

const condition = (type: string) => ({ type, status: 'True', reason: 'KubectlPatch', message: 'sent as a patch' });

describe('body rules over protobuf and patch bodies, through the gateway with kubectl', { timeout: 10 * 60_000 }, () => {
  let p: GatewayPipeline;
  let a: Record<Name, Agent>;
  const events = new EventCollector();
  const cleanup: string[][] = [];
  const [hostPod, plainPod, deploy, role] = [uniqueName('ag-hostpath'), uniqueName('ag-plain'), uniqueName('ag-deploy'), uniqueName('ag-patched-role')];
  const csrs = { approve: uniqueName('ag-csr-pa'), deny: uniqueName('ag-csr-pd') };

  /** The recorded exchange of an alert's evidence. */
  const evidenceEvent = (auditID: string): Promise<AuditEvent> =>
    events.waitFor(`event ${auditID}`, (e) => e.auditID === auditID && e.stage === 'ResponseComplete').then((x) => x[0]!);
  const contentTypeOf = async (auditID: string): Promise<string> => (await evidenceEvent(auditID)).auditgate.body?.request?.contentType ?? '';

  before(async () => {
    p = await startGatewayPipeline({ policy: () => examplePolicyWith() });
    await events.start(p.names.eventsTopic);
    a = await p.agents(...AGENTS);
    const ns = p.namespace;
    await admin(['-n', ns, 'create', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: hostPod },
      spec: { containers: [{ name: 'c', image: 'nginx' }], volumes: [{ name: 'root', hostPath: { path: '/' } }] },
    }));
    await admin(['-n', ns, 'run', plainPod, '--image=nginx']);
    await admin(['-n', ns, 'create', 'deployment', deploy, '--image=nginx']);
    await admin(['create', 'clusterrole', role, '--verb=get', '--resource=pods']);
    cleanup.push(['delete', 'clusterrole', role, '--ignore-not-found']);
    for (const name of [csrs.approve, csrs.deny]) {
      await admin(['create', '-f', '-'], JSON.stringify({
        apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name },
        spec: { request: await csrRequest(name), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], expirationSeconds: 600 },
      }));
      cleanup.push(['delete', 'csr', name, '--ignore-not-found']);
    }
  });
  after(async () => {
    for (const args of cleanup) await admin(args).catch(() => undefined);
    await events.stop();
    await p.stop();
  });

  it('PRIVILEGED_WORKLOAD: kubectl debug --copy-to of a hostPath pod sends the copy as protobuf, and it fires; a copy of a plain pod does not', async () => {
    const ns = p.namespace;
    await a.copier.kubectl(['-n', ns, 'debug', hostPod, `--copy-to=${uniqueName('ag-copy')}`, '--image=busybox', '--container=dbg']);
    const alert = await p.waitAlert(a.copier.username, 'PRIVILEGED_WORKLOAD');
    const recorded = await evidenceEvent(alert.evidence[0]!);
    assert.match(recorded.auditgate.body?.request?.contentType ?? '', /protobuf/, 'kubectl debug --copy-to creates the pod in protobuf');
    const spec = (recorded.requestObject as { spec?: { hostPID?: boolean; hostNetwork?: boolean; volumes?: unknown[] } }).spec;
    assert.equal(spec?.hostPID, undefined, 'no host namespaces: the hostPath alone makes it privileged');
    assert.equal(spec?.hostNetwork, undefined);
    assert.ok(spec?.volumes?.some((v) => (v as { hostPath?: { path?: string } }).hostPath?.path === '/'), JSON.stringify(spec?.volumes));
    await a['copier-neg'].kubectl(['-n', ns, 'debug', plainPod, `--copy-to=${uniqueName('ag-copy')}`, '--image=busybox', '--container=dbg']);
    await p.settle(a['copier-neg']);
    assert.ok(!p.rulesOf(a['copier-neg'].username).includes('PRIVILEGED_WORKLOAD'));
  });

  it('RBAC_CHANGE: kubectl patch --type=json adding */*/* rules to a ClusterRole is critical (refused by policy) and a risky grant; a get-pods rule is medium', async () => {
    const everything = JSON.stringify([{ op: 'add', path: '/rules/-', value: { apiGroups: ['*'], resources: ['*'], verbs: ['*'] } }]);
    assert.equal((await a.rbacp.attempt(['patch', 'clusterrole', role, '--type=json', '-p', everything])).ok, false, 'the example policy refuses RBAC writes');
    const alert = await p.waitAlert(a.rbacp.username, 'RBAC_CHANGE');
    assert.equal(alert.severity, 'critical');
    assert.equal(alert.outcome, 'refused');
    assert.match(await contentTypeOf(alert.evidence[0]!), /json-patch\+json/);
    const risky = await p.waitAlert(a.rbacp.username, 'RBAC_RISKY_GRANT');
    assert.deepEqual(risky.details['riskyGrants'], ['bind', 'escalate', 'impersonate', 'secrets:*']);
    const plain = JSON.stringify([{ op: 'add', path: '/rules/-', value: { apiGroups: [''], resources: ['pods'], verbs: ['list'] } }]);
    await a['rbacp-neg'].attempt(['patch', 'clusterrole', role, '--type=json', '-p', plain]);
    const medium = await p.waitAlert(a['rbacp-neg'].username, 'RBAC_CHANGE');
    assert.equal(medium.severity, 'medium');
    await p.settle(a['rbacp-neg']);
    assert.ok(!p.rulesOf(a['rbacp-neg'].username).includes('RBAC_RISKY_GRANT'));
    assert.equal(p.alertsOf(a['rbacp-neg'].username).find((x) => x.rule === 'RBAC_CHANGE')?.severity, 'medium');
  });

  it('PRIVILEGED_WORKLOAD: kubectl patch of a Deployment adding hostPID (--type=merge), hostNetwork (--type=json) or a hostPath (strategic) fires; scaling does not', async () => {
    const ns = p.namespace;
    const cases: Array<[Agent, string, string, RegExp]> = [
      [a.mergep, 'merge', JSON.stringify({ spec: { template: { spec: { hostPID: true } } } }), /merge-patch\+json/],
      [a.jsonp, 'json', JSON.stringify([{ op: 'add', path: '/spec/template/spec/hostNetwork', value: true }]), /json-patch\+json/],
      [a.stratp, 'strategic', JSON.stringify({ spec: { template: { spec: { volumes: [{ name: 'docker', hostPath: { path: '/var/run/docker.sock' } }] } } } }), /strategic-merge-patch\+json/],
    ];
    for (const [agent, type, patch] of cases) await agent.kubectl(['-n', ns, 'patch', 'deployment', deploy, `--type=${type}`, '-p', patch]);
    for (const [agent, type, , contentType] of cases) {
      const alert = await p.waitAlert(agent.username, 'PRIVILEGED_WORKLOAD');
      assert.equal(alert.outcome, 'allowed', type);
      assert.match(await contentTypeOf(alert.evidence[0]!), contentType);
    }
    await a['patch-neg'].kubectl(['-n', ns, 'patch', 'deployment', deploy, '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/replicas', value: 2 }])]);
    await a['patch-neg'].kubectl(['-n', ns, 'patch', 'deployment', deploy, '--type=merge', '-p', JSON.stringify({ spec: { template: { spec: { hostPID: false } } } })]);
    await p.settle(a['patch-neg']);
    assert.ok(!p.rulesOf(a['patch-neg'].username).includes('PRIVILEGED_WORKLOAD'));
  });

  it('CSR_APPROVE: an Approved condition sent as kubectl patch --type=json to the approval subresource fires; a Denied one does not', async () => {
    const patch = (type: string) => JSON.stringify([{ op: 'add', path: '/status/conditions', value: [condition(type)] }]);
    assert.equal((await a.csrp.attempt(['patch', 'csr', csrs.approve, '--subresource=approval', '--type=json', '-p', patch('Approved')])).ok, false, 'the example policy refuses certificate writes');
    const alert = await p.waitAlert(a.csrp.username, 'CSR_APPROVE');
    assert.equal(alert.details['csrDecision'], 'Approved');
    assert.equal(alert.outcome, 'refused');
    await a['csrp-neg'].attempt(['patch', 'csr', csrs.deny, '--subresource=approval', '--type=json', '-p', patch('Denied')]);
    await p.settle(a['csrp-neg']);
    const [seen] = await events.waitFor('the Denied patch recorded', (e) => e.auditgate.actor.username === a['csrp-neg'].username && e.verb === 'patch' && e.stage === 'ResponseComplete');
    assert.ok(Array.isArray(seen?.requestObject), 'the patch body was recorded as a list of operations');
    assert.ok(!p.rulesOf(a['csrp-neg'].username).includes('CSR_APPROVE'));
  });
});
