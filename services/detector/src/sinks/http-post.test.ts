import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAppError } from '@auditgate/shared';
import { createHttpPost } from './http-post.js';
import { postJson, type FetchLike } from './post-json.js';

/** A local receiver answering each path its own way, recording what it was sent. */
async function receiver() {
  const seen: Array<{ path: string; headers: IncomingHttpHeaders; body: string }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (req.url === '/slow') { setTimeout(() => res.writeHead(200).end('late'), 2000).unref(); return; }
      const status = req.url === '/busy' ? 503 : req.url === '/bad' ? 400 : 200;
      res.writeHead(status, { 'content-type': 'application/json' }).end(status === 200 ? '{"status":"ok"}' : `{"status":${status}}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, seen, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

async function outcome(post: FetchLike, url: string, body: string, timeoutMs = 1000): Promise<string> {
  try {
    return `ok ${await postJson(post, url, body, { 'x-auditgate-dedup-key': 'R|a|*|1' }, timeoutMs)}`;
  } catch (error) {
    assert.ok(isAppError(error));
    return `${error.code} retriable=${error.retriable}`;
  }
}

// The same contract for both: createHttpPost().post replaces fetch in the detector, fetch stays a valid dependency.
for (const [name, make] of [['createHttpPost', () => createHttpPost()], ['fetch', () => ({ post: fetch as FetchLike, close: () => undefined })]] as const) {
  test(`${name}: postJson's answers, failures and timeouts`, async () => {
    const r = await receiver();
    const http = make();
    try {
      const body = JSON.stringify({ summary: 'Secret read — prod/db ✓', n: 1 });
      assert.equal(await outcome(http.post, `${r.base}/ok`, body), 'ok {"status":"ok"}');
      assert.equal(r.seen[0]!.body, body);
      assert.equal(r.seen[0]!.headers['content-type'], 'application/json');
      assert.equal(r.seen[0]!.headers['content-length'], String(Buffer.byteLength(body)));
      assert.equal(r.seen[0]!.headers['x-auditgate-dedup-key'], 'R|a|*|1');
      assert.equal(await outcome(http.post, `${r.base}/busy`, body), 'AUDITGATE_E_UPSTREAM_UNAVAILABLE retriable=true');
      assert.equal(await outcome(http.post, `${r.base}/bad`, body), 'AUDITGATE_E_BAD_REQUEST retriable=false');
      assert.equal(await outcome(http.post, `${r.base}/slow`, body, 200), 'AUDITGATE_E_UPSTREAM_UNAVAILABLE retriable=true');
      // Many at once over the kept-alive connections, then the receiver gone.
      const many = await Promise.all(Array.from({ length: 50 }, (_, i) => outcome(http.post, `${r.base}/ok`, `{"i":${i}}`)));
      assert.deepEqual(new Set(many), new Set(['ok {"status":"ok"}']));
      await r.close();
      assert.equal(await outcome(http.post, `${r.base}/ok`, body), 'AUDITGATE_E_UPSTREAM_UNAVAILABLE retriable=true');
    } finally {
      http.close();
      await r.close();
    }
  });
}

test('createHttpPost refuses a URL that is neither http nor https', async () => {
  const http = createHttpPost();
  await assert.rejects(http.post('ftp://127.0.0.1/x', { method: 'POST', headers: {}, body: '{}', signal: AbortSignal.timeout(1000) }), TypeError);
  http.close();
  http.close();
});

test('createHttpPost keeps at most 64 KiB of a sink\'s answer (a sink cannot grow the detector\'s memory)', async () => {
  const server = createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(200).end(Buffer.alloc(5 * 1024 * 1024, 'a'))); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const http = createHttpPost();
  try {
    const answer = await http.post(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { method: 'POST', headers: {}, body: '{}', signal: AbortSignal.timeout(5000) });
    assert.equal(answer.status, 200);
    assert.equal((await answer.text()).length, 64 * 1024);
  } finally {
    http.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
