import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { validateAuditEvent } from '@auditgate/shared';
import { loadRules } from '../rules/load-rules.js';
import type { Alert } from './alert.js';
import { DetectionEngine } from './detection-engine.js';
import { auditEvent, TEST_T0, type EventSpec } from './event-factory.test-helper.js';

const RULES_DIR = fileURLToPath(new URL('../../rules', import.meta.url));
const rules = loadRules([RULES_DIR]);
const engine = (): DetectionEngine => new DetectionEngine({ rules, queryUrl: 'http://query.test' });
const sec = (namespace: string, name?: string) => ({ resource: 'secrets', namespace, ...(name === undefined ? {} : { name }) });
const MIN = 60_000;

/** Rule ids (with severity) raised by feeding `specs` in order into a fresh engine. */
function fire(...specs: EventSpec[]): string[] {
  const e = engine();
  return specs.flatMap((s) => {
    const event = auditEvent(s);
    validateAuditEvent(event);
    return e.process(event).filter((a) => a.change !== 'updated').map((a) => `${a.rule}:${a.severity}`);
  });
}
const ids = (...specs: EventSpec[]): string[] => fire(...specs).map((r) => r.split(':')[0]!);

describe('RULES.md public cases', () => {
  it('GET a secret (200) → SECRET_READ', () => {
    assert.deepEqual(ids({ uri: '/api/v1/namespaces/prod/secrets/db', verb: 'get', ref: sec('prod', 'db') }), ['SECRET_READ']);
  });
  it('GET a configmap named secret-foo → no secret rule', () => {
    assert.deepEqual(ids({ uri: '/api/v1/namespaces/prod/configmaps/secret-foo', verb: 'get', ref: { resource: 'configmaps', namespace: 'prod', name: 'secret-foo' } }), []);
  });
  it('GET /api/v1/namespaces/secrets (a namespace named secrets) → no rule', () => {
    assert.deepEqual(ids({ uri: '/api/v1/namespaces/secrets', verb: 'get', ref: { resource: 'namespaces', namespace: 'secrets', name: 'secrets' } }), []);
  });
  it('list secrets in a namespace → SECRET_LIST_NAMESPACE only; critical in kube-system', () => {
    assert.deepEqual(fire({ uri: '/api/v1/namespaces/prod/secrets', verb: 'list', ref: sec('prod') }), ['SECRET_LIST_NAMESPACE:high']);
    assert.deepEqual(fire({ uri: '/api/v1/namespaces/kube-system/secrets', verb: 'list', ref: sec('kube-system') }), ['SECRET_LIST_NAMESPACE:critical']);
  });
  it('cluster-wide list and watch of secrets → SECRET_LIST_CLUSTERWIDE', () => {
    assert.deepEqual(ids({ uri: '/api/v1/secrets?limit=500', verb: 'list', ref: sec('') }), ['SECRET_LIST_CLUSTERWIDE']);
    assert.deepEqual(ids({ uri: '/api/v1/secrets?watch=true', verb: 'watch', ref: { resource: 'secrets' } }), ['SECRET_LIST_CLUSTERWIDE']);
    assert.deepEqual(ids({ uri: '/api/v1/watch/secrets', verb: 'watch', ref: sec(''), stage: 'ResponseStarted' }), ['SECRET_LIST_CLUSTERWIDE']);
  });
  it('list narrowed by fieldSelector to one name → SECRET_READ', () => {
    assert.deepEqual(ids({ uri: '/api/v1/namespaces/prod/secrets?fieldSelector=metadata.name%3Ddb', verb: 'list', ref: sec('prod', 'db') }), ['SECRET_READ']);
  });
  it('GET a secret answered 403 → SECRET_ACCESS_DENIED, not SECRET_READ', () => {
    assert.deepEqual(ids({ uri: '/api/v1/namespaces/prod/secrets/db', verb: 'get', ref: sec('prod', 'db'), code: 403 }), ['SECRET_ACCESS_DENIED']);
  });
  it('PATCH a secret is not a read', () => {
    assert.deepEqual(ids({ uri: '/api/v1/namespaces/prod/secrets/db', verb: 'patch', ref: sec('prod', 'db') }), []);
  });
  it('gets of secrets a, b, c within 3 min by one actor → SECRET_READ_BURST; a, b only → none', () => {
    const get = (name: string, at: number): EventSpec => ({ uri: `/api/v1/namespaces/prod/secrets/${name}`, verb: 'get', ref: sec('prod', name), at });
    assert.equal(ids(get('a', TEST_T0), get('b', TEST_T0 + MIN), get('c', TEST_T0 + 3 * MIN)).filter((r) => r === 'SECRET_READ_BURST').length, 1);
    assert.deepEqual(ids(get('a', TEST_T0), get('b', TEST_T0 + MIN)).filter((r) => r === 'SECRET_READ_BURST'), []);
    assert.deepEqual(ids(get('a', TEST_T0), get('a', TEST_T0 + MIN), get('a', TEST_T0 + 2 * MIN)).filter((r) => r === 'SECRET_READ_BURST'), [], 'same secret thrice is not 3 distinct');
  });
  it('POST pods/exec → POD_EXEC with the command recorded', () => {
    const e = engine();
    const [alert] = e.process(auditEvent({ uri: '/api/v1/namespaces/prod/pods/web/exec?command=sh&command=-c&command=id', verb: 'create', ref: { resource: 'pods', namespace: 'prod', name: 'web', subresource: 'exec' }, code: 101 }));
    assert.equal(alert?.rule, 'POD_EXEC');
    assert.equal(alert?.details['command'], 'sh -c id');
  });
  it('GET pods/log → no rule', () => {
    assert.deepEqual(ids({ uri: '/api/v1/namespaces/prod/pods/web/log', verb: 'get', ref: { resource: 'pods', namespace: 'prod', name: 'web', subresource: 'log' } }), []);
  });
  it('list pods cluster-wide → CLUSTERWIDE_LIST; in a namespace → none', () => {
    assert.deepEqual(ids({ uri: '/api/v1/pods', verb: 'list', ref: { resource: 'pods', namespace: '' } }), ['CLUSTERWIDE_LIST']);
    assert.deepEqual(ids({ uri: '/api/v1/namespaces/prod/pods', verb: 'list', ref: { resource: 'pods', namespace: 'prod' } }), []);
  });
  it('non-resource requests → no rule', () => {
    for (const uri of ['/healthz', '/version', '/apis', '/api/v1']) assert.deepEqual(ids({ uri, verb: 'get' }), [], uri);
  });
  it('POST selfsubjectrulesreviews → PERMISSION_PROBE (low; high at the 10th in 5 min)', () => {
    const probe = (i: number): EventSpec => ({ uri: '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', verb: 'create', ref: { resource: 'selfsubjectrulesreviews', apiGroup: 'authorization.k8s.io' }, code: 201, at: TEST_T0 + i * 1000 });
    assert.deepEqual(fire(probe(0)), ['PERMISSION_PROBE:low']);
    const e = engine();
    const raised = Array.from({ length: 12 }, (_, i) => probe(i)).flatMap((s) => e.process(auditEvent(s))).filter((a) => a.change !== 'updated');
    assert.deepEqual(raised.map((a) => `${a.rule}:${a.severity}`), ['PERMISSION_PROBE:low', 'PERMISSION_PROBE:high'], 'one low page, one escalation, nothing after');
    const [low, high] = raised as [Alert, Alert];
    assert.equal(high.id, low.id, 'the escalation updates the same alert');
    assert.equal(high.dedupKey, low.dedupKey);
    assert.equal(high.firstSeen, low.firstSeen);
    assert.equal(high.count, 10);
  });
  it('POST clusterrolebindings with roleRef cluster-admin → RBAC_CHANGE critical; other roleRef → medium', () => {
    const crb = (role: string): EventSpec => ({ uri: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', verb: 'create', code: 201,
      ref: { resource: 'clusterrolebindings', apiGroup: 'rbac.authorization.k8s.io', name: 'x' },
      requestObject: { kind: 'ClusterRoleBinding', roleRef: { kind: 'ClusterRole', name: role }, subjects: [] } });
    assert.deepEqual(fire(crb('cluster-admin')), ['RBAC_CHANGE:critical']);
    assert.deepEqual(fire(crb('view')), ['RBAC_CHANGE:medium']);
  });
  it('DELETE pods collection → classification only, no rule', () => {
    assert.deepEqual(ids({ uri: '/api/v1/namespaces/prod/pods', verb: 'deletecollection', ref: { resource: 'pods', namespace: 'prod' } }), []);
  });
});
