// Every rule's positive and negative case as an attacker's kubectl session would run it: through the real gateway
// (example policy in force), the real kube-apiserver, Kafka and the detector, checked at the webhook receiver.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AuditEvent } from '@auditgate/shared';
import { uniqueName, waitFor } from '@auditgate/shared/testing';
import { EventCollector } from '../proxy/support/event-collector.js';
import { admin, examplePolicyWith, startGatewayPipeline, type Agent, type GatewayPipeline } from './support/gateway-pipeline.js';

const run = promisify(execFile);
const AGENTS = [
  'cwlist', 'cwlist-neg', 'execks', 'execks-neg', 'crb', 'crb-neg', 'token', 'token-neg', 'csr', 'csr-neg', 'approve', 'approve-neg',
  'nodeproxy', 'nodeproxy-neg', 'imp', 'imp-neg', 'credsa', 'credirsa', 'credpod', 'cred-neg', 'cp', 'cp-neg', 'roles', 'roles-neg',
  'webhook', 'webhook-neg', 'awsauth', 'awsauth-neg', 'ds', 'ds-neg', 'enum', 'enum-neg', 'deployer', 'deployer-neg',
] as const;
type Name = (typeof AGENTS)[number];

/** A CSR (PEM, base64 as the API wants it) for a fresh EC key, made by openssl. */
async function csrRequest(cn: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ag-csr-'));
  await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${cn}`,
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'csr.pem')]);
  return readFileSync(join(dir, 'csr.pem')).toString('base64');
}

const csrManifest = (name: string, request: string) => JSON.stringify({
  apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name },
  spec: { request, signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], expirationSeconds: 600 },
});

describe('detection rules through the gateway with kubectl (example policy in force)', { timeout: 15 * 60_000 }, () => {
  let p: GatewayPipeline;
  let a: Record<Name, Agent>;
  const events = new EventCollector();
  const cleanup: string[][] = [];
  const pod = uniqueName('web');
  const sysPod = uniqueName('ag-sys');
  const csrs = { approve: uniqueName('ag-csr-approve'), deny: uniqueName('ag-csr-deny'), created: uniqueName('ag-csr-new'), other: uniqueName('ag-csr-other') };
  let createdAwsAuth = false;

  /** The recorded request (RequestReceived or later) of an alert's evidence. */
  const evidenceEvent = (auditID: string): Promise<AuditEvent> =>
    events.waitFor(`event ${auditID}`, (e) => e.auditID === auditID && e.stage === 'ResponseComplete').then((x) => x[0]!);

  before(async () => {
    p = await startGatewayPipeline({
      policy: (ns) => examplePolicyWith([
        { id: 'test-impersonators', action: 'allow', reason: 'callers whose policy allows impersonation', impersonation: { allowClientImpersonation: true },
          match: { actors: { usernames: [`system:serviceaccount:${ns}:imp`, `system:serviceaccount:${ns}:imp-neg`] } } },
        { id: 'test-deployers', action: 'allow', reason: 'callers that may write pod specs',
          match: { actors: { usernames: [`system:serviceaccount:${ns}:deployer`, `system:serviceaccount:${ns}:deployer-neg`] } } },
      ]),
    });
    await events.start(p.names.eventsTopic);
    a = await p.agents(...AGENTS);
    const ns = p.namespace;
    await admin(['-n', ns, 'run', pod, '--image=nginx']);
    await admin(['-n', 'kube-system', 'run', sysPod, '--image=nginx']);
    cleanup.push(['-n', 'kube-system', 'delete', 'pod', sysPod, '--wait=false']);
    for (const [namespace, name] of [[ns, pod], ['kube-system', sysPod]] as const) {
      await waitFor(`${namespace}/${name} running`, async () => ((await admin(['-n', namespace, 'get', 'pod', name, '-o', 'jsonpath={.status.phase}'])) === 'Running' ? true : undefined), 120_000);
    }
    const secrets = Array.from({ length: 15 }, (_, i) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `e${i}`, namespace: ns }, stringData: { k: `v${i}` } }));
    await admin(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: secrets }));
    await admin(['-n', ns, 'create', 'configmap', 'aws-auth', '--from-literal=mapRoles=[]']);
    createdAwsAuth = await admin(['-n', 'kube-system', 'create', 'configmap', 'aws-auth', '--from-literal=mapRoles=[]']).then(() => true, () => false);
    if (createdAwsAuth) cleanup.push(['-n', 'kube-system', 'delete', 'configmap', 'aws-auth']);
    for (const name of [csrs.approve, csrs.deny]) {
      await admin(['create', '-f', '-'], csrManifest(name, await csrRequest(name)));
      cleanup.push(['delete', 'csr', name]);
    }
    cleanup.push(['delete', 'csr', csrs.created, csrs.other, '--ignore-not-found']);
  });
  after(async () => {
    for (const args of cleanup) await admin(args).catch(() => undefined);
    await events.stop();
    await p.stop();
  });

  it('SECRET_LIST_CLUSTERWIDE: a cluster-wide list and watch refused by policy is still critical, outcome refused; a namespace list is not', async () => {
    assert.equal((await a.cwlist.attempt(['get', 'secrets', '-A'])).ok, false, 'the example policy refuses it');
    await a.cwlist.attempt(['get', 'secrets', '-A', '--watch', '--request-timeout=5s']);
    const alert = await p.waitAlert(a.cwlist.username, 'SECRET_LIST_CLUSTERWIDE');
    assert.equal(alert.severity, 'critical');
    assert.equal(alert.outcome, 'refused');
    assert.equal(alert.technique?.id, 'T1552.007');
    assert.equal(alert.details['policyRule'], 'mask-secrets');
    await a['cwlist-neg'].kubectl(['-n', p.namespace, 'get', 'secrets']);
    await p.settle(a['cwlist-neg'], a.cwlist);
    assert.ok(!p.rulesOf(a['cwlist-neg'].username).includes('SECRET_LIST_CLUSTERWIDE'));
    assert.ok(p.rulesOf(a['cwlist-neg'].username).includes('SECRET_LIST_NAMESPACE'));
    assert.equal(p.alertsOf(a.cwlist.username).filter((x) => x.rule === 'SECRET_LIST_CLUSTERWIDE').length, 1, 'list and watch: one page');
  });

  it('POD_EXEC: kubectl exec into a kube-system pod, refused by policy, raises it with the command; logs do not', async () => {
    assert.equal((await a.execks.attempt(['-n', 'kube-system', 'exec', sysPod, '--', 'cat', '/etc/hostname'])).ok, false);
    const alert = await p.waitAlert(a.execks.username, 'POD_EXEC');
    assert.equal(alert.outcome, 'refused');
    assert.equal(alert.details['command'], 'cat /etc/hostname');
    assert.equal(alert.technique?.id, 'T1609');
    await a['execks-neg'].kubectl(['-n', 'kube-system', 'logs', sysPod]);
    await p.settle(a['execks-neg']);
    assert.ok(!p.rulesOf(a['execks-neg'].username).includes('POD_EXEC'));
  });

  it('RBAC_CHANGE: kubectl create clusterrolebinding of one\'s own account to cluster-admin is critical; to view it is medium', async () => {
    const [bad, fine] = [uniqueName('ag-crb-admin'), uniqueName('ag-crb-view')];
    cleanup.push(['delete', 'clusterrolebinding', bad, fine, '--ignore-not-found']);
    assert.equal((await a.crb.attempt(['create', 'clusterrolebinding', bad, '--clusterrole=cluster-admin', `--serviceaccount=${p.namespace}:crb`])).ok, false, 'the example policy refuses RBAC writes');
    const alert = await p.waitAlert(a.crb.username, 'RBAC_CHANGE');
    assert.equal(alert.severity, 'critical', 'a refused attempt keeps the severity');
    assert.equal(alert.outcome, 'refused');
    assert.equal(alert.details['roleRefName'], 'cluster-admin');
    const recorded = await evidenceEvent(alert.evidence[0]!);
    assert.match(recorded.auditgate.body?.request?.contentType ?? '', /protobuf/, 'kubectl create sends protobuf: the gateway decoded it');
    assert.deepEqual((recorded.requestObject as { subjects?: unknown[] }).subjects, [{ kind: 'ServiceAccount', name: 'crb', namespace: p.namespace }]);
    await a['crb-neg'].attempt(['create', 'clusterrolebinding', fine, '--clusterrole=view', `--serviceaccount=${p.namespace}:crb-neg`]);
    const medium = await p.waitAlert(a['crb-neg'].username, 'RBAC_CHANGE');
    assert.equal(medium.severity, 'medium');
    assert.equal(medium.details['roleRefName'], 'view');
  });

  it('SA_TOKEN_OR_CREATE: kubectl create token in kube-system, refused by policy, is high; reading a service account is nothing', async () => {
    assert.equal((await a.token.attempt(['-n', 'kube-system', 'create', 'token', 'default'])).ok, false);
    const alert = await p.waitAlert(a.token.username, 'SA_TOKEN_OR_CREATE');
    assert.equal(alert.severity, 'high');
    assert.equal(alert.outcome, 'refused');
    assert.equal(alert.technique?.id, 'T1528');
    await a['token-neg'].kubectl(['-n', p.namespace, 'get', 'serviceaccount', 'default']);
    await p.settle(a['token-neg']);
    assert.ok(!p.rulesOf(a['token-neg'].username).includes('SA_TOKEN_OR_CREATE'));
  });

  it('CSR_CREATE: a CertificateSigningRequest for the API server client signer is high; listing CSRs is nothing', async () => {
    assert.equal((await a.csr.attempt(['create', '-f', '-'], csrManifest(csrs.created, await csrRequest(csrs.created)))).ok, false, 'the example policy refuses certificate requests');
    const alert = await p.waitAlert(a.csr.username, 'CSR_CREATE');
    assert.equal(alert.severity, 'high');
    assert.equal(alert.details['requestObject.spec.signerName'], 'kubernetes.io/kube-apiserver-client');
    await a['csr-neg'].kubectl(['get', 'csr']);
    await p.settle(a['csr-neg']);
    assert.ok(!p.rulesOf(a['csr-neg'].username).includes('CSR_CREATE'));
  });

  it('CSR_APPROVE: kubectl certificate approve raises it; kubectl certificate deny does not', async () => {
    await a.approve.attempt(['certificate', 'approve', csrs.approve]);
    const alert = await p.waitAlert(a.approve.username, 'CSR_APPROVE');
    assert.equal(alert.details['csrDecision'], 'Approved', 'the approval body was read');
    await a['approve-neg'].attempt(['certificate', 'deny', csrs.deny]);
    await p.settle(a['approve-neg']);
    assert.ok(!p.rulesOf(a['approve-neg'].username).includes('CSR_APPROVE'));
  });

  it('NODE_PROXY: the kubelet API through nodes/proxy, refused by policy, raises it; a node get does not', async () => {
    const node = (await admin(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    assert.equal((await a.nodeproxy.attempt(['get', '--raw', `/api/v1/nodes/${node}/proxy/pods`])).ok, false);
    const alert = await p.waitAlert(a.nodeproxy.username, 'NODE_PROXY');
    assert.equal(alert.outcome, 'refused');
    await a['nodeproxy-neg'].kubectl(['get', 'node', node]);
    await p.settle(a['nodeproxy-neg']);
    assert.ok(!p.rulesOf(a['nodeproxy-neg'].username).includes('NODE_PROXY'));
  });

  it('IMPERSONATION_PRIVILEGED: kubectl --as system:admin --as-group system:masters by a caller allowed to impersonate; --as an ordinary user is nothing', async () => {
    await a.imp.kubectl(['--as=system:admin', '--as-group=system:masters', '-n', p.namespace, 'get', 'pods']);
    const alert = await p.waitAlert(a.imp.username, 'IMPERSONATION_PRIVILEGED');
    assert.equal(alert.details['impersonatedUser'], 'system:admin');
    assert.equal(alert.details['impersonationStripped'], false, 'the policy let the headers through');
    assert.equal(alert.outcome, 'allowed');
    await a['imp-neg'].attempt(['--as=jane', '-n', p.namespace, 'get', 'pods']);
    await p.settle(a['imp-neg']);
    assert.ok(!p.rulesOf(a['imp-neg'].username).includes('IMPERSONATION_PRIVILEGED'));
  });

  it('EXEC_CREDENTIAL_READ: exec reading the service-account, IRSA or Pod Identity token raises it; an ordinary exec does not', async () => {
    const paths: Array<[Agent, string]> = [
      [a.credsa, '/var/run/secrets/kubernetes.io/serviceaccount/token'],
      [a.credirsa, '/var/run/secrets/eks.amazonaws.com/serviceaccount/token'],
      [a.credpod, '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token'],
    ];
    for (const [agent, path] of paths) await agent.attempt(['-n', p.namespace, 'exec', pod, '--', 'cat', path]);
    for (const [agent, path] of paths) {
      const alert = await p.waitAlert(agent.username, 'EXEC_CREDENTIAL_READ');
      assert.equal(alert.severity, 'critical');
      assert.equal(alert.details['command'], `cat ${path}`);
      assert.equal(alert.technique?.id, 'T1552.001');
    }
    await a['cred-neg'].attempt(['-n', p.namespace, 'exec', pod, '--', 'ls', '/tmp']);
    await p.settle(a['cred-neg']);
    assert.ok(p.rulesOf(a['cred-neg'].username).includes('POD_EXEC'));
    assert.ok(!p.rulesOf(a['cred-neg'].username).includes('EXEC_CREDENTIAL_READ'));
  });

  it('KUBECTL_CP: kubectl cp runs tar in the pod and raises it; exec of cat does not', async () => {
    await a.cp.attempt(['cp', `${p.namespace}/${pod}:/etc/hostname`, join(mkdtempSync(join(tmpdir(), 'ag-cp-')), 'hostname')]);
    const alert = await p.waitAlert(a.cp.username, 'KUBECTL_CP');
    assert.match(String(alert.details['command']), /^tar /);
    await a['cp-neg'].attempt(['-n', p.namespace, 'exec', pod, '--', 'cat', '/etc/hostname']);
    await p.settle(a['cp-neg']);
    assert.ok(!p.rulesOf(a['cp-neg'].username).includes('KUBECTL_CP'));
  });

  it('RBAC_RISKY_GRANT: roles granting bind/escalate (kubectl create), * on secrets (apply, JSON) or impersonate (server-side apply) raise it; a read-only role does not', async () => {
    const ns = p.namespace;
    const [cr, secretsRole, impRole, plain] = [uniqueName('ag-bind'), uniqueName('ag-secrets'), uniqueName('ag-imp'), uniqueName('ag-plain')];
    cleanup.push(['delete', 'clusterrole', cr, impRole, '--ignore-not-found']);
    await a.roles.attempt(['create', 'clusterrole', cr, '--verb=bind,escalate', '--resource=clusterroles']);
    await a.roles.attempt(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: secretsRole, namespace: ns }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['*'] }] }));
    await a.roles.attempt(['apply', '--server-side', '--field-manager=ag-test', '-f', '-'], JSON.stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: impRole }, rules: [{ apiGroups: [''], resources: ['users'], verbs: ['impersonate'] }] }));
    const grants = await waitFor('three risky-grant alerts', async () => {
      const found = p.alertsOf(a.roles.username).filter((x) => x.rule === 'RBAC_RISKY_GRANT');
      return found.length >= 3 ? found : undefined;
    }, 60_000);
    const byName = Object.fromEntries(grants.map((g) => [g.target.name, g.details['riskyGrants']]));
    assert.deepEqual(byName, { [cr]: ['bind', 'escalate'], [secretsRole]: ['secrets:*'], [impRole]: ['impersonate'] });
    const formats = await Promise.all(grants.map(async (g) => (await evidenceEvent(g.evidence[0]!)).auditgate.body?.request?.contentType ?? 'application/json'));
    assert.ok(formats.some((f) => f.includes('apply-patch+yaml')), `server-side apply was among them: ${formats.join(', ')}`);
    await a['roles-neg'].attempt(['-n', ns, 'create', 'role', plain, '--verb=get,list', '--resource=pods']);
    await p.settle(a['roles-neg']);
    assert.ok(p.rulesOf(a['roles-neg'].username).includes('RBAC_CHANGE'));
    assert.ok(!p.rulesOf(a['roles-neg'].username).includes('RBAC_RISKY_GRANT'));
  });

  it('ADMISSION_WEBHOOK_CHANGE: creating and deleting a ValidatingWebhookConfiguration raise it; listing them does not', async () => {
    const name = uniqueName('ag-vwc');
    cleanup.push(['delete', 'validatingwebhookconfiguration', name, '--ignore-not-found']);
    await a.webhook.attempt(['create', '-f', '-'], JSON.stringify({
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name },
      webhooks: [{ name: 'noop.auditgate.test', admissionReviewVersions: ['v1'], sideEffects: 'None', failurePolicy: 'Ignore',
        clientConfig: { url: 'https://127.0.0.1:1/noop' }, rules: [{ apiGroups: ['auditgate.test'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['nothings'] }] }],
    }));
    await a.webhook.attempt(['delete', 'validatingwebhookconfiguration', name]);
    const alert = await p.waitAlert(a.webhook.username, 'ADMISSION_WEBHOOK_CHANGE');
    assert.equal(alert.technique?.id, 'T1562.001');
    await a['webhook-neg'].kubectl(['get', 'validatingwebhookconfigurations']);
    await p.settle(a['webhook-neg']);
    assert.ok(!p.rulesOf(a['webhook-neg'].username).includes('ADMISSION_WEBHOOK_CHANGE'));
  });

  it('AWS_AUTH_CONFIGMAP_CHANGE: patching kube-system/aws-auth is critical; a ConfigMap of that name elsewhere is not', async () => {
    const patch = JSON.stringify({ data: { mapUsers: '- userarn: arn:aws:iam::111122223333:user/intruder\n  groups: [system:masters]\n' } });
    await a.awsauth.kubectl(['-n', 'kube-system', 'patch', 'configmap', 'aws-auth', '--type=merge', '-p', patch]);
    const alert = await p.waitAlert(a.awsauth.username, 'AWS_AUTH_CONFIGMAP_CHANGE');
    assert.equal(alert.severity, 'critical');
    await a['awsauth-neg'].kubectl(['-n', p.namespace, 'patch', 'configmap', 'aws-auth', '--type=merge', '-p', patch]);
    await p.settle(a['awsauth-neg']);
    assert.ok(!p.rulesOf(a['awsauth-neg'].username).includes('AWS_AUTH_CONFIGMAP_CHANGE'));
  });

  it('DAEMONSET_OUTSIDE_KUBE_SYSTEM: a DaemonSet created in an app namespace raises it; in kube-system (refused by policy) it does not', async () => {
    const ds = (name: string) => JSON.stringify({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name },
      spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } });
    const created = await a.ds.attempt(['-n', p.namespace, 'create', '-f', '-'], ds('ag-ds'));
    const alert = await p.waitAlert(a.ds.username, 'DAEMONSET_OUTSIDE_KUBE_SYSTEM');
    assert.equal(alert.outcome, created.ok ? 'allowed' : 'refused');
    assert.equal((await a['ds-neg'].attempt(['-n', 'kube-system', 'create', '-f', '-'], ds('ag-ds'))).ok, false, 'the example policy refuses pod specs in kube-system');
    await p.settle(a['ds-neg']);
    assert.ok(!p.rulesOf(a['ds-neg'].username).includes('DAEMONSET_OUTSIDE_KUBE_SYSTEM'));
  });

  it('SECRET_ENUMERATION: 15 distinct Secrets read one by one raise it; 14 do not', async () => {
    for (let i = 0; i < 15; i += 1) await a.enum.attempt(['-n', p.namespace, 'get', 'secret', `e${i}`, '-o', 'name']);
    for (let i = 0; i < 14; i += 1) await a['enum-neg'].attempt(['-n', p.namespace, 'get', 'secret', `e${i}`, '-o', 'name']);
    const alert = await p.waitAlert(a.enum.username, 'SECRET_ENUMERATION');
    assert.equal((alert.details['distinct'] as string[]).length, 15);
    await p.settle(a['enum-neg']);
    assert.ok(!p.rulesOf(a['enum-neg'].username).includes('SECRET_ENUMERATION'));
    assert.ok(p.rulesOf(a['enum-neg'].username).includes('SECRET_READ_BURST'));
  });

  it('PRIVILEGED_WORKLOAD: kubectl run --privileged by a caller allowed to write pods raises it; a plain pod does not', async () => {
    const [priv, plain] = [uniqueName('ag-priv'), uniqueName('ag-plain')];
    await a.deployer.kubectl(['-n', p.namespace, 'run', priv, '--image=nginx', '--privileged']);
    const alert = await p.waitAlert(a.deployer.username, 'PRIVILEGED_WORKLOAD');
    assert.equal(alert.technique?.id, 'T1611');
    await a['deployer-neg'].kubectl(['-n', p.namespace, 'run', plain, '--image=nginx']);
    await p.settle(a['deployer-neg']);
    assert.ok(!p.rulesOf(a['deployer-neg'].username).includes('PRIVILEGED_WORKLOAD'));
  });
});
