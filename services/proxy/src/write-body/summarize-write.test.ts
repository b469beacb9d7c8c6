import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { maskKubernetesObject } from '../masking/index.js';
import { assertNoPlaintext, testMaskingOptions } from '../masking/test-support.js';
import { SUMMARY_LIMITS } from './summary-budget.js';
import { summarizeWrite } from './summarize-write.js';

const PAD = 'x'.repeat(300 * 1024);
const PASSWORD = 'hunter2-Sup3r!Secret';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

describe('summarizeWrite: RBAC', () => {
  it('keeps roleRef and subjects of a binding, and metadata without annotation values', () => {
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding',
      metadata: { name: 'x', labels: { team: 'a' }, annotations: { [LAST_APPLIED]: PAD, note: 'n' }, uid: 'u', managedFields: [{ manager: 'm' }] },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'sa', namespace: 'ns' }],
    };
    const { object, capped } = summarizeWrite(binding);
    assert.equal(capped, false);
    assert.deepEqual(object, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding',
      metadata: { name: 'x', labels: { team: 'a' }, annotations: { [LAST_APPLIED]: null, note: null } },
      roleRef: binding.roleRef, subjects: binding.subjects,
    });
    assert.ok(JSON.stringify(object).length < 1024);
  });

  it('keeps the rules and aggregation rule of a role padded past the record cap, dropping the padding', () => {
    const rules = [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['get'], nonResourceURLs: ['/metrics'] }];
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'big', annotations: { pad: PAD } }, rules,
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate': 'true' } }] },
    };
    const { object } = summarizeWrite(role);
    assert.deepEqual((object as { rules: unknown }).rules, rules);
    assert.deepEqual((object as { aggregationRule: unknown }).aggregationRule, role.aggregationRule);
    assert.ok(JSON.stringify(object).length < 1024);
  });

  it('caps lists and long strings, and says so', () => {
    const subjects = Array.from({ length: 500 }, (_, i) => ({ kind: 'User', name: `user-${i}` }));
    const { object, capped } = summarizeWrite({ kind: 'RoleBinding', roleRef: { kind: 'Role', name: 'r'.repeat(5000) }, subjects });
    assert.equal(capped, true);
    const out = object as { subjects: unknown[]; roleRef: { name: string } };
    assert.equal(out.subjects.length, SUMMARY_LIMITS.maxItems);
    assert.equal(out.roleRef.name, '<auditgate: 5000 characters left out>');
  });

  it('stays small whatever the input: the character budget stops the copy', () => {
    const rules = Array.from({ length: 64 }, () => ({ verbs: Array.from({ length: 64 }, (_, i) => `${'v'.repeat(1000)}${i}`) }));
    const { object, capped } = summarizeWrite({ kind: 'ClusterRole', metadata: { name: 'wide' }, rules });
    assert.equal(capped, true);
    assert.ok(JSON.stringify(object).length < 100 * 1024, `${JSON.stringify(object).length}`);
    assert.deepEqual((object as { metadata: unknown }).metadata, { name: 'wide' });
  });
});

describe('summarizeWrite: workloads, tokens, certificates, webhooks', () => {
  const container = {
    name: 'app', image: 'registry.example.com/app:1', command: ['/bin/app'], args: ['--password', PASSWORD],
    env: [{ name: 'DB_PASSWORD', value: PASSWORD }], envFrom: [{ secretRef: { name: 's' } }],
    securityContext: { privileged: true, runAsUser: 0, readOnlyRootFilesystem: false, capabilities: { add: ['SYS_ADMIN'] } },
    resources: { limits: { cpu: '1' } }, volumeMounts: [{ name: 'host', mountPath: '/host' }],
  };
  const podSpec = {
    serviceAccountName: 'builder', hostPID: true, nodeName: 'n1', restartPolicy: 'Always',
    containers: [container], initContainers: [{ name: 'init', image: 'busybox', env: [{ name: 'X', value: 'y' }] }],
    volumes: [{ name: 'host', hostPath: { path: '/' } }, { name: 'cfg', configMap: { name: 'c' } }],
  };
  const summarizedSpec = {
    serviceAccountName: 'builder', nodeName: 'n1', hostPID: true,
    containers: [{ name: 'app', image: 'registry.example.com/app:1', command: ['/bin/app'], args: ['--password', PASSWORD],
      securityContext: { privileged: true, runAsUser: 0, capabilities: { add: ['SYS_ADMIN'] } } }],
    initContainers: [{ name: 'init', image: 'busybox' }],
    volumes: [{ name: 'host', hostPath: { path: '/' } }],
  };

  it('keeps the pod spec authority of each workload at its own path, never env', () => {
    const docs: Array<[Record<string, unknown>, (o: Record<string, unknown>) => unknown]> = [
      [{ kind: 'Pod', spec: podSpec }, (o) => o['spec']],
      [{ kind: 'Deployment', spec: { replicas: 3, template: { metadata: { labels: { a: 'b' } }, spec: podSpec } } }, (o) => (o['spec'] as { template: { spec: unknown } }).template.spec],
      [{ kind: 'PodTemplate', template: { spec: podSpec } }, (o) => (o['template'] as { spec: unknown }).spec],
      [{ kind: 'CronJob', spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: podSpec } } } } },
        (o) => (o['spec'] as { jobTemplate: { spec: { template: { spec: unknown } } } }).jobTemplate.spec.template.spec],
    ];
    for (const [doc, at] of docs) {
      const { object } = summarizeWrite(doc);
      assert.deepEqual(at(object as Record<string, unknown>), summarizedSpec, doc['kind'] as string);
      assert.ok(!JSON.stringify(object).includes('DB_PASSWORD'));
    }
    // A strategic merge patch (no kind) is read by its paths alike.
    const patch = summarizeWrite({ spec: { template: { spec: { serviceAccountName: 'admin-sa' } } } });
    assert.deepEqual(patch.object, { spec: { template: { spec: { serviceAccountName: 'admin-sa' } } } });
  });

  it('leaves args to the caller\'s masking, which masks the summary as it would the object', () => {
    const { object } = summarizeWrite({ kind: 'Deployment', spec: { template: { spec: podSpec } } });
    const masked = maskKubernetesObject(object, testMaskingOptions());
    assert.deepEqual(masked.maskedPaths, ['/spec/template/spec/containers/0/args/1']);
    assertNoPlaintext(JSON.stringify(masked.object), [PASSWORD]);
  });

  it('keeps TokenRequest and CertificateSigningRequest spec fields, not the CSR itself', () => {
    const token = summarizeWrite({ kind: 'TokenRequest', spec: { audiences: ['api'], expirationSeconds: 3600, boundObjectRef: { kind: 'Pod', name: 'p' } }, status: { token: 'x' } });
    assert.deepEqual(token.object, { kind: 'TokenRequest', spec: { audiences: ['api'], expirationSeconds: 3600, boundObjectRef: { kind: 'Pod', name: 'p' } } });
    const csr = summarizeWrite({ kind: 'CertificateSigningRequest', metadata: { name: 'c' }, spec: { request: PAD, signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], expirationSeconds: 600 } });
    assert.deepEqual(csr.object, { kind: 'CertificateSigningRequest', metadata: { name: 'c' }, spec: { expirationSeconds: 600, signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'] } });
  });

  it('keeps webhook names, clientConfig without caBundle, rules and failurePolicy', () => {
    const hook = {
      name: 'guard.example.com', clientConfig: { url: 'https://evil.example.com/hook', caBundle: PAD }, sideEffects: 'None',
      rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*/*'] }], failurePolicy: 'Ignore',
      admissionReviewVersions: ['v1'], objectSelector: { matchLabels: { a: 'b' } },
    };
    const { object } = summarizeWrite({ kind: 'MutatingWebhookConfiguration', metadata: { name: 'm' }, webhooks: [hook] });
    const { caBundle: _ca, ...clientConfig } = hook.clientConfig;
    assert.deepEqual((object as { webhooks: unknown }).webhooks, [{
      name: hook.name, clientConfig, rules: hook.rules, failurePolicy: 'Ignore', objectSelector: hook.objectSelector, sideEffects: 'None',
    }]);
  });

  it('keeps a Secret\'s type and the service account a token Secret is for, never its data', () => {
    const { object } = summarizeWrite({
      apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token',
      metadata: { name: 't', annotations: { 'kubernetes.io/service-account.name': 'admin', other: 'v' } }, data: { token: PAD }, stringData: { p: PASSWORD },
    });
    assert.deepEqual(object, {
      apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token',
      metadata: { name: 't', annotations: { 'kubernetes.io/service-account.name': 'admin', other: null } },
    });
  });
});

describe('summarizeWrite: JSON patches and odd input', () => {
  it('keeps the authority operations of a JSON patch with their values, even behind many others', () => {
    const junk = Array.from({ length: 300 }, (_, i) => ({ op: 'add', path: `/metadata/annotations/k${i}`, value: PAD }));
    const ops = [...junk, { op: 'replace', path: '/roleRef/name', value: 'cluster-admin' },
      { op: 'add', path: '/spec/template/spec/containers/0/env/-', value: { name: 'P', value: PASSWORD } },
      { op: 'add', path: '/subjects/-', value: { kind: 'User', name: 'eve' } }];
    const { object, capped } = summarizeWrite(ops);
    assert.equal(capped, true);
    const out = object as Array<Record<string, unknown>>;
    assert.equal(out.length, SUMMARY_LIMITS.maxItems);
    assert.deepEqual(out.slice(-2), [
      { op: 'replace', path: '/roleRef/name', value: 'cluster-admin' }, { op: 'add', path: '/subjects/-', value: { kind: 'User', name: 'eve' } },
    ]);
    assert.deepEqual(out[0], { op: 'add', path: '/metadata/annotations/k0' });
    assert.ok(!JSON.stringify(object).includes(PASSWORD));
  });

  it('summarizes a whole-object replacement as an object', () => {
    const { object } = summarizeWrite([{ op: 'replace', path: '', value: { kind: 'RoleBinding', roleRef: { name: 'admin' }, data: { x: PAD } } }]);
    assert.deepEqual(object, [{ op: 'replace', path: '', value: { kind: 'RoleBinding', roleRef: { name: 'admin' } } }]);
  });

  it('never throws on odd input, and keeps `__proto__` keys as data', () => {
    for (const input of [null, 3, 'text', [], [1, 'x', null], { metadata: 'x', subjects: 'y', webhooks: [1, null], spec: [] }, { spec: { containers: 'x' } }]) {
      summarizeWrite(input);
    }
    const out = summarizeWrite(JSON.parse('{"metadata":{"labels":{"__proto__":{"polluted":"yes"}}}}')).object as { metadata: { labels: object } };
    assert.deepEqual(Object.keys(out.metadata.labels), ['__proto__']);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });
});
