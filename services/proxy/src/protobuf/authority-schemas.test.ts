import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeKubernetesProtobuf } from './decode-kubernetes-protobuf.js';
import { encodeMessage, kubernetesEnvelope, mapEntries, type ProtoField } from './proto-encoder.test-helper.js';

// Bodies as gogo/k8s marshals them: non-pointer strings written even when empty, non-pointer messages always present.
const meta = (name: string, namespace = ''): ProtoField => [1, [[1, name], [2, ''], [3, namespace], [4, ''], [5, ''], [6, ''], [7, 0], [8, [[1, 0], [2, 0]]]]];

function decode(apiVersion: string, kind: string, fields: readonly ProtoField[]) {
  const decoded = decodeKubernetesProtobuf(kubernetesEnvelope(apiVersion, kind, encodeMessage(fields)));
  assert.ok(decoded !== undefined);
  return decoded;
}

const RBAC = 'rbac.authorization.k8s.io/v1';

describe('decodeKubernetesProtobuf: RBAC', () => {
  it('decodes a ClusterRoleBinding completely: subjects and roleRef, empty non-omitempty strings kept', () => {
    const decoded = decode(RBAC, 'ClusterRoleBinding', [
      meta('x'),
      [2, [[1, 'ServiceAccount'], [2, ''], [3, 'sa'], [4, 'ns']]],
      [2, [[1, 'User'], [2, 'rbac.authorization.k8s.io'], [3, 'alice'], [4, '']]],
      [3, [[1, 'rbac.authorization.k8s.io'], [2, 'ClusterRole'], [3, 'cluster-admin']]],
    ]);
    assert.equal(decoded.complete, true);
    assert.equal(decoded.known, true);
    assert.deepEqual(decoded.object, {
      apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: { name: 'x' },
      subjects: [
        { kind: 'ServiceAccount', name: 'sa', namespace: 'ns' },
        { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
      ],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    });
  });

  it('decodes a RoleBinding with the same schema, and a binding without subjects', () => {
    const decoded = decode(RBAC, 'RoleBinding', [meta('rb', 'ns'), [3, [[1, ''], [2, 'Role'], [3, 'reader']]]]);
    assert.equal(decoded.complete, true);
    assert.deepEqual(decoded.object['roleRef'], { apiGroup: '', kind: 'Role', name: 'reader' });
    assert.equal(decoded.object['subjects'], undefined);
  });

  it('decodes a Role\'s rules, every PolicyRule field', () => {
    const decoded = decode(RBAC, 'Role', [
      meta('r', 'ns'),
      [2, [[1, 'get'], [1, 'list'], [2, ''], [3, 'secrets'], [4, 'db']]],
      [2, [[1, 'get'], [5, '/healthz']]],
    ]);
    assert.equal(decoded.complete, true);
    assert.deepEqual(decoded.object['rules'], [
      { verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'], resourceNames: ['db'] },
      { verbs: ['get'], nonResourceURLs: ['/healthz'] },
    ]);
  });

  it('shows null for the non-omitempty lists a body leaves empty (rules, verbs), as the API server\'s JSON does', () => {
    const decoded = decode(RBAC, 'ClusterRole', [
      meta('agg'),
      [3, [[1, [...mapEntries(1, { 'example.com/aggregate': 'true' }), [2, [[1, 'tier'], [2, 'In'], [3, 'a'], [3, 'b']]]]]]],
    ]);
    assert.equal(decoded.complete, true);
    assert.deepEqual(decoded.object, {
      apiVersion: RBAC, kind: 'ClusterRole', metadata: { name: 'agg' }, rules: null,
      aggregationRule: { clusterRoleSelectors: [{
        matchLabels: { 'example.com/aggregate': 'true' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }],
      }] },
    });
    const noVerbs = decode(RBAC, 'Role', [[2, [[3, 'pods']]]]);
    assert.deepEqual(noVerbs.object['rules'], [{ verbs: null, resources: ['pods'] }]);
  });

  it('is incomplete when a binding carries a field the schema does not know, yet keeps roleRef', () => {
    const decoded = decode(RBAC, 'ClusterRoleBinding', [meta('x'), [3, [[1, 'g'], [2, 'ClusterRole'], [3, 'admin'], [9, 'future']]]]);
    assert.equal(decoded.complete, false);
    assert.deepEqual(decoded.object['roleRef'], { apiGroup: 'g', kind: 'ClusterRole', name: 'admin' });
  });

  it('does not know RBAC kinds of other versions', () => {
    const decoded = decode('rbac.authorization.k8s.io/v1beta1', 'ClusterRoleBinding', [meta('x'), [3, [[3, 'admin']]]]);
    assert.equal(decoded.known, false);
    assert.deepEqual(decoded.object, { apiVersion: 'rbac.authorization.k8s.io/v1beta1', kind: 'ClusterRoleBinding', metadata: { name: 'x' } });
  });
});

describe('decodeKubernetesProtobuf: tokens, certificates, accounts', () => {
  const AUTHN = 'authentication.k8s.io/v1';

  it('decodes a TokenRequest: spec with pointer fields as null when unset, status.token', () => {
    const request = decode(AUTHN, 'TokenRequest', [meta('sa', 'ns'), [2, [[1, 'api'], [1, 'vault'], [4, 3600]]], [3, [[1, ''], [2, []]]]]);
    assert.equal(request.complete, true);
    assert.deepEqual(request.object, {
      apiVersion: AUTHN, kind: 'TokenRequest', metadata: { name: 'sa', namespace: 'ns' },
      spec: { audiences: ['api', 'vault'], expirationSeconds: 3600, boundObjectRef: null }, status: { token: '' },
    });
    const issued = decode(AUTHN, 'TokenRequest', [
      [2, [[3, [[1, 'Pod'], [2, 'v1'], [3, 'p'], [4, 'uid-1']]]]],
      [3, [[1, 'eyJhbGciOi.token'], [2, [[1, 1_700_000_000]]]]],
    ]);
    assert.deepEqual(issued.object['spec'], { audiences: null, expirationSeconds: null, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'uid-1' } });
    assert.deepEqual(issued.object['status'], { token: 'eyJhbGciOi.token', expirationTimestamp: '2023-11-14T22:13:20Z' });
  });

  it('decodes a TokenReview: spec.token, and status.user with extra as lists', () => {
    const decoded = decode(AUTHN, 'TokenReview', [
      meta(''), [2, [[1, 'the-token'], [2, 'api']]],
      [3, [[1, true], [2, [[1, 'system:serviceaccount:ns:sa'], [2, 'u1'], [3, 'g1'], [4, [[1, 'scopes'], [2, [[1, 'a'], [1, 'b']]]]]]], [3, '']]],
    ]);
    assert.equal(decoded.complete, true);
    assert.deepEqual(decoded.object['spec'], { token: 'the-token', audiences: ['api'] });
    assert.deepEqual(decoded.object['status'], {
      authenticated: true, user: { username: 'system:serviceaccount:ns:sa', uid: 'u1', groups: ['g1'], extra: { scopes: ['a', 'b'] } },
    });
    // A plain bool with omitempty: false is left out.
    const denied = decode(AUTHN, 'TokenReview', [[2, [[1, 't']]], [3, [[1, false], [2, []]]]]);
    assert.deepEqual(denied.object['status'], { user: {} });
  });

  it('decodes a CertificateSigningRequest: request as base64, signer, usages, requester, status', () => {
    const pem = Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n');
    const decoded = decode('certificates.k8s.io/v1', 'CertificateSigningRequest', [
      meta('csr'),
      [2, [[1, pem], [2, 'alice'], [3, ''], [4, 'system:masters'], [5, 'client auth'], ...mapEntries(6, {}), [7, 'kubernetes.io/kube-apiserver-client'], [8, 600],
        [6, [[1, 'k'], [2, [[1, 'v']]]]]]],
      [3, [[1, [[1, 'Approved'], [6, 'True'], [2, 'AutoApproved'], [3, 'ok'], [4, [[1, 1_700_000_000]]], [5, [[1, 0]]]]], [2, Buffer.from([1, 2, 3])]]],
    ]);
    assert.equal(decoded.complete, true);
    assert.deepEqual(decoded.object['spec'], {
      request: pem.toString('base64'), username: 'alice', groups: ['system:masters'], usages: ['client auth'],
      signerName: 'kubernetes.io/kube-apiserver-client', expirationSeconds: 600, extra: { k: ['v'] },
    });
    assert.deepEqual(decoded.object['status'], {
      conditions: [{ type: 'Approved', status: 'True', reason: 'AutoApproved', message: 'ok', lastUpdateTime: '2023-11-14T22:13:20Z' }],
      certificate: 'AQID',
    });
    const empty = decode('certificates.k8s.io/v1', 'CertificateSigningRequest', [[2, [[7, '']]]]);
    assert.deepEqual(empty.object['spec'], { request: null, signerName: '' });
  });

  it('decodes a ServiceAccount and a Namespace completely', () => {
    const sa = decode('v1', 'ServiceAccount', [meta('sa', 'ns'), [2, [[1, 'Secret'], [3, 'tok'], [7, '']]], [3, [[1, 'pull']]], [4, false]]);
    assert.equal(sa.complete, true);
    assert.deepEqual(sa.object, {
      apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa', namespace: 'ns' },
      secrets: [{ kind: 'Secret', name: 'tok' }], imagePullSecrets: [{ name: 'pull' }], automountServiceAccountToken: false,
    });
    const ns = decode('v1', 'Namespace', [meta('team'), [2, [[1, 'kubernetes']]], [3, [[1, 'Active'], [2, [[1, 'X'], [2, 'False'], [5, 'r']]]]]]);
    assert.equal(ns.complete, true);
    assert.deepEqual(ns.object, {
      apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' },
      spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active', conditions: [{ type: 'X', status: 'False', reason: 'r' }] },
    });
  });

  it('decodes DeleteOptions in whatever group version a typed client sends them', () => {
    for (const apiVersion of ['v1', 'apps/v1', 'meta.k8s.io/v1']) {
      const decoded = decode(apiVersion, 'DeleteOptions', [[1, 0], [2, [[1, 'uid-1']]], [4, 'Foreground'], [5, 'All']]);
      assert.equal(decoded.complete, true, apiVersion);
      assert.deepEqual(decoded.object, {
        apiVersion, kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: 'uid-1' }, propagationPolicy: 'Foreground', dryRun: ['All'],
      });
    }
  });
});

describe('decodeKubernetesProtobuf: admission webhooks and workload authority', () => {
  const ADM = 'admissionregistration.k8s.io/v1';
  const webhook = (selectorField: number, extra: readonly ProtoField[]): ProtoField => [2, [
    [1, 'guard.example.com'],
    [2, [[1, [[1, 'sys'], [2, 'guard'], [3, '/validate'], [4, 443]]], [2, Buffer.from('CA')]]],
    [3, [[1, 'CREATE'], [1, 'UPDATE'], [2, [[1, ''], [2, 'v1'], [3, 'pods'], [4, '*']]]]],
    [4, 'Ignore'], [9, 'Equivalent'], [5, [...mapEntries(1, { env: 'prod' })]], [selectorField, []], [6, 'None'], [7, 5], [8, 'v1'],
    ...extra,
  ]];

  it('decodes a ValidatingWebhookConfiguration: names, clientConfig, rules (inlined Rule), failurePolicy', () => {
    const decoded = decode(ADM, 'ValidatingWebhookConfiguration', [meta('guard'), webhook(10, [[11, [[1, 'c'], [2, 'true']]]]),
      [2, [[1, 'url.example.com'], [2, [[3, 'https://hook.example.com/x']]], [8, 'v1']]]]);
    assert.equal(decoded.complete, true);
    assert.deepEqual(decoded.object['webhooks'], [
      {
        name: 'guard.example.com',
        clientConfig: { service: { namespace: 'sys', name: 'guard', path: '/validate', port: 443 }, caBundle: 'Q0E=' },
        rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: '*' }],
        failurePolicy: 'Ignore', matchPolicy: 'Equivalent', namespaceSelector: { matchLabels: { env: 'prod' } }, objectSelector: {},
        sideEffects: 'None', timeoutSeconds: 5, admissionReviewVersions: ['v1'], matchConditions: [{ name: 'c', expression: 'true' }],
      },
      { name: 'url.example.com', clientConfig: { url: 'https://hook.example.com/x' }, sideEffects: null, admissionReviewVersions: ['v1'] },
    ]);
  });

  it('decodes a MutatingWebhookConfiguration, whose objectSelector and matchConditions have other numbers', () => {
    const decoded = decode(ADM, 'MutatingWebhookConfiguration', [meta('m'), webhook(11, [[10, 'IfNeeded'], [12, [[1, 'c'], [2, 'x']]]])]);
    assert.equal(decoded.complete, true);
    const [hook] = decoded.object['webhooks'] as Array<Record<string, unknown>>;
    assert.deepEqual(hook?.['objectSelector'], {});
    assert.equal(hook?.['reinvocationPolicy'], 'IfNeeded');
    assert.deepEqual(hook?.['matchConditions'], [{ name: 'c', expression: 'x' }]);
  });

  it('decodes the service account, host namespaces and container privilege of a pod spec', () => {
    const container: ProtoField[] = [[1, 'c'], [2, 'img'], [15, [[1, [[1, 'SYS_ADMIN']]], [2, true], [4, 0], [7, true]]]];
    const decoded = decode('apps/v1', 'Deployment', [[2, [[3, [[2, [[2, container], [8, 'builder'], [9, 'builder'], [21, true], [11, true], [12, false], [13, false], [10, 'n1']]]]]]]]);
    assert.equal(decoded.complete, false);
    assert.deepEqual(decoded.object['spec'], { template: { spec: {
      containers: [{ name: 'c', image: 'img', securityContext: { capabilities: { add: ['SYS_ADMIN'] }, privileged: true, runAsUser: 0, allowPrivilegeEscalation: true } }],
      serviceAccountName: 'builder', serviceAccount: 'builder', automountServiceAccountToken: true, hostNetwork: true, nodeName: 'n1',
    } } });
  });
});

describe('decodeKubernetesProtobuf: truncated authority bodies', () => {
  it('never throws on, and never calls complete, any truncation of a binding, a token request or a webhook configuration', () => {
    const bodies = [
      kubernetesEnvelope(RBAC, 'ClusterRoleBinding', encodeMessage([meta('x'), [2, [[1, 'User'], [3, 'a']]], [3, [[1, 'g'], [2, 'ClusterRole'], [3, 'admin']]]])),
      kubernetesEnvelope('authentication.k8s.io/v1', 'TokenRequest', encodeMessage([meta('sa', 'ns'), [2, [[1, 'a'], [4, 60]]], [3, [[1, 'tok']]]])),
      kubernetesEnvelope('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', encodeMessage([meta('v'), [2, [[1, 'h'], [2, [[3, 'https://x']]], [6, 'None']]]])),
    ];
    for (const body of bodies) {
      assert.equal(decodeKubernetesProtobuf(body)?.complete, true);
      for (let n = 0; n < body.length; n++) assert.notEqual(decodeKubernetesProtobuf(body.subarray(0, n))?.complete, true, `truncated at ${n}`);
    }
  });
});
