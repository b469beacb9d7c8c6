import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { readKubeCredentials, readStackEnv } from '@auditgate/shared/testing';
import { interpolateDocument, type ComposeEnv } from './compose-interpolate.js';
import { deployTool, runTool, TOOL_BUILD_TIMEOUT_MS } from './deploy-tools.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const COMPOSE_FILE = resolve(ROOT, 'docker-compose.yml');

interface ResolvedService { environment?: Record<string, string | null>; image?: string; build?: unknown; secrets?: unknown[] }
interface Resolved { name: string; services: Record<string, ResolvedService>; secrets?: Record<string, { file?: string }> }

describe('docker-compose.yml through Docker Compose\'s own parser (compose config: no engine needed)', () => {
  const stack = readStackEnv(process.env);
  const userEnv: ComposeEnv = {
    AUDITGATE_KUBECONFIG: readKubeCredentials(stack).adminKubeconfig,
    QUERY_OIDC_ISSUERS: JSON.stringify([{ issuer: stack.kubeApiserverUrl, audiences: ['auditgate-query'] }]),
  };
  const dir = mkdtempSync(join(tmpdir(), 'ag-compose-'));
  let compose = '';
  // Only what the user sets plus PATH/HOME, and an engine address where no engine is: `config` must not need one.
  const env = (extra: ComposeEnv = userEnv): NodeJS.ProcessEnv => ({
    PATH: process.env['PATH'], HOME: dir, DOCKER_CONFIG: join(dir, 'docker'), DOCKER_HOST: `unix://${join(dir, 'no-engine.sock')}`,
    ...Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined)),
  });
  const config = (args: readonly string[], extra?: ComposeEnv): Promise<string> =>
    runTool(compose, ['--project-directory', ROOT, '-f', COMPOSE_FILE, 'config', ...args], { env: env(extra) });

  before(async () => { compose = await deployTool('compose'); }, { timeout: TOOL_BUILD_TIMEOUT_MS });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('docker-compose version: the binary built from the Go module proxy is Docker Compose', async () => {
    assert.match(await runTool(compose, ['version'], { env: env() }), /Docker Compose version v\d+\.\d+\.\d+/);
  });

  it('config accepts the file and resolves the same services, environment and secrets as compose.test.ts\'s model', async () => {
    const resolved = JSON.parse(await config(['--format', 'json'])) as Resolved;
    const ours = interpolateDocument(parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }), userEnv) as { services: Record<string, { environment?: Record<string, string> | string[] }> };
    assert.deepEqual(Object.keys(resolved.services).sort(), Object.keys(ours.services).sort());
    for (const [name, service] of Object.entries(ours.services)) {
      const envOf = service.environment ?? {};
      const expected = Array.isArray(envOf) ? Object.fromEntries(envOf.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])) : envOf;
      assert.deepEqual(resolved.services[name]!.environment ?? {}, Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, String(v)])), `${name}: environment`);
    }
    assert.match(resolved.services['proxy']!.environment?.['NODE_OPTIONS'] ?? '', /--max-semi-space-size=\d+/);
    assert.equal(resolved.secrets?.['proxy_masking_key']?.file, resolve(ROOT, 'k8s/containers/compose/dev-masking-key.txt'));
  });

  it('config --quiet stops at the first problem: a required variable unset, an unknown key, a wrong type', async () => {
    await assert.rejects(config(['--quiet'], { ...userEnv, AUDITGATE_KUBECONFIG: undefined }), /set AUDITGATE_KUBECONFIG to the kubeconfig of the cluster behind the gateway/);
    await assert.rejects(config(['--quiet'], { ...userEnv, QUERY_OIDC_ISSUERS: undefined }), /QUERY_OIDC_ISSUERS/);
    const broken = (mutate: (doc: { services: Record<string, Record<string, unknown>> }) => void): string => {
      const doc = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as { services: Record<string, Record<string, unknown>> };
      mutate(doc);
      const file = join(dir, `broken-${Math.random().toString(36).slice(2)}.yml`);
      writeFileSync(file, stringify(doc));
      return file;
    };
    for (const file of [broken((d) => { d.services['proxy']!['porst'] = ['8080']; }), broken((d) => { d.services['indexer']!['restart'] = { policy: 3 }; })]) {
      await assert.rejects(runTool(compose, ['--project-directory', ROOT, '-f', file, 'config', '--quiet'], { env: env() }), /porst|restart/);
    }
    assert.equal(await config(['--quiet']), '');
  });

  it('the Docker CLI runs the same binary as its compose plugin (`docker compose config`), where the CLI is installed', async (t) => {
    const docker = (() => { try { return execFileSync('bash', ['-c', 'command -v docker'], { encoding: 'utf8' }).trim(); } catch { return ''; } })();
    if (docker === '') { t.skip('no docker CLI on this machine'); return; }
    mkdirSync(join(dir, 'docker', 'cli-plugins'), { recursive: true });
    symlinkSync(compose, join(dir, 'docker', 'cli-plugins', 'docker-compose'));
    assert.match(await runTool(docker, ['compose', 'version'], { env: env() }), /Docker Compose version v\d+/);
    const out = await runTool(docker, ['compose', '--project-directory', ROOT, '-f', COMPOSE_FILE, 'config', '--services'], { env: env() });
    assert.ok(out.split('\n').includes('proxy'), out);
  });
});
