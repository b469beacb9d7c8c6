import { after, before, beforeEach, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, ErrorCodes, isAppError } from '@auditgate/shared';
import type { InitConfig } from './config/init-config.js';
import { loadConfig } from './config/load-config.js';
import { runInit, type InitDeps } from './run-init.js';

interface Seen { readonly method: string; readonly url: string; readonly headers: Record<string, unknown>; readonly body: string }

// One local HTTP server stands in for both OpenSearch and Dashboards: each request is recorded, and answered by the
// next scripted reply for its path (200 {"success":true,...} when none is left).
let server: Server;
let base = '';
const seen: Seen[] = [];
const replies = new Map<string, Array<{ status: number; body: string }>>();

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => { body += d.toString(); });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const reply = replies.get((req.url ?? '').split('?')[0]!)?.shift() ?? { status: 200, body: '{"success":true,"successCount":3}' };
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => { server.close(); });
beforeEach(() => { seen.length = 0; replies.clear(); });

function deps(files: Record<string, string> = {}): InitDeps & { readonly waits: number[] } {
  let now = 0;
  const waits: number[] = [];
  return {
    fetch,
    readFile: async (path) => { const text = files[path]; if (text === undefined) throw new Error(`ENOENT: ${path}`); return text; },
    now: () => now,
    sleep: async (ms) => { waits.push(ms); now += ms; },
    logger: createLogger({ name: 'test', level: 'silent' }),
    waits,
  };
}

function config(env: Record<string, string> = {}): InitConfig {
  return loadConfig({ OPENSEARCH_URL: base, INDEXER_INDEX_PREFIX: 'ev', DETECTOR_ALERTS_INDEX_PREFIX: 'al', ...env });
}

it('PUTs the events and alerts templates, then imports the saved objects with overwrite', async () => {
  await runInit(config({ DASHBOARDS_URL: base, DASHBOARDS_SAVED_OBJECTS: '/o.ndjson', INDEXER_INDEX_SHARDS: '2' }), deps({ '/o.ndjson': '{"type":"dashboard"}\n' }));
  assert.deepEqual(seen.map((s) => `${s.method} ${s.url}`), [
    'PUT /_index_template/ev-template', 'PUT /_index_template/al-template', 'POST /api/saved_objects/_import?overwrite=true',
  ]);
  const events = JSON.parse(seen[0]!.body) as { index_patterns: string[]; template: { settings: { number_of_shards: number }; aliases: object } };
  assert.deepEqual(events.index_patterns, ['ev-*']);
  assert.equal(events.template.settings.number_of_shards, 2);
  assert.deepEqual(events.template.aliases, { ev: {} });
  assert.deepEqual((JSON.parse(seen[1]!.body) as { index_patterns: string[] }).index_patterns, ['al-*']);
  const imported = seen[2]!;
  assert.equal(imported.headers['osd-xsrf'], 'true');
  assert.match(String(imported.headers['content-type']), /^multipart\/form-data/);
  assert.match(imported.body, /filename="auditgate\.ndjson"[\s\S]*\{"type":"dashboard"\}/);
});

it('without DASHBOARDS_URL installs the templates only', async () => {
  await runInit(config(), deps());
  assert.deepEqual(seen.map((s) => s.url), ['/_index_template/ev-template', '/_index_template/al-template']);
});

it('retries while OpenSearch and Dashboards answer 503, then succeeds', async () => {
  replies.set('/_index_template/al-template', [{ status: 503, body: '{"error":"starting"}' }]);
  replies.set('/api/saved_objects/_import', [{ status: 503, body: 'not ready' }, { status: 429, body: 'busy' }]);
  const d = deps({ '/o.ndjson': '{}\n' });
  await runInit(config({ DASHBOARDS_URL: base, DASHBOARDS_SAVED_OBJECTS: '/o.ndjson' }), d);
  assert.equal(seen.filter((s) => s.url.startsWith('/_index_template/ev-template')).length, 2, 'the step starts over: every template again');
  assert.equal(seen.filter((s) => s.url.startsWith('/api/saved_objects/_import')).length, 3);
  assert.deepEqual(d.waits, [1000, 1000, 2000]);
});

it('a refused template fails at once with INDEX_REJECTED and OpenSearch\'s answer', async () => {
  replies.set('/_index_template/ev-template', [{ status: 400, body: '{"error":"mapper_parsing_exception"}' }]);
  const d = deps();
  await assert.rejects(runInit(config({ DASHBOARDS_URL: base }), d), (e) => isAppError(e) && e.code === ErrorCodes.INDEX_REJECTED && /400.*mapper_parsing_exception/.test(e.message));
  assert.deepEqual(d.waits, []);
  assert.equal(seen.length, 1);
});

it('per-object import errors fail at once with DASHBOARDS_IMPORT_FAILED', async () => {
  replies.set('/api/saved_objects/_import', [{ status: 200, body: '{"success":false,"successCount":0,"errors":[{"id":"x","error":{"type":"missing_references"}}]}' }]);
  const d = deps({ '/o.ndjson': '{}\n' });
  await assert.rejects(runInit(config({ DASHBOARDS_URL: base, DASHBOARDS_SAVED_OBJECTS: '/o.ndjson' }), d),
    (e) => isAppError(e) && e.code === ErrorCodes.DASHBOARDS_IMPORT_FAILED && !e.retriable && /missing_references/.test(e.message));
  assert.deepEqual(d.waits, []);
});

it('an unreachable OpenSearch is retried until the timeout, then the job fails with OPENSEARCH_UNAVAILABLE', async () => {
  const d = deps();
  const closed = loadConfig({ OPENSEARCH_URL: 'http://127.0.0.1:1', INIT_TIMEOUT_MS: '2500' });
  await assert.rejects(runInit(closed, d), (e) => isAppError(e) && e.code === ErrorCodes.OPENSEARCH_UNAVAILABLE && e.retriable);
  assert.deepEqual(d.waits, [1000, 2000]);
});

it('an unreadable saved-objects file is a configuration error, reported after the templates are in place', async () => {
  await assert.rejects(runInit(config({ DASHBOARDS_URL: base, DASHBOARDS_SAVED_OBJECTS: '/missing.ndjson' }), deps()),
    (e) => isAppError(e) && e.code === ErrorCodes.CONFIG_INVALID && /DASHBOARDS_SAVED_OBJECTS.*\/missing\.ndjson/.test(e.message));
  assert.equal(seen.length, 2);
});
