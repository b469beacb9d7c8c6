import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeKubernetesProtobuf } from './decode-kubernetes-protobuf.js';
import { encodeMessage, kubernetesEnvelope, mapEntries, type ProtoField } from './proto-encoder.test-helper.js';

// ObjectMeta as gogo/k8s marshals it: every non-pointer string written even when empty, creationTimestamp always present.
function objectMeta(name: string, namespace: string, more: readonly ProtoField[] = []): ProtoField[] {
  return [[1, name], [2, ''], [3, namespace], [4, ''], [5, ''], [6, ''], [7, 0], [8, [[1, 0], [2, 0]]], ...more];
}

function decode(apiVersion: string, kind: string, fields: readonly ProtoField[]) {
  const decoded = decodeKubernetesProtobuf(kubernetesEnvelope(apiVersion, kind, encodeMessage(fields)));
  assert.ok(decoded !== undefined);
  return decoded;
}

describe('decodeKubernetesProtobuf', () => {
  it('returns undefined for bodies that are not a Kubernetes protobuf envelope', () => {
    assert.equal(decodeKubernetesProtobuf(Buffer.from('{"kind":"Secret"}')), undefined);
    assert.equal(decodeKubernetesProtobuf(Buffer.from('k8s')), undefined);
    assert.equal(decodeKubernetesProtobuf(Buffer.from('k8s\0', 'latin1')), undefined);
  });

  it('decodes a v1 Secret completely, bytes as base64 and empty strings omitted as JSON omitempty does', () => {
    const decoded = decode('v1', 'Secret', [
      [1, objectMeta('db', 'default', [
        ...mapEntries(11, { app: 'web' }), ...mapEntries(12, { note: 'x' }),
        [13, [[1, 'Deployment'], [3, 'web'], [4, 'u-1'], [5, 'apps/v1'], [6, true], [7, false]]],
        [14, 'example.com/keep'], [8, [[1, 1_700_000_000], [2, 5]]], [7, 3],
      ])],
      ...mapEntries(2, { password: Buffer.from('s3cr3t'), empty: Buffer.alloc(0) }),
      [3, 'Opaque'], ...mapEntries(4, { token: 'plain' }), [5, true],
    ]);
    assert.equal(decoded.complete, true);
    assert.deepEqual(decoded.object, {
      apiVersion: 'v1', kind: 'Secret',
      metadata: {
        name: 'db', namespace: 'default', generation: 3, creationTimestamp: '2023-11-14T22:13:20Z',
        labels: { app: 'web' }, annotations: { note: 'x' }, finalizers: ['example.com/keep'],
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'u-1', controller: true, blockOwnerDeletion: false }],
      },
      data: { password: Buffer.from('s3cr3t').toString('base64'), empty: '' },
      stringData: { token: 'plain' }, type: 'Opaque', immutable: true,
    });
  });

  it('decodes a v1 ConfigMap completely', () => {
    const decoded = decode('v1', 'ConfigMap', [
      [1, objectMeta('cfg', 'ns1')], ...mapEntries(2, { 'app.conf': 'a=1' }), ...mapEntries(3, { blob: Buffer.from([0, 1, 255]) }), [4, false],
    ]);
    assert.equal(decoded.complete, true);
    assert.deepEqual(decoded.object, {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'ns1' },
      data: { 'app.conf': 'a=1' }, binaryData: { blob: 'AAH/' }, immutable: false,
    });
  });

  it('marks a Secret incomplete when it carries a field the schema does not know', () => {
    const decoded = decode('v1', 'Secret', [[1, objectMeta('db', 'default')], [99, 'future'], ...mapEntries(2, { k: Buffer.from('v') })]);
    assert.equal(decoded.complete, false);
    assert.deepEqual(decoded.object['data'], { k: 'dg==' });
  });

  it('decodes Deployment containers, init containers and env references, skipping other fields', () => {
    const container: ProtoField[] = [
      [1, 'app'], [2, 'nginx:1.27'], [3, 'sh'], [3, '-c'], [4, 'run'], [5, '/work'],
      [7, [[1, 'PLAIN'], [2, 'v']]],
      [7, [[1, 'DB_PASSWORD'], [2, ''], [3, [[4, [[1, [[1, 'db']]], [2, 'password'], [3, true]]]]]]],
      [7, [[1, 'MODE'], [3, [[3, [[1, [[1, 'cfg']]], [2, 'mode']]]]]]],
      [19, [[1, 'P_'], [3, [[1, [[1, 'bulk']]]]]]],
      [14, 'IfNotPresent'],
    ];
    const template: ProtoField[] = [[1, objectMeta('', '', mapEntries(11, { app: 'web' }))], [2, [[2, container], [20, [[1, 'init'], [2, 'busybox']]], [3, 'Always']]]];
    const decoded = decode('apps/v1', 'Deployment', [[1, objectMeta('web', 'default')], [2, [[1, 2], [3, template], [7, false]]]]);
    assert.equal(decoded.complete, false);
    assert.deepEqual(decoded.object, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
      spec: { template: { metadata: { labels: { app: 'web' } }, spec: {
        containers: [{
          name: 'app', image: 'nginx:1.27', command: ['sh', '-c'], args: ['run'],
          env: [
            { name: 'PLAIN', value: 'v' },
            { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password', optional: true } } },
            { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
          ],
          envFrom: [{ prefix: 'P_', secretRef: { name: 'bulk' } }],
        }],
        initContainers: [{ name: 'init', image: 'busybox' }],
      } } },
    });
  });

  it('follows each holder kind to its pod template (DaemonSet 2, Job 6, CronJob 5→2→6, Pod ephemeral containers)', () => {
    const podSpec: ProtoField[] = [[2, [[1, 'c'], [7, [[1, 'E'], [2, 'x']]]]]];
    const want = { containers: [{ name: 'c', env: [{ name: 'E', value: 'x' }] }] };
    const ds = decode('apps/v1', 'DaemonSet', [[2, [[2, [[2, podSpec]]]]]]);
    assert.deepEqual(ds.object['spec'], { template: { spec: want } });
    const job = decode('batch/v1', 'Job', [[2, [[6, [[2, podSpec]]]]]]);
    assert.deepEqual(job.object['spec'], { template: { spec: want } });
    const cron = decode('batch/v1', 'CronJob', [[2, [[1, '* * * * *'], [5, [[1, objectMeta('j', '')], [2, [[6, [[2, podSpec]]]]]]]]]]);
    assert.deepEqual(cron.object['spec'], { jobTemplate: { metadata: { name: 'j' }, spec: { template: { spec: want } } } });
    const rc = decode('v1', 'ReplicationController', [[2, [[3, [[2, podSpec]]]]]]);
    assert.deepEqual(rc.object['spec'], { template: { spec: want } });
    const pt = decode('v1', 'PodTemplate', [[2, [[2, podSpec]]]]);
    assert.deepEqual(pt.object['template'], { spec: want });
    const pod = decode('v1', 'Pod', [[2, [[34, [[1, [[1, 'debug'], [2, 'busybox'], [7, [[1, 'T'], [2, 'y']]]]], [2, 'c']]]]]]);
    assert.deepEqual(pod.object['spec'], { ephemeralContainers: [{ name: 'debug', image: 'busybox', env: [{ name: 'T', value: 'y' }], targetContainerName: 'c' }] });
  });

  it('decodes a Pod\'s volumes (hostPath, secret, configMap), host namespaces and container security context', () => {
    const decoded = decode('v1', 'Pod', [[1, objectMeta('p', 'ns')], [2, [
      [1, [[1, 'host'], [2, [[1, [[1, '/'], [2, 'Directory']]]]]]],
      [1, [[1, 'creds'], [2, [[6, [[1, 'db'], [3, 420]]]]]]],
      [1, [[1, 'cfg'], [2, [[19, [[1, [[1, 'app']]], [4, true]]]]]]],
      [1, [[1, 'scratch'], [2, [[2, []]]]]],
      [1, [[1, 'sock'], [2, [[1, [[1, '/run/containerd/containerd.sock'], [2, '']]]]]]],
      [2, [[1, 'c'], [2, 'busybox'], [15, [[1, [[1, 'SYS_ADMIN'], [2, 'ALL']]], [2, false], [4, 0], [5, false], [7, true], [8, 0], [9, 'Unmasked']]]]],
      [11, true], [12, true], [13, false], [3, 'Always'],
    ]]]);
    assert.equal(decoded.complete, false);
    assert.deepEqual(decoded.object['spec'], {
      volumes: [
        { name: 'host', hostPath: { path: '/', type: 'Directory' } },
        { name: 'creds', secret: { secretName: 'db' } },
        { name: 'cfg', configMap: { name: 'app', optional: true } },
        { name: 'scratch' },
        { name: 'sock', hostPath: { path: '/run/containerd/containerd.sock', type: '' } },
      ],
      containers: [{ name: 'c', image: 'busybox', securityContext: {
        capabilities: { add: ['SYS_ADMIN'], drop: ['ALL'] }, privileged: false, runAsUser: 0, runAsNonRoot: false,
        allowPrivilegeEscalation: true, runAsGroup: 0, procMount: 'Unmasked',
      } }],
      hostNetwork: true, hostPID: true,
    });
  });

  it('decodes only metadata for other kinds, and nothing for lists', () => {
    const svc = decode('v1', 'Service', [[1, objectMeta('svc', 'default')], [2, [[1, 'junk']]]]);
    assert.equal(svc.complete, false);
    assert.deepEqual(svc.object, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: 'default' } });
    const list = decode('v1', 'SecretList', [[1, [[1, 'selfLink'], [2, '7']]]]);
    assert.deepEqual(list.object, { apiVersion: 'v1', kind: 'SecretList' });
  });

  it('decodes raw bytes whatever content encoding or type the envelope claims, as the API server does, but not as complete', () => {
    for (const extra of [[[3, 'gzip']], [[4, 'application/json']]] as const) {
      const body = kubernetesEnvelope('v1', 'Secret', encodeMessage([[1, objectMeta('db', '')], ...mapEntries(2, { k: Buffer.from('v') })]), extra);
      assert.deepEqual(decodeKubernetesProtobuf(body), {
        apiVersion: 'v1', kind: 'Secret', object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, data: { k: 'dg==' } },
        complete: false, known: true,
      });
    }
  });

  it('keeps a `__proto__` map key as plain data and merges a repeated singular message', () => {
    const decoded = decode('v1', 'Secret', [[1, [[1, 'a']]], [1, [[3, 'ns']]], ...mapEntries(2, { ['__proto__']: Buffer.from('x') })]);
    const data = decoded.object['data'] as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
    assert.deepEqual(Object.keys(data), ['__proto__']);
    assert.deepEqual(decoded.object['metadata'], { name: 'a', namespace: 'ns' });
  });

  it('stops keeping items past maxItems and reports the view incomplete', () => {
    const entries: Record<string, Buffer> = {};
    for (let i = 0; i < 50; i++) entries[`k${i}`] = Buffer.from('v');
    const body = kubernetesEnvelope('v1', 'Secret', encodeMessage([...mapEntries(2, entries), [3, 'Opaque']]));
    const decoded = decodeKubernetesProtobuf(body, { maxItems: 10 });
    assert.equal(decoded?.complete, false);
    assert.equal(Object.keys(decoded?.object['data'] as object).length, 10);
    assert.equal(decoded?.object['type'], 'Opaque');
  });
});
