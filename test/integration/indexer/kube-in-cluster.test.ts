import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { parseAllDocuments, stringify } from 'yaml';
import { createLogger } from '@auditgate/shared';
import { kubectl, readKubeCredentials, readStackEnv, uniqueName, waitFor, apiServerAuditSince, jwtId, type ApiServerAuditEvent } from '@auditgate/shared/testing';
import { loadConfig } from '../../../services/indexer/src/config/load-config.js';
import { createKubeCache } from '../../../services/indexer/src/kube/create-kube-cache.js';
import type { KubeCache } from '../../../services/indexer/src/kube/kube-cache.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const stack = readStackEnv(process.env);
const creds = readKubeCredentials(stack);
const apiserver = new URL(stack.kubeApiserverUrl);
const k = (args: readonly string[], input?: string): Promise<string> => kubectl(stack, creds.adminKubeconfig, args, input);

const auditSince = (offset: number): Promise<ApiServerAuditEvent[]> => apiServerAuditSince(creds.auditLog, offset);
const jtiOf = jwtId;

/** INDEXER_KUBE_RESOURCES as k8s/base/indexer.yaml sets it: the list the shipped ClusterRole grants. */
function shippedResources(): string {
  const listed = /name: INDEXER_KUBE_RESOURCES, value: "([^"]+)"/.exec(readFileSync(path.join(ROOT, 'k8s/base/indexer.yaml'), 'utf8'))?.[1];
  assert.ok(listed, 'k8s/base/indexer.yaml sets INDEXER_KUBE_RESOURCES');
  return listed;
}

describe('indexer cluster cache, INDEXER_KUBE_MODE=in-cluster, against the real kube-apiserver', () => {
  const ns = uniqueName('ag-idx-incluster');
  const role = `${ns}-indexer-metadata`;
  const user = `system:serviceaccount:${ns}:auditgate-indexer`;
  let dir = '';
  let logs = '';
  let cache: KubeCache | undefined;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ag-idx-incluster-'));
    await copyFile(path.join(stack.kubeState, 'pki', 'ca.crt'), path.join(dir, 'ca.crt'));
    // The shipped least-privilege ClusterRole (k8s/base), under a unique name, bound to a fresh service account.
    const shipped = parseAllDocuments(await readFile(path.join(ROOT, 'k8s/base/rbac.yaml'), 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { name: string } })
      .find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'auditgate-indexer-metadata');
    assert.ok(shipped, 'k8s/base/rbac.yaml has the ClusterRole auditgate-indexer-metadata');
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: role },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
      subjects: [{ kind: 'ServiceAccount', name: 'auditgate-indexer', namespace: ns }],
    };
    await k(['create', 'namespace', ns]);
    await k(['label', 'namespace', ns, 'sensitivity=high']);
    await k(['-n', ns, 'create', 'serviceaccount', 'auditgate-indexer']);
    await k(['apply', '-f', '-'], [{ ...shipped, metadata: { name: role } }, binding].map((o) => stringify(o)).join('---\n'));
    await k(['-n', ns, 'create', 'configmap', 'before', '--from-literal=k=v']);
    await k(['-n', ns, 'label', 'configmap', 'before', 'app=payments']);
    await k(['-n', ns, 'create', 'secret', 'generic', 'db', '--from-literal=password=hunter2']);
    await k(['-n', ns, 'label', 'secret', 'db', 'tier=db']);
    await k(['-n', ns, 'create', 'deployment', 'web', '--image=registry.k8s.io/pause:3.10']);
  });

  after(async () => {
    await cache?.stop();
    await k(['delete', 'clusterrolebinding,clusterrole', role, '--ignore-not-found']).catch(() => undefined);
    await k(['delete', 'namespace', ns, '--wait=false']).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('lists and watches labelled objects with the service-account token (shipped RBAC suffices); a rotated token is used', async () => {
    const tokenPath = path.join(dir, 'token');
    const mint = async (): Promise<string> => (await k(['-n', ns, 'create', 'token', 'auditgate-indexer', '--duration=10m'])).trim();
    const first = await mint();
    await writeFile(tokenPath, `${first}\n`);
    const config = loadConfig({
      INDEXER_KUBE_ENABLED: 'true', KUBERNETES_SERVICE_HOST: apiserver.hostname, KUBERNETES_SERVICE_PORT: apiserver.port,
      INDEXER_INCLUSTER_TOKEN_PATH: tokenPath, INDEXER_INCLUSTER_CA_PATH: path.join(dir, 'ca.crt'),
      INDEXER_KUBE_RESOURCES: shippedResources(),
    });
    assert.equal(config.kube.mode, 'in-cluster');
    let clock = Date.now();
    const destination = new Writable({ write(chunk: Buffer, _enc, done) { logs += chunk.toString('utf8'); done(); } });
    const offset = (await stat(creds.auditLog)).size;
    cache = createKubeCache({
      inCluster: { ...config.kube.inCluster!, now: () => clock, reloadMs: 60_000 },
      resources: config.kube.resources, maxObjects: 100_000, retryDelayMs: 500,
      logger: createLogger({ name: 'indexer', level: 'warn', destination }),
    });
    await cache.start();

    // List: objects that existed before the start.
    assert.deepEqual(await waitFor('configmap from the list', async () => cache!.object('configmaps', ns, 'before')), { labels: { app: 'payments' } });
    assert.deepEqual((await waitFor('deployment', async () => cache!.object('deployments.apps', ns, 'web')))?.labels, { app: 'web' });
    assert.ok(await waitFor('service account', async () => cache!.object('serviceaccounts', ns, 'auditgate-indexer')));
    assert.equal((await waitFor('namespace labels', async () => cache!.namespaceLabels(ns)))?.['sensitivity'], 'high');

    // Watch: a new object, a relabel, a delete.
    await k(['-n', ns, 'create', 'configmap', 'after', '--from-literal=k=v']);
    await k(['-n', ns, 'label', 'configmap', 'after', 'app=new']);
    await waitFor('configmap from the watch', async () => (cache!.object('configmaps', ns, 'after')?.labels['app'] === 'new' ? true : undefined));
    await k(['-n', ns, 'label', '--overwrite', 'configmap', 'before', 'app=billing']);
    await waitFor('relabel', async () => (cache!.object('configmaps', ns, 'before')?.labels['app'] === 'billing' ? true : undefined));
    await k(['-n', ns, 'delete', 'configmap', 'after']);
    await waitFor('delete', async () => (cache!.object('configmaps', ns, 'after') === undefined ? true : undefined));
    assert.equal(logs, '', 'no list or watch failed (e.g. 403 for a resource missing from the ClusterRole)');
    assert.equal(cache.object('secrets', ns, 'db'), undefined, 'the shipped indexer never caches (so never reads) Secrets');

    const byUser = async (jti: string): Promise<ApiServerAuditEvent[]> => (await auditSince(offset)).filter((e) =>
      e.user?.username === user && e.user.extra?.['authentication.kubernetes.io/credential-id']?.[0] === `JTI=${jti}`);
    const seen = await waitFor('audit events of the first token', async () => {
      const events = await byUser(jtiOf(first));
      return events.some((e) => e.requestURI.includes('watch=true')) && events.some((e) => e.requestURI.startsWith('/api/v1/configmaps')) ? events : undefined;
    });
    assert.deepEqual(seen.filter((e) => e.stage === 'ResponseComplete' && e.responseStatus?.code !== 200).map((e) => e.requestURI), []);

    // Rotation: the kubelet writes a new token; once the re-read period passed, new connections present it.
    const second = await mint();
    await writeFile(tokenPath, second);
    clock += 61_000;
    await cache.stop();
    await cache.start();
    await k(['-n', ns, 'create', 'configmap', 'rotated', '--from-literal=k=v']);
    await waitFor('configmap after the rotation', async () => cache!.object('configmaps', ns, 'rotated'));
    await waitFor('audit events of the rotated token', async () => ((await byUser(jtiOf(second))).length > 0 ? true : undefined));
  });
});
