import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectl, readKubeCredentials, readStackEnv, uniqueName } from '@auditgate/shared/testing';
import { startCaptureServer, writeCaptureKubeconfig, type CaptureServer, type CapturedRequest } from './support/capture-server.js';
import { decodeKubernetesProtobuf, type DecodedProtobufObject } from '../../../services/proxy/src/protobuf/decode-kubernetes-protobuf.js';

const PROTOBUF = 'application/vnd.kubernetes.protobuf';

describe('real kubectl v1.36 writes that grant authority, captured on the way to the real API server', () => {
  const stack = readStackEnv(process.env);
  const creds = readKubeCredentials(stack);
  const dir = mkdtempSync(join(tmpdir(), 'kubectl-capture-authority-'));
  const ns = uniqueName('capture-authority');
  let capture: CaptureServer;
  let kubeconfig: string;

  before(async () => {
    await kubectl(stack, creds.adminKubeconfig, ['create', 'namespace', ns]);
    await kubectl(stack, creds.adminKubeconfig, ['create', 'serviceaccount', 'agent', '-n', ns]);
    capture = await startCaptureServer({ url: stack.kubeApiserverUrl, token: creds.adminToken, ca: creds.ca });
    kubeconfig = writeCaptureKubeconfig(dir, capture.url, ns);
  });
  after(async () => {
    await capture.close();
    await kubectl(stack, creds.adminKubeconfig, ['delete', 'namespace', ns, '--wait=false']);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs kubectl through the capture server; returns its only write, which must be protobuf, decoded. */
  async function capturedWrite(args: readonly string[]): Promise<{ write: CapturedRequest; decoded: DecodedProtobufObject; out: string }> {
    const before = capture.captured.length;
    const out = await kubectl(stack, kubeconfig, ['--cache-dir', join(dir, 'cache'), ...args]);
    const writes = capture.captured.slice(before);
    assert.equal(writes.length, 1, `one write expected, got ${writes.map((w) => `${w.method} ${w.url}`).join(', ')}`);
    const write = writes[0]!;
    assert.equal(write.contentType, PROTOBUF, `kubectl sent ${write.contentType}`);
    const decoded = decodeKubernetesProtobuf(write.body);
    assert.ok(decoded !== undefined);
    assert.equal(decoded.known, true);
    assert.equal(decoded.complete, true);
    return { write, decoded, out };
  }

  it('create clusterrolebinding --clusterrole=cluster-admin --serviceaccount: roleRef and subjects as the API server reads them', async () => {
    const name = uniqueName('crb');
    const { write, decoded } = await capturedWrite(['create', 'clusterrolebinding', name, '--clusterrole=cluster-admin', `--serviceaccount=${ns}:agent`, '--dry-run=server', '-o', 'json']);
    assert.equal(write.method, 'POST');
    assert.equal(decoded.kind, 'ClusterRoleBinding');
    assert.deepEqual(decoded.object['roleRef'], { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' });
    assert.deepEqual(decoded.object['subjects'], [{ kind: 'ServiceAccount', name: 'agent', namespace: ns }]);
    assert.deepEqual(decoded.object['roleRef'], write.serverView?.['roleRef']);
    assert.deepEqual(decoded.object['subjects'], write.serverView?.['subjects']);
  });

  it('create rolebinding --role --user --group: roleRef and subjects', async () => {
    const { write, decoded } = await capturedWrite(['create', 'rolebinding', uniqueName('rb'), '--role=reader', '--user=alice', '--group=devs', '--dry-run=server', '-o', 'json']);
    assert.equal(decoded.kind, 'RoleBinding');
    assert.deepEqual(decoded.object['roleRef'], { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' });
    assert.deepEqual(decoded.object['subjects'], write.serverView?.['subjects']);
    assert.equal((decoded.object['subjects'] as unknown[]).length, 2);
  });

  it('create role --verb=get --resource=secrets: rules', async () => {
    const { write, decoded } = await capturedWrite(['create', 'role', uniqueName('r'), '--verb=get', '--resource=secrets', '--resource-name=db', '--dry-run=server', '-o', 'json']);
    assert.equal(decoded.kind, 'Role');
    assert.deepEqual(decoded.object['rules'], [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['db'] }]);
    assert.deepEqual(decoded.object['rules'], write.serverView?.['rules']);
  });

  it('create clusterrole: rules with non-resource URLs, and an aggregation rule', async () => {
    const { write, decoded } = await capturedWrite(['create', 'clusterrole', uniqueName('cr'), '--verb=*', '--resource=*.*', '--non-resource-url=/logs/*', '--dry-run=server', '-o', 'json']);
    assert.equal(decoded.kind, 'ClusterRole');
    assert.deepEqual(decoded.object['rules'], write.serverView?.['rules']);
    const agg = await capturedWrite(['create', 'clusterrole', uniqueName('agg'), '--aggregation-rule=rbac.example.com/aggregate=true', '--dry-run=server', '-o', 'json']);
    assert.deepEqual(agg.decoded.object['aggregationRule'], { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate': 'true' } }] });
    assert.deepEqual(agg.decoded.object['aggregationRule'], agg.write.serverView?.['aggregationRule']);
  });

  it('create token: protobuf TokenRequest to serviceaccounts/token, its spec as the API server reads it', async () => {
    const { write, decoded, out } = await capturedWrite(['create', 'token', 'agent', '--duration=10m', '--audience=https://vault.example.com']);
    assert.equal(write.method, 'POST');
    assert.match(write.url, new RegExp(`^/api/v1/namespaces/${ns}/serviceaccounts/agent/token`));
    assert.equal(decoded.kind, 'TokenRequest');
    assert.deepEqual(decoded.object['spec'], { audiences: ['https://vault.example.com'], expirationSeconds: 600, boundObjectRef: null });
    assert.deepEqual(decoded.object['spec'], write.serverView?.['spec']);
    // The answer carries the bearer token: masking must cover status.token (see masking/).
    assert.match(out.trim(), /^eyJ/);
    assert.equal(typeof (write.serverView?.['status'] as { token?: unknown } | undefined)?.token, 'string');
  });

  it('auth can-i: protobuf SelfSubjectAccessReview, and SelfSubjectRulesReview for --list', async () => {
    const { write, decoded } = await capturedWrite(['auth', 'can-i', 'get', 'secrets/db']);
    assert.equal(decoded.kind, 'SelfSubjectAccessReview');
    assert.deepEqual(decoded.object['spec'], write.serverView?.['spec']);
    assert.deepEqual(decoded.object['spec'], { resourceAttributes: { namespace: ns, verb: 'get', resource: 'secrets', name: 'db' } });
    const list = await capturedWrite(['auth', 'can-i', '--list']);
    assert.equal(list.decoded.kind, 'SelfSubjectRulesReview');
    assert.deepEqual(list.decoded.object['spec'], { namespace: ns });
  });

  it('create serviceaccount and create namespace: protobuf, complete', async () => {
    const sa = await capturedWrite(['create', 'serviceaccount', uniqueName('sa'), '--dry-run=server', '-o', 'json']);
    assert.equal(sa.decoded.kind, 'ServiceAccount');
    const namespace = await capturedWrite(['create', 'namespace', uniqueName('ns'), '--dry-run=server', '-o', 'json']);
    assert.equal(namespace.decoded.kind, 'Namespace');
    assert.deepEqual(namespace.decoded.object['spec'], {});
  });
});
