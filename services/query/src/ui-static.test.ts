import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createUiRouter } from './ui-static.js';

const REAL_UI_DIR = fileURLToPath(new URL('../ui/', import.meta.url));

async function serve(uiDir: string): Promise<{ base: string; close(): Promise<void> }> {
  const app = express();
  app.use('/ui', createUiRouter(uiDir));
  app.get('/api/v1/whoami', (_req, res) => { res.json({ username: 'x', roles: [] }); });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((done) => { server.close(() => done()); }),
  };
}

/** A raw GET, so the path reaches the server exactly as written (fetch would normalise `..`). */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = request(`${base}${path}`, { method: 'GET', path }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => { body += chunk; }).on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail).end();
  });
}

test('createUiRouter serves files, falls back to index.html for client routes, and 404s missing assets', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ui-static-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'views'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>INDEX</title>');
  await writeFile(join(dir, 'app.js'), 'export const app = 1;');
  await writeFile(join(dir, 'views', 'search.js'), 'export const search = 1;');
  await writeFile(join(dir, '.secret'), 'dotfile');
  await writeFile(join(dir, '..', `${dir.split('/').pop() ?? ''}-outside.txt`), 'outside');
  const server = await serve(dir);
  t.after(() => server.close());

  const js = await fetch(`${server.base}/ui/views/search.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type') ?? '', /javascript/);
  assert.equal(await js.text(), 'export const search = 1;');

  for (const path of ['/ui', '/ui/', '/ui/events/4f6c2d1e-0000-4000-8000-000000000001', '/ui/actors/alice@example.com',
    '/ui/alerts?status=open', '/ui/search?actor=a&verb=get']) {
    const res = await fetch(`${server.base}${path}`);
    assert.equal(res.status, 200, path);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/, path);
    assert.equal(await res.text(), '<!doctype html><title>INDEX</title>', path);
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/, path);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
  }

  assert.equal((await fetch(`${server.base}/ui/missing.js`)).status, 404);
  assert.equal((await fetch(`${server.base}/ui/views/missing.css`)).status, 404);
  const dot = await fetch(`${server.base}/ui/.secret`);
  assert.notEqual(await dot.text(), 'dotfile');
  const traversal = await rawGet(server.base, `/ui/%2e%2e/${dir.split('/').pop() ?? ''}-outside.txt`);
  assert.notEqual(traversal.body, 'outside');
  assert.equal((await fetch(`${server.base}/ui/`, { method: 'POST' })).status, 404);
  // The router is mounted at /ui only: the API is untouched.
  assert.deepEqual(await (await fetch(`${server.base}/api/v1/whoami`)).json(), { username: 'x', roles: [] });
  await rm(join(dir, '..', `${dir.split('/').pop() ?? ''}-outside.txt`), { force: true });
});

test('every script, module and stylesheet the real index.html names is served', async (t) => {
  const server = await serve(REAL_UI_DIR);
  t.after(() => server.close());
  const html = await readFile(join(REAL_UI_DIR, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="(\/ui\/[^"]+)"/g)].map((m) => m[1] as string);
  assert.ok(refs.length >= 2, 'index.html names its script and stylesheet');
  for (const ref of refs) assert.equal((await fetch(`${server.base}${ref}`)).status, 200, ref);
  // Every relative import inside the modules resolves too.
  const queue = refs.filter((ref) => ref.endsWith('.js'));
  const seen = new Set<string>();
  while (queue.length > 0) {
    const ref = queue.pop() as string;
    if (seen.has(ref)) continue;
    seen.add(ref);
    const res = await fetch(`${server.base}${ref}`);
    assert.equal(res.status, 200, ref);
    for (const m of (await res.text()).matchAll(/(?:from|import)\s*'(\.{1,2}\/[^']+)'/g)) {
      queue.push(new URL(m[1] as string, `http://x${ref}`).pathname);
    }
  }
  assert.ok(seen.size >= 5, `the UI is split into modules (${seen.size} seen)`);
});

test('no UI module parses strings as HTML (event content is hostile)', async () => {
  const files = (await readdir(REAL_UI_DIR, { recursive: true })).filter((f) => f.endsWith('.js'));
  assert.ok(files.length >= 5);
  for (const file of files) {
    const code = (await readFile(join(REAL_UI_DIR, file), 'utf8')).replace(/^\s*\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
    assert.doesNotMatch(code, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|createContextualFragment|\beval\(|new Function/, file);
  }
});
