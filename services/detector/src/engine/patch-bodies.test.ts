// Rules that read a request body, over the patches kubectl sends (`kubectl patch --type=json|merge|strategic`).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { validateAuditEvent } from '@auditgate/shared';
import { loadRules } from '../rules/load-rules.js';
import { DetectionEngine } from './detection-engine.js';
import { auditEvent, type EventSpec } from './event-factory.test-helper.js';

const rules = loadRules([fileURLToPath(new URL('../../rules', import.meta.url))]);

/** `rule:severity` of the pages one patch event raises in a fresh engine. */
function pages(spec: EventSpec): string[] {
  const event = auditEvent(spec);
  validateAuditEvent(event);
  return new DetectionEngine({ rules, queryUrl: 'http://q' }).process(event).filter((a) => a.change !== 'updated').map((a) => `${a.rule}:${a.severity}`);
}
const patch = (uri: string, ref: NonNullable<EventSpec['ref']>, requestObject: unknown): EventSpec => ({ uri, verb: 'patch', code: 200, ref, requestObject });
const clusterRole = (body: unknown) => patch('/apis/rbac.authorization.k8s.io/v1/clusterroles/ops', { apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'ops' }, body);
const deployment = (body: unknown) => patch('/apis/apps/v1/namespaces/prod/deployments/web', { apiGroup: 'apps', resource: 'deployments', namespace: 'prod', name: 'web' }, body);
const approval = (body: unknown) => patch('/apis/certificates.k8s.io/v1/certificatesigningrequests/c/approval', { apiGroup: 'certificates.k8s.io', resource: 'certificatesigningrequests', name: 'c', subresource: 'approval' }, body);
const everything = { apiGroups: ['*'], resources: ['*'], verbs: ['*'] };
const condition = (type: string) => ({ type, status: 'True', reason: 'KubectlPatch', message: 'by patch' });

describe('body rules over patch bodies', () => {
  it('RBAC_CHANGE is critical and RBAC_RISKY_GRANT fires when a JSON or merge patch adds */*/* rules to a ClusterRole', () => {
    for (const body of [[{ op: 'add', path: '/rules/-', value: everything }], { rules: [everything] }]) {
      assert.deepEqual(pages(clusterRole(body)).sort(), ['RBAC_CHANGE:critical', 'RBAC_RISKY_GRANT:high'], JSON.stringify(body));
    }
    assert.deepEqual(pages(clusterRole([{ op: 'add', path: '/rules/-', value: { apiGroups: [''], resources: ['pods'], verbs: ['get'] } }])), ['RBAC_CHANGE:medium']);
    assert.deepEqual(pages(clusterRole([{ op: 'remove', path: '/rules/0' }])), ['RBAC_CHANGE:medium']);
  });

  it('PRIVILEGED_WORKLOAD fires when a JSON, merge or strategic patch adds hostPID or a hostPath to a Deployment', () => {
    for (const body of [
      [{ op: 'add', path: '/spec/template/spec/hostPID', value: true }],
      { spec: { template: { spec: { hostPID: true } } } },
      { spec: { template: { spec: { volumes: [{ name: 'root', hostPath: { path: '/' } }], '$setElementOrder/volumes': [{ name: 'root' }] } } } },
    ]) assert.deepEqual(pages(deployment(body)), ['PRIVILEGED_WORKLOAD:high'], JSON.stringify(body));
    assert.deepEqual(pages(deployment([{ op: 'replace', path: '/spec/replicas', value: 5 }])), []);
    assert.deepEqual(pages(deployment({ spec: { template: { spec: { volumes: [{ name: 'root', $patch: 'delete' }] } } } })), []);
  });

  it('CSR_APPROVE fires for an Approved condition sent as a JSON patch, not for a Denied one', () => {
    assert.deepEqual(pages(approval([{ op: 'add', path: '/status/conditions/-', value: condition('Approved') }])), ['CSR_APPROVE:high']);
    assert.deepEqual(pages(approval([{ op: 'add', path: '/status/conditions', value: [condition('Denied')] }])), []);
    assert.deepEqual(pages(approval({ status: { conditions: [condition('Denied')] } })), []);
  });
});
