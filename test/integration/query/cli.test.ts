import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startQueryTestbed, type QueryTestbed, type StandardSeed } from './support/query-harness.js';

const BIN = fileURLToPath(new URL('../../../node_modules/.bin/auditgate', import.meta.url));

function run(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

describe('auditgate CLI against the query service', () => {
  let bed: QueryTestbed;
  let seed: StandardSeed;
  let env: Record<string, string>;
  let dir: string;
  before(async () => {
    bed = await startQueryTestbed();
    seed = await bed.seedStandard();
    env = { AUDITGATE_URL: bed.baseUrl, AUDITGATE_TOKEN: await bed.tokenFor(['analyst'], 'cli@example.com') };
    dir = await mkdtemp(join(tmpdir(), 'auditgate-cli-'));
  });
  after(async () => { await bed?.close(); await rm(dir, { recursive: true, force: true }); });

  it('search --json returns the filtered events', async () => {
    const r = await run(['search', '--since', '6h', '--actor', seed.actors.carol, '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.total, 8);
    assert.ok(out.events.every((e: any) => e.auditgate.actor.username === seed.actors.carol));
  });

  it('search prints a readable table and follows cursors up to --limit', async () => {
    const r = await run(['search', '--since', '6h', '--verb', 'get', '--resource', 'secrets', '--limit', '600'], env);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0]!, /^TIME\s+ACTOR\s+ON BEHALF OF\s+VERB\s+OBJECT\s+STATUS\s+DECISION\s+AUDIT ID$/);
    assert.equal(lines.length, 1 + 12 + 1);
    assert.match(lines[1]!, /system:serviceaccount:agents:mcp\s+bob@example\.com\s+get\s+payments\/secrets\/db-creds-\d\s+200\s+allow/);
    assert.equal(lines.at(-1), '12 of 12 events');
  });

  it('timeline lists one actor in time order', async () => {
    const r = await run(['timeline', seed.actors.dave, '--since', '6h', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).total, 4);
  });

  it('export writes NDJSON to stdout and CSV to a file', async () => {
    const nd = await run(['export', '--since', '6h', '--cluster', 'staging'], env);
    assert.equal(nd.code, 0, nd.stderr);
    assert.equal(nd.stdout.trim().split('\n').length, 15);
    const file = join(dir, 'out.csv');
    const csv = await run(['export', '--since', '6h', '--format', 'csv', '--output', file], env);
    assert.equal(csv.code, 0, csv.stderr);
    assert.equal((await readFile(file, 'utf8')).trim().split('\n').length, seed.events.length + 1);
  });

  it('reports API errors and usage errors with non-zero exits', async () => {
    const bad = await run(['search', '--since', 'forever'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /HTTP 400 AUDITGATE_E_BAD_REQUEST: since/);
    assert.equal((await run(['frobnicate'], env)).code, 2);
    assert.equal((await run(['search'], { AUDITGATE_URL: bed.baseUrl, AUDITGATE_TOKEN: 'x.y.z' })).code, 1);
  });
});
