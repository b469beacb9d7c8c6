import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPolicyEvaluator } from './create-policy-evaluator.js';
import { parsePolicy } from './parse-policy.js';
import type { PolicyInput } from './policy-types.js';

const HEADER = 'apiVersion: auditgate.dev/v1\nkind: GatewayPolicy\n';

function evaluator(body: string) {
  return createPolicyEvaluator(parsePolicy(`${HEADER}${body}`, 'test.yaml'));
}

function request(overrides: Partial<PolicyInput> = {}): PolicyInput {
  return {
    actor: { username: 'system:serviceaccount:agents:mcp', groups: ['system:serviceaccounts'], claims: {} },
    verb: 'get', apiGroup: '', resource: 'pods', subresource: '', namespace: 'default', name: 'web-0',
    isResourceRequest: true, path: '/api/v1/namespaces/default/pods/web-0', clusterWide: false,
    ...overrides,
  };
}

describe('createPolicyEvaluator', () => {
  it('applies defaultAction with ruleId "default" when nothing matches', () => {
    for (const action of ['allow', 'deny'] as const) {
      const decision = evaluator(`defaultAction: ${action}\n`).evaluate(request());
      assert.equal(decision.action, action);
      assert.equal(decision.ruleId, 'default');
    }
  });

  it('lets the first matching rule win', () => {
    const policy = evaluator(`defaultAction: allow
rules:
  - { id: deny-kube-system-secrets, action: deny, reason: off limits, match: { resources: [secrets], namespaces: [kube-system] } }
  - { id: mask-secrets, action: mask, match: { resources: [secrets] } }
  - { id: allow-all-secrets, action: allow, match: { resources: [secrets] } }
`);
    const kubeSystem = policy.evaluate(request({ resource: 'secrets', namespace: 'kube-system' }));
    assert.deepEqual([kubeSystem.action, kubeSystem.ruleId, kubeSystem.reason], ['deny', 'deny-kube-system-secrets', 'off limits']);
    const elsewhere = policy.evaluate(request({ resource: 'secrets', namespace: 'team-a' }));
    assert.deepEqual([elsewhere.action, elsewhere.ruleId], ['mask', 'mask-secrets']);
    assert.equal(policy.evaluate(request()).ruleId, 'default');
  });

  it('matches verbs, api groups, names and namespace globs', () => {
    const policy = evaluator(`defaultAction: deny
rules:
  - id: read-apps
    action: allow
    match: { verbs: [get, list], apiGroups: [apps], resources: [deployments], namespaces: ["team-*"], names: ["web-*", ""] }
`);
    const base = { apiGroup: 'apps', resource: 'deployments', namespace: 'team-a', name: 'web-1' };
    assert.equal(policy.evaluate(request(base)).action, 'allow');
    assert.equal(policy.evaluate(request({ ...base, verb: 'list', name: '' })).action, 'allow');
    assert.equal(policy.evaluate(request({ ...base, verb: 'delete' })).action, 'deny');
    assert.equal(policy.evaluate(request({ ...base, apiGroup: '' })).action, 'deny');
    assert.equal(policy.evaluate(request({ ...base, namespace: 'prod' })).action, 'deny');
    assert.equal(policy.evaluate(request({ ...base, name: 'db-1' })).action, 'deny');
  });

  it('matches subresources with RBAC forms', () => {
    const policy = evaluator(`defaultAction: allow
rules:
  - { id: no-exec, action: deny, match: { resources: [pods/exec, pods/attach] } }
  - { id: no-status-writes, action: deny, match: { verbs: [update, patch], resources: ["*/status"] } }
`);
    assert.equal(policy.evaluate(request({ verb: 'create', subresource: 'exec' })).ruleId, 'no-exec');
    assert.equal(policy.evaluate(request({ verb: 'get', subresource: 'log' })).ruleId, 'default');
    assert.equal(policy.evaluate(request({ verb: 'get' })).ruleId, 'default');
    assert.equal(policy.evaluate(request({ verb: 'patch', apiGroup: 'apps', resource: 'deployments', subresource: 'status' })).ruleId,
      'no-status-writes');
    assert.equal(policy.evaluate(request({ verb: 'patch', apiGroup: 'apps', resource: 'deployments' })).ruleId, 'default');
  });

  it('keeps resource rules and non-resource rules apart', () => {
    const policy = evaluator(`defaultAction: deny
rules:
  - { id: health, action: allow, match: { verbs: [get], nonResourceURLs: ["/healthz*", /version] } }
  - { id: any-namespace, action: allow, match: { namespaces: ["*"] } }
`);
    const nonResource = { isResourceRequest: false, resource: '', namespace: '', name: '' };
    assert.equal(policy.evaluate(request({ ...nonResource, path: '/healthz/etcd' })).ruleId, 'health');
    assert.equal(policy.evaluate(request({ ...nonResource, path: '/metrics' })).ruleId, 'default');
    assert.equal(policy.evaluate(request({ path: '/healthz' })).ruleId, 'any-namespace');
    assert.equal(policy.evaluate(request({ namespace: '', resource: 'nodes' })).ruleId, 'any-namespace', '"*" includes ""');
  });

  it('matches actor usernames, groups and claims (strings, numbers, arrays, nested paths)', () => {
    const policy = evaluator(`defaultAction: deny
rules:
  - id: sre
    action: allow
    match:
      actors:
        usernames: ["system:serviceaccount:agents:*"]
        groups: [system:serviceaccounts]
        claims: { team: [sre], "kubernetes.io.namespace": [agents], level: ["3"] }
`);
    const actor = (claims: Record<string, unknown>, groups = ['system:serviceaccounts']) =>
      request({ actor: { username: 'system:serviceaccount:agents:mcp', groups, claims } });
    const good = { team: ['dev', 'sre'], kubernetes: { io: { namespace: 'agents' } }, level: 3 };
    assert.equal(policy.evaluate(actor(good)).ruleId, 'sre');
    assert.equal(policy.evaluate(actor({ ...good, 'kubernetes.io.namespace': 'agents', kubernetes: undefined })).ruleId, 'sre');
    assert.equal(policy.evaluate(actor({ ...good, team: 'dev' })).ruleId, 'default');
    assert.equal(policy.evaluate(actor({ ...good, level: 4 })).ruleId, 'default');
    assert.equal(policy.evaluate(actor({ team: 'sre', level: 3 })).ruleId, 'default', 'missing claim does not match');
    assert.equal(policy.evaluate(actor(good, ['other'])).ruleId, 'default');
    assert.equal(policy.evaluate(request({ actor: { username: 'alice', groups: ['system:serviceaccounts'], claims: good } })).ruleId,
      'default');
  });

  it('matches on-behalf-of presence, usernames and groups', () => {
    const policy = evaluator(`defaultAction: deny
rules:
  - { id: sre-human, action: allow, match: { verbs: [delete], actors: { onBehalfOf: { groups: [sre] } } } }
  - { id: unattended, action: deny, reason: needs a human, match: { actors: { onBehalfOf: { present: false } } } }
  - { id: any-human, action: allow, match: { actors: { onBehalfOf: { present: true, usernames: ["*@example.com"] } } } }
`);
    const alice = { username: 'alice@example.com', groups: ['sre'] };
    const bob = { username: 'bob@example.com', groups: ['dev'] };
    assert.equal(policy.evaluate(request({ verb: 'delete', onBehalfOf: alice })).ruleId, 'sre-human');
    assert.equal(policy.evaluate(request({ verb: 'delete', onBehalfOf: bob })).ruleId, 'any-human');
    assert.equal(policy.evaluate(request({ verb: 'delete' })).ruleId, 'unattended');
    assert.equal(policy.evaluate(request({ onBehalfOf: { username: 'eve@evil.test', groups: [] } })).ruleId, 'default');
  });

  it('denies every request without an on-behalf-of identity when requireOnBehalfOf is set', () => {
    const policy = evaluator(`defaultAction: allow
requireOnBehalfOf: true
rules: [{ id: allow-all, action: allow }]
`);
    const denied = policy.evaluate(request());
    assert.deepEqual([denied.action, denied.ruleId], ['deny', 'require-on-behalf-of']);
    const allowed = policy.evaluate(request({ onBehalfOf: { username: 'alice', groups: [] } }));
    assert.deepEqual([allowed.action, allowed.ruleId], ['allow', 'allow-all']);
  });

  it('denies cluster-wide list/watch when the effective limit forbids it, naming the limit source', () => {
    const policy = evaluator(`defaultAction: allow
limits: { allowClusterWideLists: false, maxResponseBytes: 100 }
rules:
  - { id: secrets, action: mask, match: { resources: [secrets] }, limits: { maxResponseBytes: 5 } }
  - { id: pods-ok, action: allow, match: { resources: [pods] }, limits: { allowClusterWideLists: true } }
  - { id: nodes-strict, action: allow, match: { resources: [nodes] }, limits: { allowClusterWideLists: false } }
`);
    const all = { namespace: '', name: '', clusterWide: true };
    const secrets = policy.evaluate(request({ ...all, verb: 'list', resource: 'secrets' }));
    assert.deepEqual([secrets.action, secrets.ruleId, secrets.limits.maxResponseBytes], ['deny', 'global-limits', 5]);
    assert.equal(policy.evaluate(request({ ...all, verb: 'watch', resource: 'nodes' })).ruleId, 'nodes-strict');
    assert.equal(policy.evaluate(request({ ...all, verb: 'list', resource: 'pods' })).action, 'allow');
    assert.equal(policy.evaluate(request({ ...all, verb: 'list', resource: 'services' })).ruleId, 'global-limits');
    assert.equal(policy.evaluate(request({ ...all, verb: 'get', resource: 'services' })).action, 'allow');
    const namespaced = policy.evaluate(request({ verb: 'list', resource: 'secrets', name: '' }));
    assert.deepEqual([namespaced.action, namespaced.ruleId], ['mask', 'secrets']);
  });

  it('merges per-rule limits and impersonation over the policy-wide values', () => {
    const policy = evaluator(`defaultAction: allow
impersonation: { allowClientImpersonation: false }
limits: { ratePerActorPerSecond: 10, burst: 20 }
rules:
  - { id: trusted, action: allow, match: { actors: { groups: [admins] } }, impersonation: { allowClientImpersonation: true }, limits: { burst: 2 } }
`);
    const trusted = policy.evaluate(request({ actor: { username: 'a', groups: ['admins'], claims: {} } }));
    assert.equal(trusted.allowClientImpersonation, true);
    assert.deepEqual(trusted.limits, { maxResponseBytes: 0, ratePerActorPerSecond: 10, burst: 2, allowClusterWideLists: true });
    const other = policy.evaluate(request());
    assert.equal(other.allowClientImpersonation, false);
    assert.equal(other.limits.burst, 20);
    assert.equal(other.bundleHash, policy.policy.bundleHash);
  });

  it('picks audit levels first-match, defaulting to Metadata, and never below Metadata for writes or secrets', () => {
    const policy = evaluator(`defaultAction: allow
auditLevels:
  - { level: None, nonResourceURLs: ["/healthz*"] }
  - { level: None, users: [noisy] }
  - { level: Metadata, resources: [{ group: "", resources: [secrets, configmaps] }] }
  - { level: Request, verbs: [get, list, watch] }
  - { level: RequestResponse, resources: [{ group: apps }] }
`);
    const level = (input: Partial<PolicyInput>) => policy.evaluate(request(input)).auditLevel;
    const nonResource = { isResourceRequest: false, resource: '', namespace: '', name: '' };
    assert.equal(level({ ...nonResource, path: '/healthz' }), 'None');
    assert.equal(level({ ...nonResource, verb: 'create', path: '/healthz' }), 'Metadata', 'non-resource write clamped');
    assert.equal(level({ resource: 'configmaps' }), 'Metadata');
    assert.equal(level({}), 'Request');
    assert.equal(level({ verb: 'patch', apiGroup: 'apps', resource: 'deployments' }), 'RequestResponse');
    assert.equal(level({ verb: 'delete' }), 'Metadata', 'no rule matched: default');
    const noisy = { actor: { username: 'noisy', groups: [], claims: {} } };
    assert.equal(level({ ...noisy, verb: 'get' }), 'None');
    assert.equal(level({ ...noisy, verb: 'get', resource: 'secrets' }), 'Metadata', 'secret read clamped');
    assert.equal(level({ ...noisy, verb: 'delete' }), 'Metadata', 'write clamped');
    assert.equal(level({ ...noisy, verb: 'get', apiGroup: 'other.io', resource: 'secrets' }), 'None', 'only core secrets');
  });

  it('returns shared frozen decisions', () => {
    const policy = evaluator('defaultAction: allow\n');
    const first = policy.evaluate(request());
    assert.equal(policy.evaluate(request()), first);
    assert.ok(Object.isFrozen(first));
  });

  it('evaluates 100k requests against a realistic policy', () => {
    const rules = Array.from({ length: 40 }, (_, i) =>
      `  - { id: r${i}, action: deny, match: { actors: { usernames: ["user-${i}-*"] }, verbs: [delete], resources: ["res${i}", "pods/exec"], namespaces: ["ns-${i}*"] } }`);
    const policy = evaluator(`defaultAction: allow\nrules:\n${rules.join('\n')}\n` +
      'auditLevels:\n  - { level: Metadata, resources: [{ group: "", resources: [secrets] }] }\n  - { level: Request }\n');
    const inputs = [request(), request({ verb: 'delete', resource: 'pods', subresource: 'exec' }), request({ resource: 'secrets' })];
    let denied = 0;
    for (let i = 0; i < 100_000; i++) if (policy.evaluate(inputs[i % 3] as PolicyInput).action === 'deny') denied++;
    assert.equal(denied, 0);
  });
});
