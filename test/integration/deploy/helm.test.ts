import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { kubectl, readKubeCredentials, readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';
import { deployTool, runTool, TOOL_BUILD_TIMEOUT_MS } from './deploy-tools.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHART = resolve(ROOT, 'k8s/helm/auditgate');
const EKS_VALUES = join(CHART, 'values-eks.yaml');
const stack = readStackEnv(process.env);
const admin = readKubeCredentials(stack).adminKubeconfig;
const k = (args: readonly string[], input?: string): Promise<string> => kubectl(stack, admin, args, input);
/** Labels Helm adds that kustomize does not; everything else must be the same. */
const HELM_ONLY_LABELS = ['app.kubernetes.io/managed-by', 'app.kubernetes.io/instance', 'helm.sh/chart'];
const VARIANTS = [
  { name: 'base', kustomization: 'k8s/base', values: [] as string[] },
  { name: 'eks', kustomization: 'k8s/overlays/eks', values: ['-f', EKS_VALUES] },
] as const;

type Json = Record<string, unknown>;
interface Obj { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: unknown }

/** YAML 1.1, as kubectl reads it (`defaultMode: 0440` is octal). */
function parseObjects(text: string): Obj[] {
  return parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS() as Obj | null).filter((o): o is Obj => o !== null);
}

const key = (o: Obj): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** Both renderings in one shape: no Helm-only labels or checksum annotations, kustomize's ConfigMap hash suffixes gone, lists keyed by name sorted. */
function normalize(objs: Obj[]): Map<string, Obj> {
  const hashed = new Map<string, string>();
  for (const o of objs) {
    const m = /^(.*)-[a-z0-9]{10}$/.exec(o.metadata.name);
    if (o.kind === 'ConfigMap' && m !== null) hashed.set(o.metadata.name, m[1]!);
  }
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return hashed.get(node) ?? node;
    if (Array.isArray(node)) {
      const items = node.map(walk);
      const by = (f: string) => (a: unknown, b: unknown): number => String((a as Json)[f]).localeCompare(String((b as Json)[f]));
      if (items.every((i) => i !== null && typeof i === 'object' && 'mountPath' in (i as Json))) return items.sort(by('mountPath'));
      if (items.every((i) => i !== null && typeof i === 'object' && typeof (i as Json)['name'] === 'string' && !('containerPort' in (i as Json)) && !('port' in (i as Json)))) return items.sort(by('name'));
      return items;
    }
    if (node !== null && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k2, v]) => [k2, walk(v)]));
    return node;
  };
  const out = new Map<string, Obj>();
  for (const raw of objs) {
    const o = walk(structuredClone(raw)) as Obj;
    for (const l of HELM_ONLY_LABELS) delete o.metadata.labels?.[l];
    const template = ((o['spec'] as Json | undefined)?.['template'] as { metadata?: { annotations?: Record<string, string> } } | undefined)?.metadata;
    if (template?.annotations !== undefined) {
      for (const a of Object.keys(template.annotations)) if (a.startsWith('checksum/')) delete template.annotations[a];
      if (Object.keys(template.annotations).length === 0) delete template.annotations;
    }
    out.set(key(o), o);
  }
  return out;
}

interface PodTemplate { spec: { serviceAccountName?: string; automountServiceAccountToken?: boolean; securityContext?: Json; volumes?: Json[]; containers: Array<Json & { name: string; env?: Array<{ name: string; value?: string }> }> } }

/** The security-relevant facts of a rendering, one line of assertion message per object. */
function securityView(objs: Map<string, Obj>): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const [id, o] of objs) {
    if (o.kind === 'ClusterRole' || o.kind === 'Role') view[id] = { rules: o['rules'] };
    else if (o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding') view[id] = { roleRef: o['roleRef'], subjects: o['subjects'] };
    else if (o.kind === 'NetworkPolicy') view[id] = o['spec'];
    else if (o.kind === 'ServiceAccount') view[id] = { automount: o['automountServiceAccountToken'], annotations: o.metadata.annotations };
    else if (o.kind === 'Namespace') view[id] = o.metadata.labels;
    else if (o.kind === 'Deployment' || o.kind === 'StatefulSet') {
      const pod = (o['spec'] as { template: PodTemplate }).template.spec;
      view[id] = {
        serviceAccountName: pod.serviceAccountName, automount: pod.automountServiceAccountToken, podSecurityContext: pod.securityContext,
        volumes: pod.volumes,
        containers: pod.containers.map((c) => ({
          name: c.name, image: c['image'], NODE_OPTIONS: c.env?.find((e) => e.name === 'NODE_OPTIONS')?.value, env: c.env,
          securityContext: c['securityContext'], startupProbe: c['startupProbe'], livenessProbe: c['livenessProbe'], readinessProbe: c['readinessProbe'],
          ports: c['ports'], volumeMounts: c['volumeMounts'], resources: c['resources'],
        })),
      };
    }
  }
  return view;
}

describe('k8s/helm/auditgate: the Helm chart, rendered and linted by the real helm', () => {
  let helm = '';
  const rendered = new Map<string, Obj[]>();
  const kustomized = new Map<string, Obj[]>();
  const template = async (namespace: string, args: readonly string[]): Promise<string> =>
    runTool(helm, ['template', 'auditgate', CHART, '--namespace', namespace, ...args]);

  before(async () => {
    helm = await deployTool('helm');
    for (const v of VARIANTS) {
      rendered.set(v.name, parseObjects(await template('auditgate', ['--set', 'namespace.create=true', ...v.values])));
      kustomized.set(v.name, parseObjects(await k(['kustomize', resolve(ROOT, v.kustomization)])));
    }
  }, { timeout: TOOL_BUILD_TIMEOUT_MS });

  it('helm lint --strict passes with the defaults and with values-eks.yaml', async () => {
    for (const args of [[], ['-f', EKS_VALUES], ['--set', 'namespace.create=true']]) {
      const out = await runTool(helm, ['lint', '--strict', CHART, ...args]);
      assert.match(out, /1 chart\(s\) linted, 0 chart\(s\) failed/, out);
    }
  });

  for (const v of VARIANTS) {
    it(`${v.name}: the same objects as ${v.kustomization} (kind, name, namespace), with the same RBAC, network policies, NODE_OPTIONS, probes and securityContexts`, () => {
      const fromHelm = normalize(rendered.get(v.name)!);
      const fromKustomize = normalize(kustomized.get(v.name)!);
      assert.deepEqual([...fromHelm.keys()].sort(), [...fromKustomize.keys()].sort());
      const h = securityView(fromHelm);
      const kz = securityView(fromKustomize);
      for (const id of Object.keys(kz)) assert.deepEqual(h[id], kz[id], `${id} differs in a security-relevant field`);
      assert.ok(h['StatefulSet/auditgate/auditgate-proxy'] !== undefined);
      // Beyond the security fields: every object is the same once Helm's own labels and kustomize's hashes are set aside.
      for (const [id, o] of fromKustomize) assert.deepEqual(fromHelm.get(id), o, `${id} differs`);
    });
  }

  it('every rendered object carries the part-of label, and pods restart when a ConfigMap they read changes', async () => {
    const objs = rendered.get('base')!;
    for (const o of objs) assert.equal(o.metadata.labels?.['app.kubernetes.io/part-of'], 'auditgate', key(o));
    const checksum = (list: Obj[]): string | undefined => ((list.find((o) => o.kind === 'Deployment')!['spec'] as { template: { metadata: { annotations?: Record<string, string> } } }).template.metadata.annotations?.['checksum/settings']);
    const changed = parseObjects(await template('auditgate', ['--set', 'settings.CLUSTER_NAME=other']));
    assert.match(checksum(objs) ?? '', /^[0-9a-f]{64}$/);
    assert.notEqual(checksum(changed), checksum(objs));
  });

  it('the indexer ClusterRole follows indexer.kube.resources exactly, and the chart refuses unsafe or incomplete values', async () => {
    const objs = parseObjects(await template('auditgate', ['--set', 'indexer.kube.resources={v1/pods,batch/v1/jobs}']));
    const role = objs.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'auditgate-indexer-metadata')!;
    assert.deepEqual(role['rules'], [
      { apiGroups: [''], resources: ['namespaces', 'pods'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch'] },
    ]);
    const off = parseObjects(await template('auditgate', ['--set', 'indexer.kube.enabled=false']));
    assert.equal(off.some((o) => o.metadata.name === 'auditgate-indexer-metadata'), false, 'no indexer RBAC without the cache');
    await assert.rejects(template('auditgate', ['--set', 'indexer.kube.resources={v1/pods,v1/secrets}']), /must not list secrets/);
    await assert.rejects(template('auditgate', ['--set', 'upstream.mode=eks']), /upstream\.eks\.clusterName is required/);
    await assert.rejects(template('auditgate', ['--set', 'upstream.mode=kubeconfig']), /upstream\.mode must be in-cluster or eks/);
    await assert.rejects(template('auditgate', ['--set', 'proxy.checkpoints.signer=kms']), /proxy\.checkpoints\.kms\.keyId is required/);
    await assert.rejects(template('auditgate', ['--set', 'proxy.checkpoints.signer=none']), /proxy\.checkpoints\.signer must be file or kms/);
  });

  it('the policy and detector rules are the kustomize base\'s files (symlinks, no third copy), carried byte for byte', () => {
    // k8s/base/policy and k8s/base/rules are kept equal to services/ by kustomize.test.ts.
    for (const [link, target] of [['files/policy.yaml', 'k8s/base/policy/policy.yaml'], ['files/rules', 'k8s/base/rules']] as const) {
      const path = join(CHART, link);
      assert.ok(lstatSync(path).isSymbolicLink(), `${link} is a symlink, not a copy that can drift`);
      assert.equal(resolve(dirname(path), readlinkSync(path)), resolve(ROOT, target));
    }
    const objs = rendered.get('base')!;
    const data = (name: string): Record<string, string> => (objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name)?.['data'] ?? {}) as Record<string, string>;
    assert.equal(data('auditgate-proxy-policy')['policy.yaml'], readFileSync(resolve(ROOT, 'k8s/base/policy/policy.yaml'), 'utf8'));
    const rules = readdirSync(resolve(ROOT, 'k8s/base/rules')).filter((f) => f.endsWith('.yaml'));
    assert.ok(rules.length > 0);
    assert.deepEqual(Object.keys(data('auditgate-detector-rules')).sort(), rules.sort());
    for (const f of rules) assert.equal(data('auditgate-detector-rules')[f], readFileSync(resolve(ROOT, 'k8s/base/rules', f), 'utf8'), f);
  });

  it('the comparison really compares: a changed NODE_OPTIONS, RBAC rule or network policy is caught', async () => {
    const fromKustomize = normalize(kustomized.get('base')!);
    for (const set of ['proxy.nodeOptions=--max-old-space-size=64', 'indexer.kube.resources={v1/pods}', 'networkPolicy.clientPodLabels.app=any']) {
      const changed = normalize(parseObjects(await template('auditgate', ['--set', 'namespace.create=true', '--set', set])));
      const h = securityView(changed);
      const kz = securityView(fromKustomize);
      assert.ok(Object.keys(kz).some((id) => !isDeepStrictEqual(h[id], kz[id])), `--set ${set} went unnoticed`);
    }
  });

  describe('against the real kube-apiserver, in a namespace of its own', () => {
    const namespace = uniqueName('ag-helm');
    const clusterScoped: string[] = [];

    before(async () => {
      const objs = parseObjects(await template(namespace, ['--set', 'namespace.create=true']));
      await k(['apply', '-f', '-'], stringify(objs.find((o) => o.kind === 'Namespace')));
    });

    after(async () => {
      for (const ref of clusterScoped) await k(['delete', ref, '--ignore-not-found', '--wait=false']).catch(() => undefined);
      await k(['delete', 'namespace', namespace, '--ignore-not-found', '--wait=false']).catch(() => undefined);
    });

    for (const v of VARIANTS) {
      it(`${v.name}: kubectl apply --dry-run=server accepts every rendered object`, async () => {
        const text = await template(namespace, ['--set', 'namespace.create=true', ...v.values]);
        const count = parseObjects(text).length;
        const out = await k(['apply', '--dry-run=server', '-f', '-'], text);
        const lines = out.trim().split('\n');
        assert.equal(lines.length, count, out);
        for (const line of lines) assert.match(line, /\(server dry run\)$/);
      });
    }

    it('the chart\'s RBAC gives each identity exactly the intended permissions (kubectl auth can-i --as)', async () => {
      // The real RBAC objects, with the cluster-scoped ones renamed for this test so that nothing else is touched.
      const rename = (name: string): string => `${namespace}-${name}`;
      const rbac = parseObjects(await template(namespace, [])).filter((o) => ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind)).map((o) => {
        if (o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding') {
          clusterScoped.push(`${o.kind.toLowerCase()}.rbac.authorization.k8s.io/${rename(o.metadata.name)}`);
          o.metadata.name = rename(o.metadata.name);
        }
        if (o.kind === 'ClusterRoleBinding') (o['roleRef'] as { name: string }).name = rename((o['roleRef'] as { name: string }).name);
        return o;
      });
      await k(['apply', '-f', '-'], rbac.map((o) => stringify(o)).join('---\n'));
      const can = async (sa: string, args: string[]): Promise<boolean> => {
        const out = await k(['auth', 'can-i', ...args, '--as', `system:serviceaccount:${namespace}:${sa}`]).catch((e: Error) => e.message);
        return /^yes\b/m.test(out);
      };
      await waitFor('the proxy\'s ClusterRoleBinding to take effect', async () => (await can('auditgate-proxy', ['list', 'pods', '-A'])) || undefined);
      const matrix: Array<[string, string[], boolean]> = [
        ['auditgate-proxy', ['list', 'pods', '-A'], true],
        ['auditgate-proxy', ['get', 'pods', '--subresource=log', '-n', 'default'], true],
        ['auditgate-proxy', ['watch', 'deployments.apps', '-A'], true],
        ['auditgate-proxy', ['get', 'secrets', '-n', 'default'], false],
        ['auditgate-proxy', ['create', 'pods', '--subresource=exec', '-n', 'default'], false],
        ['auditgate-proxy', ['delete', 'pods', '-n', 'default'], false],
        ['auditgate-proxy', ['impersonate', 'users'], false],
        ['auditgate-indexer', ['list', 'deployments.apps', '-A'], true],
        ['auditgate-indexer', ['watch', 'namespaces'], true],
        ['auditgate-indexer', ['list', 'secrets', '-A'], false],
        ['auditgate-indexer', ['list', 'nodes'], false],
        ['auditgate-indexer', ['update', 'pods', '-n', 'default'], false],
        ['auditgate-detector', ['list', 'pods', '-A'], false],
        ['auditgate-query', ['get', 'configmaps', '-n', namespace], false],
      ];
      const wrong: string[] = [];
      for (const [sa, args, expected] of matrix) if (await can(sa, args) !== expected) wrong.push(`${sa} ${args.join(' ')}: expected ${expected ? 'yes' : 'no'}`);
      assert.deepEqual(wrong, []);
    });
  });
});
