import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { kubectl, readKubeCredentials, readStackEnv, uniqueName } from '@auditgate/shared/testing';
import { decodeKubernetesProtobuf } from '../../../services/proxy/src/protobuf/decode-kubernetes-protobuf.js';

type Json = Record<string, unknown>;

const containerFields = ['name', 'image', 'command', 'args', 'env', 'envFrom'] as const;

/** The fields the decoder keeps from a container, taken from the API server's JSON. */
function projectContainers(containers: unknown): Json[] {
  return (containers as Json[]).map((c) => Object.fromEntries(containerFields.filter((f) => c[f] !== undefined).map((f) => [f, c[f]])));
}

const env = [
  { name: 'PLAIN', value: 'hello' },
  { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
  { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode', optional: true } } },
];
const podSpec = {
  initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c'], args: ['true'] }],
  containers: [{ name: 'app', image: 'nginx', env, envFrom: [{ prefix: 'S_', secretRef: { name: 'db' } }] }],
};
const template = { metadata: { labels: { app: 'oracle' } }, spec: podSpec };
const selector = { matchLabels: { app: 'oracle' } };

/** Manifests of every kind the decoder knows, each with a path from the object to its PodSpec. */
const manifests: Array<{ kind: string; apiVersion: string; resource: string; body: Json; podSpec?: (o: Json) => Json }> = [
  { apiVersion: 'v1', kind: 'Secret', resource: 'secrets', body: { data: { password: 'czNjcjN0' }, stringData: { extra: 'x' }, type: 'Opaque', immutable: true } },
  { apiVersion: 'v1', kind: 'ConfigMap', resource: 'configmaps', body: { data: { mode: 'fast' }, binaryData: { blob: '/wD+' } } },
  { apiVersion: 'v1', kind: 'Pod', resource: 'pods', body: { spec: podSpec }, podSpec: (o) => o['spec'] as Json },
  { apiVersion: 'v1', kind: 'PodTemplate', resource: 'podtemplates', body: { template }, podSpec: (o) => (o['template'] as Json)['spec'] as Json },
  { apiVersion: 'v1', kind: 'ReplicationController', resource: 'replicationcontrollers', body: { spec: { replicas: 0, selector: { app: 'oracle' }, template } }, podSpec: (o) => tpl(o['spec']) },
  { apiVersion: 'apps/v1', kind: 'Deployment', resource: 'deployments', body: { spec: { replicas: 0, selector, template } }, podSpec: (o) => tpl(o['spec']) },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', resource: 'statefulsets', body: { spec: { replicas: 0, selector, template, serviceName: 's' } }, podSpec: (o) => tpl(o['spec']) },
  { apiVersion: 'apps/v1', kind: 'ReplicaSet', resource: 'replicasets', body: { spec: { replicas: 0, selector, template } }, podSpec: (o) => tpl(o['spec']) },
  { apiVersion: 'apps/v1', kind: 'DaemonSet', resource: 'daemonsets', body: { spec: { selector, template } }, podSpec: (o) => tpl(o['spec']) },
  { apiVersion: 'batch/v1', kind: 'Job', resource: 'jobs', body: { spec: { suspend: true, template: { ...template, spec: { ...podSpec, restartPolicy: 'Never' } } } }, podSpec: (o) => tpl(o['spec']) },
  {
    apiVersion: 'batch/v1', kind: 'CronJob', resource: 'cronjobs',
    body: { spec: { schedule: '0 0 1 1 *', suspend: true, jobTemplate: { spec: { template: { ...template, spec: { ...podSpec, restartPolicy: 'Never' } } } } } },
    podSpec: (o) => tpl(((o['spec'] as Json)['jobTemplate'] as Json)['spec']),
  },
];

function tpl(spec: unknown): Json {
  return ((spec as Json)['template'] as Json)['spec'] as Json;
}

describe('decoder against the real API server\'s own protobuf encoding of stored objects', () => {
  const stack = readStackEnv(process.env);
  const creds = readKubeCredentials(stack);
  const namespace = uniqueName('pb-oracle');

  function get(path: string, accept: string): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, stack.kubeApiserverUrl), { ca: creds.ca, headers: { accept, authorization: `Bearer ${creds.adminToken}` } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`GET ${path}: ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end();
    });
  }

  before(async () => {
    const items = manifests.map((m) => ({
      apiVersion: m.apiVersion, kind: m.kind,
      // The bare Pod must not match the controllers' selector, or the zero-replica ones delete it.
      metadata: { name: 'oracle', namespace, labels: { app: m.kind === 'Pod' ? 'alone' : 'oracle' }, annotations: { note: 'n' } },
      ...m.body,
    }));
    await kubectl(stack, creds.adminKubeconfig, ['create', 'namespace', namespace]);
    await kubectl(stack, creds.adminKubeconfig, ['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  });
  after(async () => {
    await kubectl(stack, creds.adminKubeconfig, ['delete', 'namespace', namespace, '--wait=false']);
  });

  for (const m of manifests) {
    it(`${m.apiVersion} ${m.kind}`, async () => {
      const prefix = m.apiVersion === 'v1' ? '/api/v1' : `/apis/${m.apiVersion}`;
      const path = `${prefix}/namespaces/${namespace}/${m.resource}/oracle`;
      // Controllers may update the object between the two reads: retry until both show the same resourceVersion.
      let json: Json = {};
      let decoded: ReturnType<typeof decodeKubernetesProtobuf>;
      for (let attempt = 0; attempt < 10; attempt++) {
        json = JSON.parse((await get(path, 'application/json')).toString('utf8')) as Json;
        decoded = decodeKubernetesProtobuf(await get(path, 'application/vnd.kubernetes.protobuf'));
        const rv = (o: Json | undefined): unknown => (o?.['metadata'] as Json | undefined)?.['resourceVersion'];
        if (rv(decoded?.object) === rv(json)) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.ok(decoded !== undefined);
      assert.equal(decoded.apiVersion, m.apiVersion);
      assert.equal(decoded.kind, m.kind);
      // Full metadata, managedFields and timestamps included, exactly as the server's JSON has it.
      assert.deepEqual(decoded.object['metadata'], json['metadata']);
      if (m.podSpec === undefined) {
        assert.equal(decoded.complete, true);
        assert.deepEqual(decoded.object, json);
        return;
      }
      assert.equal(decoded.complete, false);
      const want = m.podSpec(json);
      const got = m.podSpec(decoded.object);
      assert.deepEqual(got['containers'], projectContainers(want['containers']));
      assert.deepEqual(got['initContainers'], projectContainers(want['initContainers']));
    });
  }
});
