/**
 * Issue #14 as deployed: the kustomize base, the EKS overlay (the Helm chart renders the same, helm.test.ts) and
 * docker-compose.yml sign checkpoints with a key that outlives the pod (a Secret mounted as a file, or a KMS key), let
 * the query service read the gateways' published key set, and give each gateway a stable instance name so a restarted
 * or replaced pod links its chain to its predecessor's.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { kubectl, readKubeCredentials, readStackEnv } from '@auditgate/shared/testing';
import { createLogger } from '@auditgate/shared';
import { loadConfig as loadProxyConfig } from '../../../services/proxy/src/config/load-config.js';
import { loadConfig as loadQueryConfig } from '../../../services/query/src/config/load-config.js';
import { createCheckpointSigner } from '../../../services/proxy/src/evidence/create-signer.js';
import { interpolateDocument } from './compose-interpolate.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const JWKS_PATH = '/.well-known/jwks.json';

interface Env { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }
interface Obj {
  kind: string; metadata: { name: string };
  spec?: {
    serviceName?: string; scaleTargetRef?: { kind: string; name: string };
    ports?: Array<{ name: string; port: number; targetPort: string | number }>;
    podSelector?: { matchLabels?: Record<string, string> };
    ingress?: Array<{ from: Array<{ podSelector?: { matchLabels?: Record<string, string> }; namespaceSelector?: unknown }>; ports: Array<{ port: number }> }>;
    template?: { metadata: { labels: Record<string, string> }; spec: {
      containers: Array<{ env?: Env[]; ports?: Array<{ name: string; containerPort: number }>; volumeMounts?: Array<{ name: string; mountPath: string }> }>;
      volumes?: Array<{ name: string; secret?: { secretName: string } }>;
    } };
  };
}

const find = (objs: Obj[], kind: string, name: string): Obj => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  assert.ok(o !== undefined, `no ${kind} ${name}`);
  return o;
};
const envOf = (o: Obj): Map<string, Env> => new Map((o.spec!.template!.spec.containers[0]!.env ?? []).map((e) => [e.name, e]));
const value = (env: Map<string, Env>, name: string): string | undefined => env.get(name)?.value;

/** Collects the proxy's warnings: a key made at start is announced with one. */
function capturingLogger(): { logger: ReturnType<typeof createLogger>; warnings: string[] } {
  const warnings: string[] = [];
  const logger = createLogger({ name: 'wiring', level: 'warn', destination: { write: (line: string) => { warnings.push(line); } } });
  return { logger, warnings };
}

/** A checkpoint key made as k8s/EKS.md says (`openssl genpkey -algorithm ed25519`), loaded twice as two processes would. */
async function kidsOfTwoStarts(keyFile: string): Promise<{ kids: string[]; warnings: string[] }> {
  const { logger, warnings } = capturingLogger();
  const kids: string[] = [];
  for (let i = 0; i < 2; i += 1) kids.push((await createCheckpointSigner({ kind: 'file', keyFile }, logger)).kid);
  return { kids, warnings };
}

describe('checkpoint keys, their published key set and stable gateway names, as deployed (#14)', () => {
  const built = new Map<string, Obj[]>();

  before(async () => {
    const stack = readStackEnv(process.env);
    const admin = readKubeCredentials(stack).adminKubeconfig;
    for (const [name, dir] of [['base', 'k8s/base'], ['eks', 'k8s/overlays/eks']] as const) {
      const text = await kubectl(stack, admin, ['kustomize', resolve(ROOT, dir)]);
      built.set(name, parseAllDocuments(text).map((d) => d.toJS() as Obj).filter((o) => o !== null));
    }
  });

  for (const variant of ['base', 'eks'] as const) {
    it(`${variant}: the proxy is a StatefulSet named by its pods (PROXY_INSTANCE), scaled by the HPA`, () => {
      const objs = built.get(variant)!;
      const proxy = find(objs, 'StatefulSet', 'auditgate-proxy');
      assert.equal(objs.some((o) => o.kind === 'Deployment' && o.metadata.name === 'auditgate-proxy'), false);
      assert.equal(find(objs, 'Service', proxy.spec!.serviceName!).metadata.name, 'auditgate-proxy');
      assert.deepEqual(envOf(proxy).get('PROXY_INSTANCE')?.valueFrom, { fieldRef: { fieldPath: 'metadata.name' } });
      assert.deepEqual(find(objs, 'HorizontalPodAutoscaler', 'auditgate-proxy').spec!.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'auditgate-proxy' });
    });

    it(`${variant}: the query service verifies with the gateways' published key set, and may reach it`, () => {
      const objs = built.get(variant)!;
      const proxy = find(objs, 'StatefulSet', 'auditgate-proxy');
      const query = find(objs, 'Deployment', 'auditgate-query');
      const jwks = loadQueryConfig({
        ...Object.fromEntries([...envOf(query)].map(([k, e]) => [k, e.value ?? '[{"issuer":"https://idp.example","audiences":["auditgate-query"]}]'])),
        OPENSEARCH_URL: 'http://opensearch:9200',
      }).evidence.jwks;
      assert.equal(jwks.length, 1, 'QUERY_CHECKPOINT_JWKS is set (else /api/v1/verify answers 503)');
      const url = new URL(jwks[0]!);
      assert.equal(url.pathname, JWKS_PATH);
      assert.match(readFileSync(resolve(ROOT, 'services/proxy/src/app.ts'), 'utf8'), new RegExp(`opsApp\\.get\\('${JWKS_PATH.replaceAll('.', '\\.')}'`), 'the proxy publishes its keys there');
      // The host is the proxy's Service; its port leads to the container port the ops server listens on.
      const service = find(objs, 'Service', url.hostname);
      assert.deepEqual(service.spec!.ports!.find((p) => p.port === Number(url.port))?.targetPort, 'ops');
      const opsPort = proxy.spec!.template!.spec.containers[0]!.ports!.find((p) => p.name === 'ops')!.containerPort;
      assert.equal(String(opsPort), value(envOf(proxy), 'PROXY_OPS_PORT'));
      // The gateway's ingress policy admits the query pods to that port.
      const policy = find(objs, 'NetworkPolicy', 'auditgate-proxy-ingress');
      const queryLabels = query.spec!.template!.metadata.labels;
      const admitted = policy.spec!.ingress!.some((rule) => rule.ports.some((p) => p.port === opsPort) && rule.from.some((f) => f.namespaceSelector === undefined
        && Object.entries(f.podSelector?.matchLabels ?? { none: 'none' }).every(([k, v]) => queryLabels[k] === v)));
      assert.ok(admitted, 'auditgate-proxy-ingress lets the query pods reach the ops port');
    });
  }

  it('base: checkpoints are signed with the Secret auditgate-checkpoint-key mounted as a file: the same key at every start', async () => {
    const objs = built.get('base')!;
    const proxy = find(objs, 'StatefulSet', 'auditgate-proxy');
    const env = envOf(proxy);
    const keyFile = value(env, 'PROXY_CHECKPOINT_KEY_FILE') ?? '';
    const pod = proxy.spec!.template!.spec;
    const mount = pod.containers[0]!.volumeMounts!.find((m) => keyFile === `${m.mountPath}/key`);
    assert.ok(mount !== undefined, `${keyFile} is the key \`key\` of a mounted volume`);
    assert.equal(pod.volumes!.find((v) => v.name === mount.name)?.secret?.secretName, 'auditgate-checkpoint-key');
    const dir = mkdtempSync(join(tmpdir(), 'ag-wiring-'));
    try {
      const file = join(dir, 'checkpoint.pem');
      execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', file]);
      const config = loadProxyConfig({ ...Object.fromEntries([...env].map(([k, e]) => [k, e.value ?? 'pod-0'])), PROXY_MASKING_KEY_FILE: '', PROXY_MASKING_KEY: 'ab'.repeat(32), PROXY_CHECKPOINT_KEY_FILE: file, KAFKA_BROKERS: 'kafka:9092', KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' });
      assert.deepEqual(config.chain.signer, { kind: 'file', keyFile: file });
      const { kids, warnings } = await kidsOfTwoStarts(file);
      assert.equal(kids[0], kids[1], 'two processes sign with the same key');
      assert.deepEqual(warnings, [], 'no throwaway key');
      // Without the key file (as before), every start would announce a different, throwaway key.
      const { logger, warnings: without } = capturingLogger();
      const throwaway = [(await createCheckpointSigner({ kind: 'file' }, logger)).kid, (await createCheckpointSigner({ kind: 'file' }, logger)).kid];
      assert.notEqual(throwaway[0], throwaway[1]);
      assert.equal(without.length, 2);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  it('eks: checkpoints are signed by a KMS key (no key file, no key Secret)', () => {
    const objs = built.get('eks')!;
    const proxy = find(objs, 'StatefulSet', 'auditgate-proxy');
    const env = envOf(proxy);
    const config = loadProxyConfig({ ...Object.fromEntries([...env].map(([k, e]) => [k, e.value ?? 'pod-0'])), PROXY_MASKING_KEY_FILE: '', PROXY_MASKING_KEY: 'ab'.repeat(32), KAFKA_BROKERS: 'kafka:9092', KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' });
    assert.equal(config.chain.signer.kind, 'kms');
    assert.match(value(env, 'PROXY_CHECKPOINT_KMS_KEY_ID') ?? '', /^arn:aws:kms:[a-z0-9-]+:\d{12}:key\//);
    assert.equal(env.has('PROXY_CHECKPOINT_KEY_FILE'), false);
    assert.equal((proxy.spec!.template!.spec.volumes ?? []).some((v) => v.secret?.secretName === 'auditgate-checkpoint-key'), false);
  });

  it('docker-compose.yml: a fixed instance name, a checkpoint key file, and the query service reading the gateway\'s key set', async () => {
    const file = interpolateDocument(parse(readFileSync(resolve(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }), {
      AUDITGATE_KUBECONFIG: '/dev/null', QUERY_OIDC_ISSUERS: '[{"issuer":"https://idp.example","audiences":["auditgate-query"]}]',
    }) as { services: Record<string, { environment: Record<string, string>; secrets?: string[] }>; secrets: Record<string, { file: string }> };
    const proxy = file.services['proxy']!;
    assert.equal(proxy.environment['PROXY_INSTANCE'], 'proxy', 'not the container id, which changes when the container is recreated');
    const keyPath = proxy.environment['PROXY_CHECKPOINT_KEY_FILE']!;
    const secret = /^\/run\/secrets\/(.+)$/.exec(keyPath)?.[1];
    assert.ok(secret !== undefined && proxy.secrets?.includes(secret), `${keyPath} is a secret of the proxy`);
    const { kids, warnings } = await kidsOfTwoStarts(resolve(ROOT, file.secrets[secret]!.file));
    assert.equal(kids[0], kids[1]);
    assert.deepEqual(warnings, []);
    const url = new URL(file.services['query']!.environment['QUERY_CHECKPOINT_JWKS']!);
    assert.equal(url.hostname, 'proxy');
    assert.equal(url.port, proxy.environment['PROXY_OPS_PORT']);
    assert.equal(url.pathname, JWKS_PATH);
  });
});
