import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { validateAuditEvent } from '@auditgate/shared';
import { loadRules } from '../rules/load-rules.js';
import type { Alert } from './alert.js';
import { coalesceUpdates } from './coalesce-updates.js';
import { DetectionEngine } from './detection-engine.js';
import { auditEvent, TEST_T0, type EventSpec } from './event-factory.test-helper.js';

const rules = loadRules([fileURLToPath(new URL('../../rules', import.meta.url))]);
const MIN = 60_000;
const DENY = { code: 403, decision: 'forbid' as const, policy: { decision: 'deny' as const, ruleId: 'deny-secret-side-paths' } };

/** Every alert version (raised, escalated, updated) `specs` produce in a fresh engine. */
function all(...specs: EventSpec[]): Alert[] {
  const e = new DetectionEngine({ rules, queryUrl: 'http://q' });
  return specs.flatMap((s) => { const event = auditEvent(s); validateAuditEvent(event); return e.process(event); });
}
/** `rule:severity` of the pages (raises and escalations). */
const pages = (...specs: EventSpec[]): string[] => all(...specs).filter((a) => a.change !== 'updated').map((a) => `${a.rule}:${a.severity}`);
const ids = (...specs: EventSpec[]): string[] => pages(...specs).map((p) => p.split(':')[0]!);

const exec = (command: string[], extra: Partial<EventSpec> = {}): EventSpec => ({
  uri: `/api/v1/namespaces/prod/pods/web/exec?${command.map((c) => `command=${encodeURIComponent(c)}`).join('&')}&container=web&stdout=true`,
  verb: 'create', code: 101, ref: { resource: 'pods', namespace: 'prod', name: 'web', subresource: 'exec' }, ...extra,
});
const write = (verb: string, resource: string, apiGroup: string, extra: Partial<EventSpec> & { namespace?: string; name?: string; subresource?: string } = {}): EventSpec => {
  const { namespace, name, subresource, ...rest } = extra;
  return {
    uri: `/${apiGroup === '' ? 'api/v1' : `apis/${apiGroup}/v1`}${namespace === undefined ? '' : `/namespaces/${namespace}`}/${resource}${name === undefined ? '' : `/${name}`}${subresource === undefined ? '' : `/${subresource}`}`,
    verb, code: verb === 'create' ? 201 : 200,
    ref: { resource, ...(apiGroup === '' ? {} : { apiGroup }), ...(namespace === undefined ? {} : { namespace }), ...(name === undefined ? {} : { name }), ...(subresource === undefined ? {} : { subresource }) },
    ...rest,
  };
};

describe('attempts count: rules without a success clause fire whatever the outcome', () => {
  it('a cluster-wide Secret list refused by policy → SECRET_LIST_CLUSTERWIDE critical (and SECRET_ACCESS_DENIED), outcome refused', () => {
    const [denied, list] = all({ uri: '/api/v1/secrets?limit=500', verb: 'list', ref: { resource: 'secrets', namespace: '' }, code: 403, decision: 'forbid', policy: { decision: 'deny', ruleId: 'mask-secrets' } });
    assert.equal(denied?.rule, 'SECRET_ACCESS_DENIED');
    assert.equal(list?.rule, 'SECRET_LIST_CLUSTERWIDE');
    assert.equal(list?.severity, 'critical', 'a blocked dump is still critical intent');
    assert.equal(list?.outcome, 'refused');
    assert.deepEqual(list?.outcomes, { refused: 1 });
    assert.equal(list?.details['policyRule'], 'mask-secrets');
    assert.match(list!.summary, /refused by Auditgate policy/);
    assert.equal(list?.technique?.id, 'T1552.007');
  });
  it('an exec into kube-system refused by policy → POD_EXEC with the command and outcome refused', () => {
    const [alert] = all(exec(['cat', '/etc/hostname'], { ...DENY, uri: '/api/v1/namespaces/kube-system/pods/etcd/exec?command=sh', ref: { resource: 'pods', namespace: 'kube-system', name: 'etcd', subresource: 'exec' } }));
    assert.equal(alert?.rule, 'POD_EXEC');
    assert.equal(alert?.outcome, 'refused');
    assert.equal(alert?.details['command'], 'sh');
  });
  it('RBAC refusal by the API server (403 without a policy deny) → outcome forbidden', () => {
    const [alert] = all({ uri: '/api/v1/secrets', verb: 'watch', ref: { resource: 'secrets', namespace: '' }, code: 403 }).filter((a) => a.rule === 'SECRET_LIST_CLUSTERWIDE');
    assert.equal(alert?.outcome, 'forbidden');
  });
  it('one page per actor and window when allowed and refused attempts mix; the alert counts each outcome', () => {
    const list = (code: number, at: number, policy?: EventSpec['policy']): EventSpec => ({ uri: '/api/v1/secrets', verb: 'list', ref: { resource: 'secrets', namespace: '' }, code, at, ...(policy === undefined ? {} : { policy }) });
    const versions = all(list(200, TEST_T0), list(403, TEST_T0 + 1000, { decision: 'deny' }), list(403, TEST_T0 + 2000)).filter((a) => a.rule === 'SECRET_LIST_CLUSTERWIDE');
    assert.deepEqual(versions.map((a) => a.change), ['raised', 'updated', 'updated']);
    assert.equal(new Set(versions.map((a) => a.id)).size, 1);
    const last = versions.at(-1)!;
    assert.equal(last.count, 3);
    assert.deepEqual(last.outcomes, { allowed: 1, refused: 1, forbidden: 1 });
    assert.equal(last.evidence.length, 3);
    assert.match(last.summary, /1 allowed, 1 refused, 1 forbidden; 3 events/);
  });
});

describe('suppressed repeats grow the alert instead of freezing it', () => {
  const read = (i: number, extra: Partial<EventSpec> = {}): EventSpec => ({ uri: '/api/v1/namespaces/prod/secrets/db', verb: 'get', ref: { resource: 'secrets', namespace: 'prod', name: 'db' }, at: TEST_T0 + i * 1000, ...extra });
  it('six reads of one Secret: one page, then updates up to count 6 with six pieces of evidence', () => {
    const versions = all(...[0, 1, 2, 3, 4, 5].map((i) => read(i)));
    assert.deepEqual(versions.map((a) => `${a.change}:${a.count}`), ['raised:1', 'updated:2', 'updated:3', 'updated:4', 'updated:5', 'updated:6']);
    const last = versions.at(-1)!;
    assert.equal(last.evidence.length, 6);
    assert.equal(last.revision, 6);
    assert.equal(last.firstSeen, new Date(TEST_T0).toISOString());
    assert.equal(last.lastSeen, new Date(TEST_T0 + 5000).toISOString());
  });
  it('a read through a mask rule is low: the caller saw no values', () => {
    assert.deepEqual(pages(read(0, { policy: { decision: 'mask', ruleId: 'mask-secrets' } })), ['SECRET_READ:low']);
  });
  it('coalesceUpdates folds updates into the version already in the batch, escalations stay', () => {
    const versions = all(...[0, 1, 2].map((i) => read(i)));
    const folded = coalesceUpdates(versions);
    assert.equal(folded.length, 1);
    assert.equal(folded[0]!.change, 'raised');
    assert.equal(folded[0]!.count, 3);
    assert.deepEqual(coalesceUpdates(versions.slice(1)).map((a) => a.count), [3], 'updates alone fold into the first of them');
  });
});

describe('coverage rules (positive and negative)', () => {
  it('EXEC_CREDENTIAL_READ: service-account, IRSA and Pod Identity token paths; not an ordinary command', () => {
    for (const path of ['/var/run/secrets/kubernetes.io/serviceaccount/token', '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
      '/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token']) {
      assert.ok(pages(exec(['cat', path])).includes('EXEC_CREDENTIAL_READ:critical'), path);
    }
    assert.ok(pages(exec(['sh', '-c', 'cat /var/run/secrets/kubernetes.io/serviceaccount/token | base64'])).includes('EXEC_CREDENTIAL_READ:critical'));
    assert.ok(!ids(exec(['ls', '/var/run'])).includes('EXEC_CREDENTIAL_READ'));
    assert.ok(ids(exec(['cat', '/var/run/secrets/kubernetes.io/serviceaccount/token'], DENY)).includes('EXEC_CREDENTIAL_READ'), 'refused attempts count');
  });
  it('KUBECTL_CP: an exec running tar (copy from and to); not other commands', () => {
    assert.ok(ids(exec(['tar', 'cf', '-', '/etc/app'])).includes('KUBECTL_CP'));
    assert.ok(ids(exec(['tar', 'xmf', '-', '-C', '/tmp'])).includes('KUBECTL_CP'));
    assert.ok(!ids(exec(['cat', 'tar.txt'])).includes('KUBECTL_CP'));
  });
  it('NODE_PROXY: nodes/proxy and the legacy proxy verb; not a node get', () => {
    assert.deepEqual(ids({ uri: '/api/v1/nodes/n1/proxy/pods', verb: 'get', ref: { resource: 'nodes', name: 'n1', subresource: 'proxy' } }), ['NODE_PROXY']);
    assert.deepEqual(ids({ uri: '/api/v1/proxy/nodes/n1/pods', verb: 'proxy', ref: { resource: 'nodes', name: 'n1' } }), ['NODE_PROXY']);
    assert.deepEqual(ids({ uri: '/api/v1/nodes/n1', verb: 'get', ref: { resource: 'nodes', name: 'n1' } }), []);
  });
  it('DAEMONSET_OUTSIDE_KUBE_SYSTEM: created elsewhere, refused or not; not in kube-system', () => {
    assert.deepEqual(ids(write('create', 'daemonsets', 'apps', { namespace: 'prod', name: 'd' })), ['DAEMONSET_OUTSIDE_KUBE_SYSTEM']);
    assert.deepEqual(ids(write('create', 'daemonsets', 'apps', { namespace: 'prod', name: 'd', ...DENY })), ['DAEMONSET_OUTSIDE_KUBE_SYSTEM']);
    assert.deepEqual(ids(write('create', 'daemonsets', 'apps', { namespace: 'kube-system', name: 'd' })), []);
  });
  it('RBAC_RISKY_GRANT: escalate, bind, impersonate, * on secrets; not a read-only role', () => {
    const role = (rulesBody: unknown[]) => write('create', 'clusterroles', 'rbac.authorization.k8s.io', { name: 'r', requestObject: { kind: 'ClusterRole', rules: rulesBody } });
    const grants = (r: Alert[]) => r.find((a) => a.rule === 'RBAC_RISKY_GRANT')?.details['riskyGrants'];
    assert.deepEqual(grants(all(role([{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind', 'escalate'] }]))), ['bind', 'escalate']);
    assert.deepEqual(grants(all(role([{ apiGroups: [''], resources: ['users', 'groups'], verbs: ['impersonate'] }]))), ['impersonate']);
    assert.deepEqual(grants(all(role([{ apiGroups: [''], resources: ['secrets'], verbs: ['*'] }]))), ['secrets:*']);
    assert.equal(grants(all(role([{ apiGroups: [''], resources: ['pods', 'secrets'], verbs: ['get', 'list'] }]))), undefined);
    assert.equal(grants(all(role([{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['*'] }]))), undefined, '* on other resources grants none of them');
  });
  it('CSR_CREATE (high for the API server client signer) and CSR_APPROVE (not a denial)', () => {
    const csr = (signerName: string) => write('create', 'certificatesigningrequests', 'certificates.k8s.io', { name: 'c', requestObject: { spec: { signerName, usages: ['client auth'] } } });
    assert.deepEqual(pages(csr('kubernetes.io/kube-apiserver-client')), ['CSR_CREATE:high']);
    assert.deepEqual(pages(csr('example.com/other')), ['CSR_CREATE:medium']);
    const decide = (type: string) => write('update', 'certificatesigningrequests', 'certificates.k8s.io', { name: 'c', subresource: 'approval', requestObject: { status: { conditions: [{ type, status: 'True' }] } } });
    assert.deepEqual(pages(decide('Approved')), ['CSR_APPROVE:high']);
    assert.deepEqual(pages(decide('Denied')), []);
  });
  it('IMPERSONATION_PRIVILEGED: forwarded or stripped; not an ordinary user', () => {
    const list = { uri: '/api/v1/namespaces/prod/pods', verb: 'list', ref: { resource: 'pods', namespace: 'prod' } };
    const [forwarded] = all({ ...list, impersonatedUser: { username: 'system:admin', groups: ['system:masters'] } });
    assert.equal(forwarded?.rule, 'IMPERSONATION_PRIVILEGED');
    assert.equal(forwarded?.details['impersonationStripped'], false);
    const [stripped] = all({ ...list, annotations: { 'auditgate.dev/stripped-impersonation': JSON.stringify({ username: 'jane', groups: ['system:masters'] }) } });
    assert.equal(stripped?.rule, 'IMPERSONATION_PRIVILEGED');
    assert.equal(stripped?.details['impersonationStripped'], true);
    assert.deepEqual(ids({ ...list, impersonatedUser: { username: 'jane', groups: ['developers'] } }), []);
    assert.deepEqual(ids({ ...list, impersonatedUser: { username: 'system:serviceaccount:kube-system:replicaset-controller', groups: [] } }), ['IMPERSONATION_PRIVILEGED']);
  });
  it('ADMISSION_WEBHOOK_CHANGE and AWS_AUTH_CONFIGMAP_CHANGE; not their reads or other ConfigMaps', () => {
    assert.deepEqual(ids(write('create', 'validatingwebhookconfigurations', 'admissionregistration.k8s.io', { name: 'w' })), ['ADMISSION_WEBHOOK_CHANGE']);
    assert.deepEqual(ids(write('delete', 'mutatingwebhookconfigurations', 'admissionregistration.k8s.io', { name: 'w' })), ['ADMISSION_WEBHOOK_CHANGE']);
    assert.deepEqual(ids({ uri: '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', verb: 'list', ref: { resource: 'validatingwebhookconfigurations', apiGroup: 'admissionregistration.k8s.io' } }), []);
    assert.deepEqual(pages(write('patch', 'configmaps', '', { namespace: 'kube-system', name: 'aws-auth' })), ['AWS_AUTH_CONFIGMAP_CHANGE:critical']);
    assert.deepEqual(ids(write('patch', 'configmaps', '', { namespace: 'prod', name: 'aws-auth' })), []);
    assert.deepEqual(ids({ uri: '/api/v1/namespaces/kube-system/configmaps/aws-auth', verb: 'get', ref: { resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth' } }), []);
  });
  it('SECRET_ENUMERATION: 15 distinct Secrets in 30 minutes, refused ones included; 14 → none', () => {
    const get = (i: number): EventSpec => ({ uri: `/api/v1/namespaces/prod/secrets/s${i}`, verb: 'get', ref: { resource: 'secrets', namespace: 'prod', name: `s${i}` }, at: TEST_T0 + i * 2 * MIN, code: i % 2 === 0 ? 200 : 403 });
    const count = (n: number) => ids(...Array.from({ length: n }, (_, i) => get(i))).filter((r) => r === 'SECRET_ENUMERATION').length;
    assert.equal(count(15), 1);
    assert.equal(count(14), 0);
  });
  it('SA_TOKEN_OR_CREATE: a minted token is an attempt even when refused; high in kube-system', () => {
    const token = (namespace: string, extra: Partial<EventSpec> = {}) => write('create', 'serviceaccounts', '', { namespace, name: 'default', subresource: 'token', ...extra });
    assert.deepEqual(pages(token('prod', DENY)), ['SA_TOKEN_OR_CREATE:medium']);
    assert.deepEqual(pages(token('kube-system')), ['SA_TOKEN_OR_CREATE:high']);
    assert.deepEqual(pages({ uri: '/api/v1/namespaces/prod/serviceaccounts/default', verb: 'get', ref: { resource: 'serviceaccounts', namespace: 'prod', name: 'default' } }), []);
  });
});
