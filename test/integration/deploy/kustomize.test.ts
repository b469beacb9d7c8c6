import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { kubectl, readKubeCredentials, readStackEnv } from '@auditgate/shared/testing';
import { loadConfig as loadIndexerConfig } from '../../../services/indexer/src/config/load-config.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const stack = readStackEnv(process.env);
const admin = readKubeCredentials(stack).adminKubeconfig;
const k = (args: readonly string[], input?: string): Promise<string> => kubectl(stack, admin, args, input);
const DIRS = { base: 'k8s/base', eks: 'k8s/overlays/eks', mcp: 'k8s/examples/mcp-server' } as const;
const RBAC_KINDS = new Set(['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);

interface Obj {
  kind: string; metadata: { name: string; namespace?: string }; spec?: Record<string, unknown>; data?: Record<string, string>;
  rules?: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>; subjects?: Array<{ kind: string; name: string; namespace?: string }>;
}
interface Container {
  name: string; env?: Array<{ name: string; value?: string; valueFrom?: unknown }>; envFrom?: Array<{ configMapRef?: { name: string } }>;
  ports?: Array<{ name: string; containerPort: number }>; securityContext?: Record<string, unknown>;
  livenessProbe?: { httpGet?: { port: string } }; readinessProbe?: { httpGet?: { port: string } };
}

async function build(dir: string): Promise<Obj[]> {
  return parseAllDocuments(await k(['kustomize', resolve(ROOT, dir)])).map((d) => d.toJS() as Obj).filter((o) => o !== null);
}

describe('k8s kustomizations against the real kube-apiserver', () => {
  const built = new Map<string, Obj[]>();
  const created: string[] = [];
  let rbacYaml = '';

  before(async () => {
    for (const [name, dir] of Object.entries(DIRS)) built.set(name, await build(dir));
    // Real: the namespaces (dry-run=server needs them) and every RBAC object, so `auth can-i` can judge them.
    const rbac = [...built.get('base')!, ...built.get('mcp')!].filter((o) => RBAC_KINDS.has(o.kind));
    for (const ns of rbac.filter((o) => o.kind === 'Namespace')) {
      const exists = await k(['get', 'namespace', ns.metadata.name, '--ignore-not-found', '-o', 'name']);
      if (exists.trim() === '') created.push(`namespace/${ns.metadata.name}`);
    }
    rbacYaml = rbac.map((o) => stringify(o)).join('---\n');
    await k(['apply', '-f', '-'], rbacYaml);
  });

  after(async () => {
    const rest = rbacYaml === '' ? [] : parseAllDocuments(rbacYaml).map((d) => d.toJS() as Obj).filter((o) => o.kind !== 'Namespace');
    await k(['delete', '--ignore-not-found', '--wait=false', '-f', '-'], rest.map((o) => stringify(o)).join('---\n')).catch(() => undefined);
    for (const ns of created) await k(['delete', ns, '--ignore-not-found', '--wait=false']).catch(() => undefined);
  });

  for (const [name, dir] of Object.entries(DIRS)) {
    it(`${dir}: kubectl apply -k --dry-run=server accepts every object`, async () => {
      const out = await k(['apply', '-k', resolve(ROOT, dir), '--dry-run=server']);
      assert.equal(out.trim().split('\n').length, built.get(name)!.length, out);
      assert.match(out, /\(server dry run\)/);
    });
  }

  it('dry-run=server really validates: a restricted-namespace pod without securityContext is refused', async () => {
    const bad = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bad', namespace: 'auditgate' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
    await assert.rejects(k(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(bad)), /violates PodSecurity "restricted/);
  });

  it('identities have exactly the intended permissions (kubectl auth can-i --as)', async () => {
    const can = async (as: string, args: string[]): Promise<boolean> => {
      const out = await k(['auth', 'can-i', ...args, '--as', `system:serviceaccount:${as}`]).catch((e: Error) => e.message);
      return /^yes\b/m.test(out);
    };
    const matrix: Array<[string, string[], boolean]> = [
      ['auditgate:auditgate-proxy', ['list', 'pods', '-A'], true],
      ['auditgate:auditgate-proxy', ['get', 'pods', '--subresource=log', '-n', 'default'], true],
      ['auditgate:auditgate-proxy', ['watch', 'deployments.apps', '-A'], true],
      ['auditgate:auditgate-proxy', ['get', 'secrets', '-n', 'default'], false],
      ['auditgate:auditgate-proxy', ['list', 'secrets', '-A'], false],
      ['auditgate:auditgate-proxy', ['create', 'pods', '--subresource=exec', '-n', 'default'], false],
      ['auditgate:auditgate-proxy', ['delete', 'pods', '-n', 'default'], false],
      ['auditgate:auditgate-proxy', ['create', 'deployments.apps', '-n', 'default'], false],
      ['auditgate:auditgate-proxy', ['impersonate', 'users'], false],
      // TokenReview (PROXY_SA_TOKEN_REVIEW), and nothing else of system:auth-delegator.
      ['auditgate:auditgate-proxy', ['create', 'tokenreviews.authentication.k8s.io'], true],
      ['auditgate:auditgate-proxy', ['create', 'subjectaccessreviews.authorization.k8s.io'], false],
      ...indexerMatrix(),
      ['auditgate:auditgate-detector', ['list', 'pods', '-A'], false],
      ['auditgate:auditgate-query', ['get', 'configmaps', '-n', 'auditgate'], false],
      ['mcp-demo:kubernetes-mcp-server', ['list', 'pods', '-n', 'mcp-demo'], false],
      ['mcp-demo:kubernetes-mcp-server', ['get', 'secrets', '-n', 'mcp-demo'], false],
    ];
    const wrong: string[] = [];
    for (const [as, args, expected] of matrix) if (await can(as, args) !== expected) wrong.push(`${as} ${args.join(' ')}: expected ${expected ? 'yes' : 'no'}`);
    assert.deepEqual(wrong, []);
  });

  it('the EKS overlay: eks upstream, IRSA annotation, no in-cluster binding of the gateway, no token to the public issuer', () => {
    const objs = built.get('eks')!;
    const sa = objs.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'auditgate-proxy') as Obj & { metadata: { annotations?: Record<string, string> } };
    assert.match(sa.metadata.annotations?.['eks.amazonaws.com/role-arn'] ?? '', /^arn:aws:iam::\d{12}:role\//);
    const bindings = objs.filter((o) => o.kind === 'ClusterRoleBinding');
    assert.deepEqual(bindings.flatMap((b) => b.subjects!.map((x) => x.name)), ['auditgate-indexer'], 'only the indexer keeps in-cluster access');
    const env = containers(objs, 'auditgate-proxy')[0]!.env!;
    assert.equal(env.find((e) => e.name === 'PROXY_UPSTREAM_MODE')?.value, 'eks');
    assert.equal(env.some((e) => e.name === 'PROXY_SA_ISSUER_TOKEN_FILE'), false);
    assert.equal(podSpec(objs, 'auditgate-proxy').volumes.some((v) => v.projected !== undefined), false);
  });

  it('base: the indexer enriches in-cluster with its own token; the proxy presents its own token to the issuer only', () => {
    const objs = built.get('base')!;
    const indexerEnv = Object.fromEntries(containers(objs, 'auditgate-indexer')[0]!.env!.map((e) => [e.name, e.value ?? 'pod-0']));
    const indexer = loadIndexerConfig({ ...indexerEnv, KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }).kube;
    assert.equal(indexer.enabled, true);
    assert.equal(indexer.mode, 'in-cluster');
    assert.equal(indexer.inCluster?.tokenPath, '/var/run/secrets/kubernetes.io/serviceaccount/token');
    assert.equal(podSpec(objs, 'auditgate-indexer').automountServiceAccountToken, true);
    const binding = objs.find((o) => o.kind === 'ClusterRoleBinding' && o.subjects?.some((x) => x.name === 'auditgate-indexer'));
    assert.deepEqual(binding?.subjects, [{ kind: 'ServiceAccount', name: 'auditgate-indexer', namespace: 'auditgate' }]);
    // Least privilege, exactly: get/list/watch of the cached resources (INDEXER_KUBE_RESOURCES + namespaces), nothing else.
    const role = objs.find((o) => o.kind === 'ClusterRole' && o.metadata.name === (binding as Obj & { roleRef: { name: string } }).roleRef.name)!;
    const granted = role.rules!.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${v} ${g}/${res}`)))).sort();
    const wanted = cachedResources().flatMap(([g, res]) => ['get', 'list', 'watch'].map((v) => `${v} ${g}/${res}`)).sort();
    assert.deepEqual(granted, wanted);

    const env = containers(objs, 'auditgate-proxy')[0]!.env!;
    const tokenFile = env.find((e) => e.name === 'PROXY_SA_ISSUER_TOKEN_FILE')?.value ?? '';
    const spec = podSpec(objs, 'auditgate-proxy');
    const volume = spec.volumes.find((v) => v.projected?.sources.some((src) => src.serviceAccountToken !== undefined));
    const token = volume?.projected?.sources[0]?.serviceAccountToken;
    assert.equal(token?.audience, undefined, 'no audience: the API server\'s default one');
    const mount = spec.containers[0]!.volumeMounts.find((m) => m.name === volume?.name);
    assert.equal(tokenFile, `${mount?.mountPath}/${token?.path}`);
  });

  for (const [service, loader] of [['proxy', 'proxy'], ['indexer', 'indexer'], ['detector', 'detector'], ['query', 'query']] as const) {
    for (const variant of ['base', 'eks'] as const) {
      it(`${variant}: auditgate-${service} env is accepted by its loadConfig; probes, ports, securityContext`, async () => {
        const objs = built.get(variant)!;
        const c = containers(objs, `auditgate-${service}`)[0]!;
        const dir = mkdtempSync(join(tmpdir(), 'ag-k8s-'));
        try {
          writeFileSync(join(dir, 'key'), 'ab'.repeat(32));
          const env: Record<string, string> = { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' };
          for (const from of c.envFrom ?? []) Object.assign(env, objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === from.configMapRef?.name)?.data);
          for (const e of c.env ?? []) env[e.name] = e.value ?? (e.name === 'QUERY_OIDC_ISSUERS' ? '[{"issuer":"https://idp.example","audiences":["auditgate-query"]}]' : 'pod-0');
          if (env['PROXY_MASKING_KEY_FILE'] !== undefined) env['PROXY_MASKING_KEY_FILE'] = join(dir, 'key');
          const source = readFileSync(resolve(ROOT, `services/${loader}/src/config/load-config.ts`), 'utf8');
          // Explicit env only (the shared auditgate-settings ConfigMap serves every service); AWS_REGION is the SDK's,
          // NODE_OPTIONS Node's own, issuer keys are read by prefix (`${prefix}_URL`).
          const unknown = (c.env ?? []).map((e) => e.name).filter((n) => n !== 'AWS_REGION' && n !== 'NODE_OPTIONS' && !source.includes(`'${n}'`) && !/^PROXY_(SA|OIDC)_ISSUER_/.test(n));
          assert.deepEqual(unknown, [], 'env vars the loader never reads');
          const { loadConfig } = await import(pathToFileURL(resolve(ROOT, `services/${loader}/src/config/load-config.ts`)).href) as { loadConfig: (e: Record<string, string>) => { listen: { host: string; opsPort: number; port?: number; httpsPort?: number } } };
          const config = loadConfig(env);
          assert.equal(config.listen.host, '0.0.0.0');
          const ports = new Map((c.ports ?? []).map((p) => [p.name, p.containerPort]));
          assert.equal(ports.get('ops'), config.listen.opsPort);
          assert.equal(c.livenessProbe?.httpGet?.port, 'ops');
          assert.equal(c.readinessProbe?.httpGet?.port, 'ops');
          const main = config.listen.httpsPort ?? config.listen.port;
          if (main !== undefined) assert.ok([...ports.values()].includes(main), `main port ${main} not a containerPort`);
          assert.equal(c.securityContext?.['readOnlyRootFilesystem'], true);
          assert.deepEqual((c.securityContext?.['capabilities'] as { drop: string[] }).drop, ['ALL']);
          const pod = (workload(objs, `auditgate-${service}`).spec as { template: { spec: { securityContext: Record<string, unknown> } } }).template.spec.securityContext;
          assert.equal(pod['runAsNonRoot'], true);
          assert.deepEqual(pod['seccompProfile'], { type: 'RuntimeDefault' });
        } finally { rmSync(dir, { recursive: true, force: true }); }
      });
    }
  }

  it('the MCP example: kubeconfig points at the gateway Service with the projected token (audience auditgate)', () => {
    const objs = built.get('mcp')!;
    const cm = objs.find((o) => o.kind === 'ConfigMap')!;
    const kubeconfig = parseAllDocuments(cm.data!['config']!)[0]!.toJS() as { clusters: Array<{ cluster: { server: string } }>; users: Array<{ user: { tokenFile: string } }> };
    assert.equal(kubeconfig.clusters[0]!.cluster.server, 'https://auditgate-proxy.auditgate.svc:443');
    const spec = (objs.find((o) => o.kind === 'Deployment')!.spec as { template: { spec: { volumes: Array<{ name: string; projected?: { sources: Array<{ serviceAccountToken?: { audience: string; path: string } }> } }>; containers: Container[] & Array<{ volumeMounts: Array<{ name: string; mountPath: string }> }> } } }).template.spec;
    const projected = spec.volumes.find((v) => v.projected !== undefined)!;
    const token = projected.projected!.sources[0]!.serviceAccountToken!;
    assert.equal(token.audience, 'auditgate');
    const mount = spec.containers[0]!.volumeMounts.find((m) => m.name === projected.name)!;
    assert.equal(kubeconfig.users[0]!.user.tokenFile, `${mount.mountPath}/${token.path}`);
  });

  it('the ConfigMap copies match their sources (services/proxy/policy, services/detector/rules)', () => {
    const pairs: Array<[string, string]> = [
      ['k8s/base/policy/policy.yaml', 'services/proxy/policy/example-policy.yaml'],
      ...['discovery.yaml', 'secrets.yaml', 'workloads.yaml', 'identity.yaml'].map((f): [string, string] => [`k8s/base/rules/${f}`, `services/detector/rules/${f}`]),
    ];
    for (const [copy, source] of pairs) assert.equal(readFileSync(resolve(ROOT, copy), 'utf8'), readFileSync(resolve(ROOT, source), 'utf8'), `${copy} drifted from ${source}: copy it again`);
  });
});

/** `[apiGroup, resource]` of everything the base indexer caches: namespaces plus INDEXER_KUBE_RESOURCES of k8s/base/indexer.yaml. */
function cachedResources(): Array<[string, string]> {
  const manifest = readFileSync(resolve(ROOT, 'k8s/base/indexer.yaml'), 'utf8');
  const listed = /name: INDEXER_KUBE_RESOURCES, value: "([^"]+)"/.exec(manifest)?.[1];
  assert.ok(listed, 'k8s/base/indexer.yaml sets INDEXER_KUBE_RESOURCES');
  return ['v1/namespaces', ...loadIndexerConfig({ INDEXER_KUBE_RESOURCES: listed }).kube.resources].map((spec) => {
    const parts = spec.split('/');
    return parts.length === 2 ? ['', parts[1]!] : [parts[0]!, parts[2]!];
  });
}

/** What the indexer's service account may and may not do. */
function indexerMatrix(): Array<[string, string[], boolean]> {
  const as = 'auditgate:auditgate-indexer';
  const rows: Array<[string, string[], boolean]> = [];
  for (const [group, resource] of cachedResources()) {
    const name = group === '' ? resource : `${resource}.${group}`;
    for (const verb of ['get', 'list', 'watch']) rows.push([as, [verb, name, '-A'], true]);
    for (const verb of ['create', 'update', 'patch', 'delete']) rows.push([as, [verb, name, '-n', 'default'], false]);
  }
  for (const args of [['list', 'nodes'], ['list', 'services', '-A'], ['list', 'replicasets.apps', '-A'], ['get', 'pods', '--subresource=log', '-n', 'default'],
    ['get', 'secrets', '-n', 'default'], ['list', 'secrets', '-A'], ['create', 'pods', '--subresource=exec', '-n', 'default'], ['create', 'serviceaccounts', '--subresource=token', '-n', 'default'], ['impersonate', 'users']]) {
    rows.push([as, args, false]);
  }
  return rows;
}

interface PodSpec {
  automountServiceAccountToken?: boolean; containers: Array<Container & { volumeMounts: Array<{ name: string; mountPath: string }> }>;
  volumes: Array<{ name: string; projected?: { sources: Array<{ serviceAccountToken?: { audience?: string; path: string } }> } }>;
}

/** The Deployment or StatefulSet (the proxy) named `name`. */
function workload(objs: Obj[], name: string): Obj {
  const d = objs.find((o) => (o.kind === 'Deployment' || o.kind === 'StatefulSet') && o.metadata.name === name);
  assert.ok(d !== undefined, `no Deployment or StatefulSet ${name}`);
  return d;
}

function podSpec(objs: Obj[], name: string): PodSpec {
  return (workload(objs, name).spec as { template: { spec: PodSpec } }).template.spec;
}

function containers(objs: Obj[], name: string): Container[] {
  return (workload(objs, name).spec as { template: { spec: { containers: Container[] } } }).template.spec.containers;
}
