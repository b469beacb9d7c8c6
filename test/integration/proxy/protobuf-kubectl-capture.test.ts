import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectl, readKubeCredentials, readStackEnv, uniqueName } from '@auditgate/shared/testing';
import { startCaptureServer, writeCaptureKubeconfig, type CaptureServer, type CapturedRequest } from './support/capture-server.js';
import { decodeKubernetesProtobuf } from '../../../services/proxy/src/protobuf/decode-kubernetes-protobuf.js';

const PROTOBUF = 'application/vnd.kubernetes.protobuf';

type Containers = Array<Record<string, unknown>>;
interface Templated { spec: { template: { metadata?: unknown; spec: { containers: Containers } } } }

describe('real kubectl v1.36 write bodies, captured on the way to the real API server', () => {
  const stack = readStackEnv(process.env);
  const creds = readKubeCredentials(stack);
  const dir = mkdtempSync(join(tmpdir(), 'kubectl-capture-'));
  let capture: CaptureServer;
  let kubeconfig: string;

  before(async () => {
    capture = await startCaptureServer({ url: stack.kubeApiserverUrl, token: creds.adminToken, ca: creds.ca });
    kubeconfig = writeCaptureKubeconfig(dir, capture.url, 'default');
  });
  after(async () => {
    await capture.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(args: readonly string[], input?: string): Promise<CapturedRequest> {
    const before = capture.captured.length;
    await kubectl(stack, kubeconfig, ['--cache-dir', join(dir, 'cache'), ...args], input);
    const writes = capture.captured.slice(before);
    assert.equal(writes.length, 1, `one write expected, got ${writes.map((w) => `${w.method} ${w.url}`).join(', ')}`);
    return writes[0]!;
  }

  /** The containers as the gateway would see them: decoded from protobuf, or parsed when kubectl sent JSON. */
  function containersOf(write: CapturedRequest, pick: (object: Record<string, unknown>) => Containers): Containers {
    if (write.contentType === PROTOBUF) return pick(decodeProtobuf(write).object);
    assert.equal(write.contentType, 'application/json');
    assert.equal(decodeKubernetesProtobuf(write.body), undefined);
    return pick(JSON.parse(write.body.toString('utf8')) as Record<string, unknown>);
  }

  function decodeProtobuf(write: CapturedRequest) {
    assert.equal(write.contentType, PROTOBUF, `kubectl sent ${write.contentType}`);
    const decoded = decodeKubernetesProtobuf(write.body);
    assert.ok(decoded !== undefined);
    return decoded;
  }

  it('create secret generic: protobuf v1 Secret, data as the API server reads it', async () => {
    const name = uniqueName('db');
    const write = await run(['create', 'secret', 'generic', name, '-n', 'default', '--from-literal=password=s3cr3t', '--dry-run=server', '-o', 'json']);
    assert.equal(write.method, 'POST');
    const decoded = decodeProtobuf(write);
    assert.equal(decoded.kind, 'Secret');
    assert.equal(decoded.complete, true);
    assert.deepEqual(decoded.object['metadata'], { name, namespace: 'default' });
    assert.deepEqual(decoded.object['data'], { password: Buffer.from('s3cr3t').toString('base64') });
    assert.deepEqual(decoded.object['data'], write.serverView?.['data']);
  });

  it('create configmap: protobuf v1 ConfigMap with data and binaryData', async () => {
    const blob = join(dir, 'blob.bin');
    writeFileSync(blob, Buffer.from([0xff, 0x00, 0xfe]));
    const write = await run(['create', 'configmap', uniqueName('cfg'), '-n', 'default', '--from-literal=mode=fast', `--from-file=blob=${blob}`, '--dry-run=server', '-o', 'json']);
    const decoded = decodeProtobuf(write);
    assert.equal(decoded.complete, true);
    assert.deepEqual(decoded.object['data'], { mode: 'fast' });
    assert.deepEqual(decoded.object['binaryData'], { blob: '/wD+' });
    assert.deepEqual(decoded.object['binaryData'], write.serverView?.['binaryData']);
  });

  it('create deployment: protobuf apps/v1 Deployment with its container', async () => {
    const name = uniqueName('web');
    const write = await run(['create', 'deployment', name, '--image=nginx', '-n', 'default', '--dry-run=server', '-o', 'json']);
    const decoded = decodeProtobuf(write);
    assert.equal(decoded.kind, 'Deployment');
    assert.equal(decoded.complete, false);
    const spec = (decoded.object as unknown as Templated).spec;
    assert.deepEqual(spec.template.spec.containers, [{ name: 'nginx', image: 'nginx' }]);
    assert.deepEqual(spec.template.metadata, { labels: { app: name } });
  });

  it('create cronjob: protobuf batch/v1 CronJob, container command through jobTemplate → spec → template', async () => {
    const write = await run(['create', 'cronjob', uniqueName('tick'), '--image=busybox', '--schedule=* * * * *', '-n', 'default', '--dry-run=server', '-o', 'json', '--', 'echo', 'hi']);
    const decoded = decodeProtobuf(write);
    const jobTemplate = (decoded.object['spec'] as { jobTemplate: Templated }).jobTemplate;
    const serverContainer = (write.serverView?.['spec'] as { jobTemplate: Templated }).jobTemplate.spec.template.spec.containers[0];
    assert.deepEqual(jobTemplate.spec.template.spec.containers, [{ name: serverContainer?.['name'], image: 'busybox', command: ['echo', 'hi'] }]);
  });

  it('run: reports the content type kubectl uses for a Pod, decodes env when protobuf', async () => {
    const write = await run(['run', uniqueName('p'), '--image=busybox', '--env=TOKEN=abc', '-n', 'default', '--dry-run=server', '-o', 'json']);
    const serverEnv = (write.serverView?.['spec'] as { containers: Containers }).containers[0]?.['env'];
    assert.deepEqual(serverEnv, [{ name: 'TOKEN', value: 'abc' }]);
    assert.deepEqual(containersOf(write, (o) => (o['spec'] as { containers: Containers }).containers)[0]?.['env'], serverEnv);
    process.stdout.write(`# kubectl run sent Content-Type: ${write.contentType}\n`);
  });

  it('create -f (stdin manifest): reports the content type kubectl uses, decodes env when protobuf', async () => {
    const manifest = JSON.stringify({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: uniqueName('envy'), namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'envy' } },
        template: { metadata: { labels: { app: 'envy' } }, spec: { containers: [{
          name: 'app', image: 'nginx',
          env: [
            { name: 'PLAIN', value: 'hello' },
            { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
            { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode', optional: true } } },
          ],
        }] } },
      },
    });
    const write = await run(['create', '-f', '-', '--dry-run=server', '-o', 'json'], manifest);
    const serverEnv = (write.serverView as unknown as Templated).spec.template.spec.containers[0]?.['env'];
    assert.deepEqual(containersOf(write, (o) => (o as unknown as Templated).spec.template.spec.containers)[0]?.['env'], serverEnv);
    process.stdout.write(`# kubectl create -f sent Content-Type: ${write.contentType}\n`);
  });
});
