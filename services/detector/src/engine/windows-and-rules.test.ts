import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadRules } from '../rules/load-rules.js';
import { DetectionEngine } from './detection-engine.js';
import { auditEvent, TEST_T0, type EventSpec } from './event-factory.test-helper.js';

const rules = loadRules([fileURLToPath(new URL('../../rules', import.meta.url))]);
const MIN = 60_000;
const run = (...specs: EventSpec[]): string[] => {
  const e = new DetectionEngine({ rules, queryUrl: 'http://q' });
  return specs.flatMap((s) => e.process(auditEvent(s)).filter((a) => a.change !== 'updated').map((a) => `${a.rule}:${a.severity}`));
};
const get = (name: string, at: number, extra: Partial<EventSpec> = {}): EventSpec =>
  ({ uri: `/api/v1/namespaces/prod/secrets/${name}`, verb: 'get', ref: { resource: 'secrets', namespace: 'prod', name }, at, ...extra });
const burst = (r: string[]): number => r.filter((x) => x.startsWith('SECRET_READ_BURST')).length;

describe('window boundaries', () => {
  it('3 distinct secrets exactly 5 min apart (first to last) fire; 1 ms over does not', () => {
    assert.equal(burst(run(get('a', TEST_T0), get('b', TEST_T0 + 2 * MIN), get('c', TEST_T0 + 5 * MIN))), 1);
    assert.equal(burst(run(get('a', TEST_T0), get('b', TEST_T0 + 2 * MIN), get('c', TEST_T0 + 5 * MIN + 1))), 0);
  });
  it('windows are per actor and per on-behalf-of', () => {
    assert.equal(burst(run(get('a', TEST_T0), get('b', TEST_T0, { actor: 'other' }), get('c', TEST_T0))), 0);
    assert.equal(burst(run(get('a', TEST_T0, { onBehalfOf: 'alice' }), get('b', TEST_T0, { onBehalfOf: 'bob' }), get('c', TEST_T0, { onBehalfOf: 'alice' }))), 0);
    assert.equal(burst(run(get('a', TEST_T0, { onBehalfOf: 'alice' }), get('b', TEST_T0, { onBehalfOf: 'alice' }), get('c', TEST_T0, { onBehalfOf: 'alice' }))), 1);
  });
  it('one exchange is counted once: ResponseStarted and ResponseComplete of the same auditID', () => {
    const id = (n: string) => `00000000-0000-4000-8000-00000000000${n}`;
    const r = run(get('a', TEST_T0, { stage: 'ResponseStarted', auditID: id('1') }), get('a', TEST_T0, { auditID: id('1') }),
      get('b', TEST_T0, { auditID: id('2') }));
    assert.equal(burst(r), 0);
    assert.equal(r.filter((x) => x.startsWith('SECRET_READ:')).length, 2);
  });
  it('RequestReceived is ignored', () => {
    assert.deepEqual(run(get('a', TEST_T0, { stage: 'RequestReceived' })), []);
  });
  it('a continuing burst pages once per suppression bucket', () => {
    const r = run(...['a', 'b', 'c', 'd', 'e'].map((n, i) => get(n, TEST_T0 + i * 1000)));
    assert.equal(burst(r), 1);
  });
  it('window state is bounded and expires', () => {
    const e = new DetectionEngine({ rules, queryUrl: 'http://q', maxWindowKeys: 10 });
    for (let i = 0; i < 50; i += 1) e.process(auditEvent(get('a', TEST_T0, { actor: `u${i}` })));
    assert.ok(e.stats().windows <= 10);
    e.expire(TEST_T0 + 60 * MIN);
    assert.equal(e.stats().windows, 0);
  });
});

describe('other catalogue rules', () => {
  const pod = (spec: Record<string, unknown>): EventSpec => ({ uri: '/api/v1/namespaces/prod/pods', verb: 'create', code: 201,
    ref: { resource: 'pods', namespace: 'prod', name: 'p' }, requestObject: { kind: 'Pod', spec: { containers: [{ name: 'c', image: 'x' }], ...spec } } });
  it('DISCOVERY_SWEEP: 3 distinct resources within 1 min; 2 → none; spread over 61 s → none', () => {
    const list = (resource: string, at: number): EventSpec => ({ uri: `/api/v1/${resource}`, verb: 'list', ref: { resource, namespace: '' }, at });
    assert.ok(run(list('namespaces', TEST_T0), list('nodes', TEST_T0 + 10_000), list('clusterroles', TEST_T0 + MIN)).includes('DISCOVERY_SWEEP:medium'));
    assert.ok(!run(list('namespaces', TEST_T0), list('nodes', TEST_T0 + 10_000)).includes('DISCOVERY_SWEEP:medium'));
    assert.ok(!run(list('namespaces', TEST_T0), list('nodes', TEST_T0 + 10_000), list('clusterroles', TEST_T0 + MIN + 1)).includes('DISCOVERY_SWEEP:medium'));
  });
  it('FORBIDDEN_SWEEP: allowed + refusals of 3 URIs over 2 resources, 6 URIs, 4 resources in 5 min; one refusal or none → none', () => {
    const res = ['pods', 'services', 'configmaps', 'secrets', 'endpoints', 'events'];
    const specs = (denied: number[]): EventSpec[] => res.map((r, i) => ({ uri: `/api/v1/namespaces/prod/${r}`, verb: 'list', ref: { resource: r, namespace: 'prod' }, code: denied.includes(i) ? 403 : 200, at: TEST_T0 + i * 1000 }));
    assert.ok(run(...specs([1, 2, 3])).includes('FORBIDDEN_SWEEP:medium'));
    assert.ok(!run(...specs([])).includes('FORBIDDEN_SWEEP:medium'));
    assert.ok(!run(...specs([2])).includes('FORBIDDEN_SWEEP:medium'), 'one refusal in an ordinary session is not a sweep');
    assert.ok(!run(...specs([1, 2])).includes('FORBIDDEN_SWEEP:medium'), 'two refused URIs are not enough');
    assert.ok(!run(...specs([1, 2, 3]).slice(0, 5)).includes('FORBIDDEN_SWEEP:medium'), '5 URIs is not > 5');
    const sameResource = specs([]).concat([0, 1, 2].map((i) => ({ uri: `/api/v1/namespaces/prod/secrets/s${i}`, verb: 'get', ref: { resource: 'secrets', namespace: 'prod', name: `s${i}` }, code: 403, at: TEST_T0 + 10_000 + i })));
    assert.ok(!run(...sameResource).includes('FORBIDDEN_SWEEP:medium'), 'refusals on one resource only are not a sweep');
  });
  it('EPHEMERAL_CONTAINER on patch pods/ephemeralcontainers', () => {
    assert.deepEqual(run({ uri: '/api/v1/namespaces/prod/pods/web/ephemeralcontainers', verb: 'patch', ref: { resource: 'pods', namespace: 'prod', name: 'web', subresource: 'ephemeralcontainers' } }), ['EPHEMERAL_CONTAINER:high']);
  });
  it('SA_TOKEN_OR_CREATE: medium; high in kube-system', () => {
    assert.deepEqual(run({ uri: '/api/v1/namespaces/prod/serviceaccounts/sa/token', verb: 'create', code: 201, ref: { resource: 'serviceaccounts', namespace: 'prod', name: 'sa', subresource: 'token' } }), ['SA_TOKEN_OR_CREATE:medium']);
    assert.deepEqual(run({ uri: '/api/v1/namespaces/kube-system/serviceaccounts', verb: 'create', code: 201, ref: { resource: 'serviceaccounts', namespace: 'kube-system' } }), ['SA_TOKEN_OR_CREATE:high']);
  });
  it('PRIVILEGED_WORKLOAD: privileged, hostPID, docker.sock hostPath; plain pod → none', () => {
    assert.deepEqual(run(pod({ containers: [{ name: 'c', securityContext: { privileged: true } }] })), ['PRIVILEGED_WORKLOAD:high']);
    assert.deepEqual(run(pod({ hostPID: true })), ['PRIVILEGED_WORKLOAD:high']);
    assert.deepEqual(run(pod({ volumes: [{ name: 'd', hostPath: { path: '/var/run/docker.sock' } }] })), ['PRIVILEGED_WORKLOAD:high']);
    assert.deepEqual(run(pod({})), []);
    assert.deepEqual(run({ uri: '/apis/apps/v1/namespaces/prod/deployments', verb: 'create', code: 201, ref: { resource: 'deployments', apiGroup: 'apps', namespace: 'prod', name: 'd' },
      requestObject: { spec: { template: { spec: { hostNetwork: true, containers: [] } } } } }), ['PRIVILEGED_WORKLOAD:high']);
  });
  it('RBAC_CHANGE critical for a role with * rules', () => {
    assert.deepEqual(run({ uri: '/apis/rbac.authorization.k8s.io/v1/namespaces/prod/roles', verb: 'create', code: 201, ref: { resource: 'roles', apiGroup: 'rbac.authorization.k8s.io', namespace: 'prod', name: 'r' },
      requestObject: { rules: [{ apiGroups: [''], resources: ['*'], verbs: ['get'] }] } }), ['RBAC_CHANGE:critical']);
  });
  it('ANONYMOUS_ALLOWED outside probe paths only', () => {
    const anon = (uri: string, code = 200): EventSpec => ({ uri, verb: 'get', code, username: 'system:anonymous', groups: ['system:unauthenticated'] });
    assert.deepEqual(run({ ...anon('/api/v1/namespaces/prod/pods'), ref: { resource: 'pods', namespace: 'prod' }, verb: 'list' }), ['ANONYMOUS_ALLOWED:critical']);
    assert.deepEqual(run(anon('/healthz')), []);
    assert.deepEqual(run(anon('/readyz/etcd')), []);
    assert.deepEqual(run(anon('/api/v1/namespaces/prod/pods', 403)), []);
  });
});
