import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lintPolicy } from './lint-policy.js';
import type { LintFinding } from './lint-types.js';
import { parsePolicy } from './parse-policy.js';

const HEADER = 'apiVersion: auditgate.dev/v1\nkind: GatewayPolicy\n';
const DENY_KUBE_SYSTEM_SECRETS = '  - { id: deny-ks-secrets, action: deny, match: { apiGroups: [""], resources: [secrets], namespaces: [kube-system] } }\n';
const CLOSE_SIDE_PATHS = `  - id: deny-side-paths
    action: deny
    match:
      apiGroups: [""]
      resources: [pods/exec, pods/attach, pods/portforward, pods/proxy, pods/ephemeralcontainers, services/proxy, nodes/proxy, serviceaccounts/token]
  - id: deny-authority-writes
    action: deny
    match: { verbs: [create, update, patch], apiGroups: [rbac.authorization.k8s.io, admissionregistration.k8s.io, apiregistration.k8s.io, certificates.k8s.io] }
  - id: deny-pod-spec
    action: deny
    match: { verbs: [create, update, patch], apiGroups: ["", apps, batch], resources: [pods, replicationcontrollers, deployments, daemonsets, statefulsets, replicasets, jobs, cronjobs] }
`;

function lint(body: string): LintFinding[] {
  return lintPolicy(parsePolicy(`${HEADER}${body}`, 'test.yaml'));
}

/** The findings whose fields include `expected` (path fields compared as given). */
function matching(findings: readonly LintFinding[], expected: Partial<Omit<LintFinding, 'path'>> & { path?: Partial<LintFinding['path']> }): LintFinding[] {
  return findings.filter((finding) => Object.entries(expected).every(([key, value]) => key === 'path'
    ? Object.entries(value as object).every(([k, v]) => JSON.stringify(finding.path[k as keyof LintFinding['path']]) === JSON.stringify(v))
    : finding[key as keyof LintFinding] === value));
}

function one(findings: readonly LintFinding[], expected: Parameters<typeof matching>[1]): LintFinding {
  const found = matching(findings, expected);
  assert.equal(found.length, 1, `expected one finding like ${JSON.stringify(expected)}, got:\n${findings.map((f) => f.message).join('\n')}`);
  return found[0] as LintFinding;
}

describe('lintPolicy', () => {
  it('reports every indirect path a namespaced Secret deny leaves open, with rule, path, opener and fix', () => {
    const findings = lint(`defaultAction: allow\nrules:\n${DENY_KUBE_SYSTEM_SECRETS}`);
    const exec = one(findings, { check: 'indirect-path', path: { resource: 'pods/exec' } });
    assert.deepEqual(exec, {
      severity: 'error', check: 'indirect-path', ruleId: 'deny-ks-secrets', openedBy: 'default',
      path: { verbs: ['get', 'create'], apiGroup: '', resource: 'pods/exec', namespaces: ['kube-system'] },
      message: exec.message, hint: exec.hint,
    });
    assert.match(exec.message, /"deny-ks-secrets" denies Secrets in kube-system, but get\/create pods\/exec there is allowed by the default action/);
    assert.match(exec.hint, /add a deny rule with apiGroups \[""\], resources \[pods\/exec\], no verbs \(every verb\), namespaces \[kube-system\]/);
    for (const [resource, verbs] of [['pods/attach', ['get', 'create']], ['pods/portforward', ['get', 'create']],
      ['pods/proxy', ['get', 'create', 'update', 'patch', 'delete']], ['services/proxy', ['get', 'create', 'update', 'patch', 'delete']],
      ['pods/ephemeralcontainers', ['update', 'patch']], ['serviceaccounts/token', ['create']]] as const) {
      one(findings, { severity: 'error', check: 'indirect-path', path: { resource, verbs, namespaces: ['kube-system'] } });
    }
    one(findings, { severity: 'error', check: 'indirect-path', path: { resource: 'nodes/proxy', namespaces: [''] } });
    for (const [apiGroup, resource] of [['', 'pods'], ['', 'replicationcontrollers'], ['apps', 'deployments'], ['apps', 'daemonsets'],
      ['apps', 'statefulsets'], ['apps', 'replicasets'], ['batch', 'jobs'], ['batch', 'cronjobs']] as const) {
      one(findings, { severity: 'warning', check: 'pod-spec', path: { apiGroup, resource, verbs: ['create', 'update', 'patch'] } });
    }
    one(findings, { severity: 'error', check: 'cluster-wide', openedBy: 'default', path: { resource: 'secrets', verbs: ['list', 'watch'], namespaces: [''] } });
    assert.equal(findings.length, 7 + 8 + 1 + 1 + 13, '7 side paths, 8 pod-spec writes, nodes/proxy, cluster-wide list, 13 authority writes');
    assert.ok(findings.every((f) => !f.hint.includes('\n') && !f.message.includes('\n')));
  });

  it('reports nothing once every path is denied (errors first otherwise)', () => {
    assert.deepEqual(lint(`defaultAction: allow\nlimits: { allowClusterWideLists: false }\nrules:\n${DENY_KUBE_SYSTEM_SECRETS}${CLOSE_SIDE_PATHS}`), []);
    const findings = lint(`defaultAction: allow\nrules:\n${DENY_KUBE_SYSTEM_SECRETS}`);
    const firstWarning = findings.findIndex((f) => f.severity === 'warning');
    assert.ok(findings.slice(firstWarning).every((f) => f.severity === 'warning'));
  });

  it('treats subresources as the matcher does: pods/* closes them all, pods does not', () => {
    const open = lint(`defaultAction: allow\nlimits: { allowClusterWideLists: false }\nrules:\n${DENY_KUBE_SYSTEM_SECRETS}`
      + '  - { id: deny-pods, action: deny, match: { resources: [pods], namespaces: [kube-system] } }\n');
    one(open, { check: 'indirect-path', path: { resource: 'pods/exec' } });
    const closed = lint(`defaultAction: allow\nlimits: { allowClusterWideLists: false }\nrules:\n${DENY_KUBE_SYSTEM_SECRETS}`
      + '  - { id: deny-pod-subresources, action: deny, match: { resources: ["pods/*"], namespaces: [kube-system] } }\n');
    assert.deepEqual(matching(closed, { check: 'indirect-path' }).map((f) => f.path.resource).slice(0, 3), ['services/proxy', 'serviceaccounts/token', 'nodes/proxy']);
    assert.ok(matching(closed, { check: 'indirect-path' }).every((f) => !f.path.resource.startsWith('pods/')));
  });

  it('reports writes that hand out authority over the Secret: RBAC, admission policies and webhooks, API services, CSRs', () => {
    const findings = lint(`defaultAction: allow\nrules:\n${DENY_KUBE_SYSTEM_SECRETS}`);
    for (const resource of ['clusterrolebindings', 'rolebindings', 'validatingadmissionpolicies', 'validatingwebhookconfigurations', 'apiservices', 'certificatesigningrequests/approval']) {
      const finding = one(findings, { check: 'indirect-path', path: { resource } });
      assert.equal(finding.severity, 'error', resource);
    }
  });

  it('knows nodes are cluster-scoped: a nodes/proxy deny with namespaces never matches', () => {
    const findings = lint(`defaultAction: allow\nrules:\n${DENY_KUBE_SYSTEM_SECRETS}`
      + '  - { id: deny-node-proxy, action: deny, match: { resources: [nodes/proxy], namespaces: [kube-system] } }\n');
    const node = one(findings, { path: { resource: 'nodes/proxy' } });
    assert.equal(node.openedBy, 'default');
    assert.match(node.hint, /no namespaces \(it is cluster-scoped/);
  });

  it('does not count mask as closing an indirect path', () => {
    const findings = lint(`defaultAction: allow\nrules:\n${DENY_KUBE_SYSTEM_SECRETS}`
      + '  - { id: mask-exec, action: mask, match: { resources: [pods/exec] } }\n');
    const exec = one(findings, { path: { resource: 'pods/exec' } });
    assert.equal(exec.openedBy, 'mask-exec');
    assert.match(exec.message, /only masked by "mask-exec" \(mask does not close it\)/);
  });

  it('checks masked Secrets too, in every namespace the mask covers', () => {
    const findings = lint(`defaultAction: allow\nlimits: { allowClusterWideLists: false }\nrules:
  - { id: mask-secrets, action: mask, match: { resources: [secrets], namespaces: ["team-*"] } }
`);
    const exec = one(findings, { ruleId: 'mask-secrets', path: { resource: 'pods/exec' } });
    assert.deepEqual(exec.path.namespaces, ['team-*']);
    assert.match(exec.message, /"mask-secrets" masks Secrets in team-\*/);
  });

  it('reports another read verb of a denied Secret: get denied, watch/list/patch allowed', () => {
    const findings = lint(`defaultAction: allow\nlimits: { allowClusterWideLists: false }\nrules:
  - { id: deny-get-secrets, action: deny, match: { verbs: [get], resources: [secrets], namespaces: [kube-system] } }
${CLOSE_SIDE_PATHS}`);
    const bypass = one(findings, { check: 'verb-bypass' });
    assert.deepEqual([bypass.severity, bypass.ruleId, bypass.openedBy, bypass.path.verbs, bypass.path.namespaces],
      ['error', 'deny-get-secrets', 'default', ['list', 'watch', 'patch'], ['kube-system']]);
    assert.match(bypass.message, /denies get secrets in kube-system, but list\/watch\/patch is allowed/);
    assert.equal(findings.length, 1);
  });

  it('reports a name-scoped Secret deny that a list (no name) gets around', () => {
    const findings = lint(`defaultAction: allow\nlimits: { allowClusterWideLists: false }\nrules:
  - { id: deny-admin-secret, action: deny, match: { resources: [secrets], namespaces: [default], names: ["admin-*"] } }
${CLOSE_SIDE_PATHS}`);
    const bypass = one(findings, { check: 'verb-bypass', ruleId: 'deny-admin-secret' });
    assert.deepEqual(bypass.path.verbs, ['list', 'watch']);
  });

  it('reports a cluster-wide list that returns the namespace a deny protects, unless allowClusterWideLists is false', () => {
    const body = (limit: string) => `defaultAction: allow\nlimits: { allowClusterWideLists: ${limit} }\nrules:\n${DENY_KUBE_SYSTEM_SECRETS}${CLOSE_SIDE_PATHS}`;
    const wide = one(lint(body('true')), { check: 'cluster-wide' });
    assert.match(wide.hint, /allowClusterWideLists: false/);
    assert.deepEqual(lint(body('false')), []);
    const masked = lint(`defaultAction: allow\nrules:\n${DENY_KUBE_SYSTEM_SECRETS}${CLOSE_SIDE_PATHS}`
      + '  - { id: mask-secrets, action: mask, match: { resources: [secrets] } }\n');
    const downgrade = one(masked, { check: 'cluster-wide', ruleId: 'deny-ks-secrets' });
    assert.deepEqual([downgrade.severity, downgrade.openedBy], ['warning', 'mask-secrets']);
  });

  it('follows first-match order: a deny shadowed by an earlier allow protects nothing', () => {
    const findings = lint(`defaultAction: allow\nrules:
  - { id: allow-secrets, action: allow, match: { resources: [secrets] } }
${DENY_KUBE_SYSTEM_SECRETS}`);
    assert.deepEqual(matching(findings, { ruleId: 'deny-ks-secrets' }), []);
  });

  it('holds the policy to its rules, not its default: a default deny protects nothing', () => {
    assert.deepEqual(lint(`defaultAction: deny\nrules:
  - { id: allow-exec, action: allow, match: { resources: [pods/exec] } }
`), []);
  });

  it('probes callers from the rules: an allow for some agents opens exec where a deny covers everyone', () => {
    const findings = lint(`defaultAction: deny\nrules:
  - { id: deny-secrets, action: deny, match: { resources: [secrets] } }
  - id: allow-agent-exec
    action: allow
    match: { actors: { usernames: ["system:serviceaccount:agents:*"], groups: [sre] }, resources: [pods/exec], namespaces: ["team-*"] }
`);
    const exec = one(findings, { path: { resource: 'pods/exec' } });
    assert.deepEqual([exec.openedBy, exec.path.namespaces], ['allow-agent-exec', ['team-*']]);
    assert.match(exec.hint, /before "allow-agent-exec"/);
  });

  it('probes callers that combine attributes: a group-scoped deny and a username-scoped exec allow', () => {
    const findings = lint(`defaultAction: deny\nrules:
  - { id: deny-agent-secrets, action: deny, match: { actors: { groups: [agents] }, resources: [secrets] } }
  - { id: allow-alice-exec, action: allow, match: { actors: { usernames: [alice] }, resources: [pods/exec] } }
`);
    one(findings, { ruleId: 'deny-agent-secrets', openedBy: 'allow-alice-exec', path: { resource: 'pods/exec' } });
  });

  it('warns where a deny on another resource leaves a verb of the same class open', () => {
    const findings = lint(`defaultAction: allow\nrules:
  - { id: deny-cm-get, action: deny, match: { verbs: [get], resources: [configmaps], namespaces: [kube-system] } }
  - { id: deny-exec-post, action: deny, match: { verbs: [create], resources: [pods/exec] } }
  - { id: deny-scale-update, action: deny, match: { verbs: [update], apiGroups: [apps], resources: [deployments/scale] } }
`);
    const read = one(findings, { ruleId: 'deny-cm-get', check: 'verb-bypass' });
    assert.deepEqual([read.severity, read.path.verbs, read.path.namespaces], ['warning', ['list', 'watch'], ['kube-system']]);
    one(findings, { ruleId: 'deny-cm-get', check: 'cluster-wide', path: { verbs: ['list', 'watch'], namespaces: [''] } });
    const stream = one(findings, { ruleId: 'deny-exec-post', check: 'verb-bypass' });
    assert.deepEqual(stream.path.verbs, ['get']);
    const scale = one(findings, { ruleId: 'deny-scale-update' });
    assert.deepEqual([scale.path.apiGroup, scale.path.resource, scale.path.verbs], ['apps', 'deployments/scale', ['patch']]);
    assert.equal(findings.length, 4);
  });
});
