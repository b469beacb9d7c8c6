import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isJsonPatch, jsonPatchView, requestBodyView } from './request-body-view.js';
import { csrDecision, hasWildcardRules, isPrivilegedPodSpec, riskyGrants } from './request-object-facts.js';

describe('requestBodyView: what a body would write', () => {
  it('a JSON patch: the partial object of its add and replace operations', () => {
    const ops = [
      { op: 'add', path: '/rules/-', value: { apiGroups: ['*'], resources: ['*'], verbs: ['*'] } },
      { op: 'replace', path: '/spec/template/spec/hostPID', value: true },
      { op: 'add', path: '/spec/template/spec/containers/0/securityContext/privileged', value: true },
      { op: 'add', path: '/spec/template/spec/containers/0/name', value: 'c' },
      { op: 'add', path: '/metadata/annotations/a~1b~0c', value: 'x' },
      { op: 'remove', path: '/spec/replicas' },
      { op: 'test', path: '/kind', value: 'Deployment' },
      { op: 'copy', from: '/a', path: '/b' },
    ];
    assert.ok(isJsonPatch(ops));
    assert.deepEqual(requestBodyView(ops), {
      rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
      spec: { template: { spec: { hostPID: true, containers: [{ securityContext: { privileged: true }, name: 'c' }] } } },
      metadata: { annotations: { 'a/b~c': 'x' } },
    });
  });

  it('keeps appended elements apart, never builds a sparse array, and takes a whole-document value as is', () => {
    assert.deepEqual(jsonPatchView([{ op: 'add', path: '/rules/-', value: 1 }, { op: 'add', path: '/rules/-', value: 2 }]), { rules: [1, 2] });
    assert.deepEqual(jsonPatchView([{ op: 'add', path: '/items/999999999/x', value: true }]), { items: [{ x: true }] });
    assert.deepEqual(jsonPatchView([{ op: 'replace', path: '', value: { kind: 'Role', rules: [] } }]), { kind: 'Role', rules: [] });
    assert.deepEqual(jsonPatchView([{ op: 'add', path: '/__proto__/polluted', value: true }]), { ['__proto__']: { polluted: true } });
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('a strategic merge patch without the list elements it deletes and without $ directives', () => {
    assert.deepEqual(requestBodyView({
      spec: { template: { spec: { hostPID: true, $retainKeys: ['hostPID'], containers: [{ name: 'a', $patch: 'delete' }, { name: 'b' }], '$setElementOrder/containers': [{ name: 'b' }] } } },
    }), { spec: { template: { spec: { hostPID: true, containers: [{ name: 'b' }] } } } });
    assert.deepEqual(requestBodyView({ rules: [{ verbs: ['*'], resources: ['*'], apiGroups: ['*'], $patch: 'delete' }] }), { rules: [] });
  });

  it('other bodies as they are', () => {
    assert.equal(requestBodyView(undefined), undefined);
    assert.deepEqual(requestBodyView([]), []);
    assert.deepEqual(requestBodyView(['a']), ['a']);
  });
});

describe('body facts over patches', () => {
  it('privileged: a patch that only adds hostPID, a hostPath or a privileged container, to a Pod, a Deployment, a CronJob or a PodTemplate', () => {
    for (const body of [
      [{ op: 'add', path: '/spec/template/spec/hostPID', value: true }],
      [{ op: 'add', path: '/spec/hostNetwork', value: true }],
      [{ op: 'add', path: '/spec/template/spec/volumes/-', value: { name: 'h', hostPath: { path: '/var/run/docker.sock' } } }],
      { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', securityContext: { privileged: true } }] } } } } } },
      { template: { spec: { hostIPC: true } } },
      { spec: { template: { spec: { volumes: [{ name: 'h', hostPath: { path: '/etc' } }] } } } },
    ]) assert.equal(isPrivilegedPodSpec(requestBodyView(body)), true, JSON.stringify(body));
    for (const body of [
      [{ op: 'replace', path: '/spec/replicas', value: 3 }],
      [{ op: 'add', path: '/spec/template/spec/hostPID', value: false }],
      [{ op: 'remove', path: '/spec/template/spec/hostPID' }],
      { spec: { template: { spec: { hostPID: null, volumes: [{ name: 'h', hostPath: { path: '/data/app' } }] } } } },
      { spec: { template: { spec: { volumes: [{ name: 'h', hostPath: { path: '/' }, $patch: 'delete' }] } } } },
    ]) assert.equal(isPrivilegedPodSpec(requestBodyView(body)), false, JSON.stringify(body));
  });

  it('RBAC: wildcard and risky rules added by a JSON patch or a merge patch', () => {
    const add = requestBodyView([{ op: 'add', path: '/rules/-', value: { apiGroups: ['*'], resources: ['*'], verbs: ['*'] } }]);
    assert.equal(hasWildcardRules(add), true);
    assert.deepEqual(riskyGrants(add), ['bind', 'escalate', 'impersonate', 'secrets:*']);
    assert.deepEqual(riskyGrants(requestBodyView([{ op: 'add', path: '/rules/0/verbs/-', value: 'escalate' }])), ['escalate']);
    assert.equal(hasWildcardRules(requestBodyView({ rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] })), false);
    assert.equal(hasWildcardRules(requestBodyView([{ op: 'remove', path: '/rules/0' }])), false);
  });

  it('CSR: the decision a JSON patch or a merge patch writes to status.conditions', () => {
    const cond = (type: string) => ({ type, status: 'True', reason: 'R', message: 'm' });
    assert.equal(csrDecision(requestBodyView([{ op: 'add', path: '/status/conditions/-', value: cond('Denied') }])), 'Denied');
    assert.equal(csrDecision(requestBodyView([{ op: 'add', path: '/status/conditions', value: [cond('Approved')] }])), 'Approved');
    assert.equal(csrDecision(requestBodyView([{ op: 'replace', path: '/status/conditions/0/type', value: 'Denied' }])), 'Denied');
    assert.equal(csrDecision(requestBodyView({ status: { conditions: [cond('Denied')] } })), 'Denied');
  });
});
