import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { kubectl, readKubeCredentials, readStackEnv, uniqueName } from '@auditgate/shared/testing';
import { decodeKubernetesProtobuf } from '../../../services/proxy/src/protobuf/decode-kubernetes-protobuf.js';

type Json = Record<string, unknown>;
const PROTOBUF = 'application/vnd.kubernetes.protobuf';

// A real P-256 certificate signing request (CN=oracle), for the API server's CSR validation.
const CSR_PEM = [
  '-----BEGIN CERTIFICATE REQUEST-----',
  'MIHgMIGHAgEAMCUxDzANBgNVBAMMBm9yYWNsZTESMBAGA1UECgwJYXVkaXRnYXRl',
  'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEiRroBWe7zN6yUyEaCMh6sIyewQLN',
  'KgDIy6n6m9UtWh739hAcPQxtD/7U3jD4ZH72d1bZMWRIshcl1qTMqNsAfKAAMAoG',
  'CCqGSM49BAMCA0gAMEUCIEmH+0EEx/kXmTQ4lkjA5c78JK5ppRnBBV3kAxvwjlLJ',
  'AiEA1FRWzx7PFcIuztQxYQjmAjxQa4pA+5uSCUK+V6xLNPU=',
  '-----END CERTIFICATE REQUEST-----', '',
].join('\n');

describe('decoder against the real API server\'s protobuf for the kinds that grant authority (every field, exactly its JSON)', () => {
  const stack = readStackEnv(process.env);
  const creds = readKubeCredentials(stack);
  const ns = uniqueName('pb-authority');
  const name = uniqueName('oracle');
  const never = { matchLabels: { 'auditgate.test/never': name } };
  const webhook = {
    failurePolicy: 'Ignore', matchPolicy: 'Equivalent', sideEffects: 'None', timeoutSeconds: 3, admissionReviewVersions: ['v1'],
    namespaceSelector: never, objectSelector: never,
    rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'], scope: 'Namespaced' }],
    matchConditions: [{ name: 'always', expression: 'true' }],
  };
  // [path, manifest]: each object is created, then read back as JSON and as protobuf.
  const objects: Array<[string, Json]> = [
    [`/api/v1/namespaces/${ns}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: 'a' } } }],
    [`/api/v1/namespaces/${ns}/serviceaccounts/builder`, {
      apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder', namespace: ns },
      secrets: [{ name: 'old-token' }], imagePullSecrets: [{ name: 'pull' }], automountServiceAccountToken: false,
    }],
    [`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles/reader`, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader', namespace: ns },
      rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'], resourceNames: ['db'] }],
    }],
    [`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings/reader`, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'reader', namespace: ns },
      subjects: [{ kind: 'ServiceAccount', name: 'builder', namespace: ns }, { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
    }],
    [`/apis/rbac.authorization.k8s.io/v1/clusterroles/${name}`, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels: { [`auditgate.test/${name}`]: 'true' } },
      rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['get'], nonResourceURLs: ['/metrics'] }],
    }],
    [`/apis/rbac.authorization.k8s.io/v1/clusterroles/${name}-agg`, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: `${name}-agg` },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [`auditgate.test/${name}`]: 'true' }, matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] }] },
    }],
    [`/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${name}`, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name },
      subjects: [{ kind: 'ServiceAccount', name: 'builder', namespace: ns }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    }],
    [`/apis/certificates.k8s.io/v1/certificatesigningrequests/${name}`, {
      apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name },
      spec: { request: Buffer.from(CSR_PEM).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], expirationSeconds: 3600 },
    }],
    [`/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${name}`, {
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name },
      webhooks: [
        { name: 'svc.auditgate.test', clientConfig: { service: { namespace: ns, name: 'guard', path: '/v', port: 8443 }, caBundle: 'Q0E=' }, ...webhook },
        { name: 'url.auditgate.test', clientConfig: { url: 'https://127.0.0.1:1/v' }, ...webhook },
      ],
    }],
    [`/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${name}`, {
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name },
      webhooks: [{ name: 'm.auditgate.test', clientConfig: { url: 'https://127.0.0.1:1/m' }, reinvocationPolicy: 'IfNeeded', ...webhook }],
    }],
  ];

  function call(method: string, path: string, accept: string, body?: Json): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = request(new URL(path, stack.kubeApiserverUrl), {
        method, ca: creds.ca,
        headers: { accept, authorization: `Bearer ${creds.adminToken}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const out = Buffer.concat(chunks);
          if ((res.statusCode ?? 500) < 300) resolve(out);
          else reject(new Error(`${method} ${path}: ${res.statusCode} ${out.toString('utf8').slice(0, 300)}`));
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** The same answer read as JSON and as protobuf, retried until both show the same resourceVersion. */
  async function both(read: (accept: string) => Promise<Buffer>): Promise<{ json: Json; decoded: NonNullable<ReturnType<typeof decodeKubernetesProtobuf>> }> {
    const rv = (o: Json | undefined): unknown => (o?.['metadata'] as Json | undefined)?.['resourceVersion'];
    for (let attempt = 0; ; attempt++) {
      const json = JSON.parse((await read('application/json')).toString('utf8')) as Json;
      const decoded = decodeKubernetesProtobuf(await read(PROTOBUF));
      assert.ok(decoded !== undefined);
      if (rv(decoded.object) === rv(json) || attempt === 10) return { json, decoded };
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  before(async () => {
    await kubectl(stack, creds.adminKubeconfig, ['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects.map(([, o]) => o) }));
  });
  after(async () => {
    for (const [path] of objects.slice(1).reverse()) await call('DELETE', path, 'application/json').catch(() => undefined);
    await call('DELETE', objects[0]![0], 'application/json');
  });

  for (const [path, manifest] of objects) {
    it(`${manifest['apiVersion'] as string} ${manifest['kind'] as string}${path.endsWith('-agg') ? ' (aggregated)' : ''}`, async () => {
      const { json, decoded } = await both((accept) => call('GET', path, accept));
      assert.equal(decoded.known, true);
      assert.equal(decoded.complete, true);
      assert.deepEqual(decoded.object, json);
    });
  }

  it('authentication.k8s.io/v1 TokenRequest (serviceaccounts/token): same spec, a token in status', async () => {
    const path = `/api/v1/namespaces/${ns}/serviceaccounts/builder/token`;
    const body = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: ['https://kubernetes.default.svc'], expirationSeconds: 600 } };
    const json = JSON.parse((await call('POST', path, 'application/json', body)).toString('utf8')) as Json;
    const decoded = decodeKubernetesProtobuf(await call('POST', path, PROTOBUF, body));
    assert.ok(decoded !== undefined);
    assert.equal(decoded.complete, true);
    const drop = (o: Json): Json => ({ ...o, status: Object.keys(o['status'] as Json).sort() });
    assert.deepEqual(drop(decoded.object), drop(json));
    assert.match((decoded.object['status'] as { token: string }).token, /^eyJ/);
  });

  it('authentication.k8s.io/v1 TokenReview, authorization.k8s.io/v1 SelfSubjectAccessReview, SelfSubjectRulesReview, SubjectAccessReview, authentication SelfSubjectReview', async () => {
    const token = JSON.parse((await call('POST', `/api/v1/namespaces/${ns}/serviceaccounts/builder/token`, 'application/json', {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [] },
    })).toString('utf8')) as { status: { token: string } };
    const reviews: Array<[string, Json]> = [
      ['/apis/authentication.k8s.io/v1/tokenreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: token.status.token } }],
      ['/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }],
      ['/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { namespace: ns, verb: 'get', resource: 'secrets', name: 'db', labelSelector: { rawSelector: 'a=b' } } },
      }],
      ['/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: ns } }],
      ['/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
        spec: { user: `system:serviceaccount:${ns}:builder`, groups: ['system:serviceaccounts'], extra: { k: ['v'] }, nonResourceAttributes: { path: '/metrics', verb: 'get' } },
      }],
    ];
    // The rules of a SelfSubjectRulesReview come in a different order on each call.
    const sortRules = (o: Json): Json => {
      const status = o['status'] as Record<string, unknown[] | undefined> | undefined;
      if (status === undefined) return o;
      const sorted = (list: unknown[] | undefined): unknown[] | undefined => list?.map((r) => JSON.stringify(r)).sort().map((r) => JSON.parse(r) as unknown);
      return { ...o, status: { ...status, resourceRules: sorted(status['resourceRules']), nonResourceRules: sorted(status['nonResourceRules']) } };
    };
    // Two calls may fall on either side of a second: managedFields times are not part of what is compared.
    const untimed = (o: Json): Json => {
      const metadata = o['metadata'] as { managedFields?: Array<Record<string, unknown>> } | undefined;
      if (metadata?.managedFields === undefined) return o;
      return { ...o, metadata: { ...metadata, managedFields: metadata.managedFields.map(({ time: _time, ...rest }) => rest) } };
    };
    for (const [path, body] of reviews) {
      const { json, decoded } = await both((accept) => call('POST', path, accept, body));
      assert.equal(decoded.complete, true, path);
      if (path.endsWith('selfsubjectrulesreviews')) assert.deepEqual(sortRules(untimed(decoded.object)), sortRules(untimed(json)), path);
      else assert.deepEqual(untimed(decoded.object), untimed(json), path);
    }
  });
});
