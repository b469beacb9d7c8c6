import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createIssuerFetch } from './issuer-fetch.js';

describe('createIssuerFetch on real sockets', () => {
  let server: Server;
  let base = '';
  const seen: Array<{ url: string; authorization: string | undefined; method: string; body: string }> = [];

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
      req.on('end', () => {
        seen.push({ url: req.url ?? '', authorization: req.headers.authorization, method: req.method ?? '', body });
        if (req.url === '/big') { res.end('x'.repeat(2048)); return; }
        if (req.url?.endsWith('/moved') === true) { res.writeHead(302, { location: '/elsewhere' }).end(); return; }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
      });
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => { server.close(); });

  it('an API server connection: its credentials on every request, to its own address only', async () => {
    const apiServer = { target: () => ({ server: new URL(`${base}/prefix`), tls: { rejectUnauthorized: true }, identityDescription: 'test' }), authorization: async () => 'Bearer gateway-secret' };
    const fetch = createIssuerFetch({ apiServer, timeoutMs: 2000 });
    try {
      const answer = await fetch.fetch(`${base}/prefix/apis/x`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
      assert.deepEqual(await answer.json(), { ok: true });
      assert.deepEqual(seen.at(-1), { url: '/prefix/apis/x', authorization: 'Bearer gateway-secret', method: 'POST', body: '{"a":1}' });
      const count = seen.length;
      for (const url of [`${base}/other`, 'http://localhost:1/prefix/x', `${base}/prefixed`]) {
        await assert.rejects(fetch.fetch(url), /its credentials go nowhere else/, url);
      }
      assert.equal(seen.length, count, 'nothing was sent');
      assert.equal((await fetch.fetch(`${base}/prefix/moved`)).status, 302, 'redirects are not followed');
    } finally {
      await fetch.close();
      await fetch.close();
    }
  });

  it('bounds the answer and refuses plain http with a pinned CA', async () => {
    const small = createIssuerFetch({ timeoutMs: 2000, maxBytes: 1024 });
    await assert.rejects(small.fetch(`${base}/big`), /larger than 1024 bytes/);
    assert.equal((await small.fetch(`${base}/ok`)).status, 200);
    await small.close();
    const viaBase = createIssuerFetch({ timeoutMs: 2000, maxBytes: 1024, baseFetch: fetch });
    await assert.rejects(viaBase.fetch(`${base}/big`), /larger than 1024 bytes/);
    const pinned = createIssuerFetch({ timeoutMs: 2000, caFile: new URL(import.meta.url).pathname });
    await assert.rejects(pinned.fetch(`${base}/ok`), /must use https/);
    await pinned.close();
  });
});
