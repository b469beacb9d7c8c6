import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readKubeCredentials, readStackEnv } from '@auditgate/shared/testing';
import { Http2StreamPool, type Http2UpstreamResponse } from '../../../services/proxy/src/upstream/http2-stream-pool.js';

const stack = readStackEnv(process.env);
const creds = readKubeCredentials(stack);

function open(pool: Http2StreamPool, p: string, headers: Record<string, string>): Promise<Http2UpstreamResponse> {
  return new Promise((resolve, reject) => { pool.request('GET', p, headers, resolve, reject); });
}

describe('HTTP/2 stream pool toward the real kube-apiserver', () => {
  it('multiplexes 150 open watches over 2 connections (100 streams each) and relays their events', async () => {
    const pool = new Http2StreamPool({ origin: stack.kubeApiserverUrl, tls: { ca: creds.ca, rejectUnauthorized: true }, maxStreamsPerSession: 100 });
    const sessions = new Set<unknown>();
    try {
      const auth = { authorization: `Bearer ${creds.adminToken}`, accept: 'application/json' };
      const responses = await Promise.all(Array.from({ length: 150 }, () =>
        open(pool, '/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=30&fieldSelector=metadata.name%3Dkube-root-ca.crt', auth)));
      for (const r of responses) {
        assert.equal(r.statusCode, 200);
        assert.match(String(r.headers['content-type']), /json/);
        sessions.add((r.body as unknown as { session: unknown }).session);
      }
      assert.equal(sessions.size, 2, 'streams share connections, at most 100 each');
      // The API server sends the existing object as an ADDED event on every watch.
      const first = await new Promise<string>((resolve) => responses[149]!.body.once('data', (c: Buffer) => resolve(c.toString('utf8'))));
      assert.match(first, /"type":"ADDED"/);
      for (const r of responses) r.body.destroy();
    } finally {
      pool.close();
    }
  });

  it('answers a request with the API server status (401 for a bad token) rather than failing it', async () => {
    const pool = new Http2StreamPool({ origin: stack.kubeApiserverUrl, tls: { ca: creds.ca, rejectUnauthorized: true }, maxStreamsPerSession: 10 });
    try {
      const r = await open(pool, '/api/v1/namespaces?watch=1', { authorization: 'Bearer not-a-token' });
      assert.equal(r.statusCode, 401);
      r.body.resume();
    } finally { pool.close(); }
  });

  describe('an upstream without HTTP/2', () => {
    let server: Server;
    let dir = '';
    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'auditgate-h1-'));
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem')], { stdio: 'ignore' });
      server = createServer({ key: readFileSync(path.join(dir, 'k.pem')), cert: readFileSync(path.join(dir, 'c.pem')) }, (_req, res) => res.end('{}'));
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
    });
    after(() => { server.close(); rmSync(dir, { recursive: true, force: true }); });

    it('fails the first request with an error and marks the pool unusable, so callers use HTTP/1', async () => {
      const port = (server.address() as AddressInfo).port;
      const pool = new Http2StreamPool({ origin: `https://127.0.0.1:${port}`, tls: { ca: readFileSync(path.join(dir, 'c.pem')), rejectUnauthorized: true }, maxStreamsPerSession: 10 });
      try {
        assert.equal(pool.usable(), true);
        await assert.rejects(open(pool, '/x', {}));
        assert.equal(pool.usable(), false);
      } finally { pool.close(); }
    });
  });
});
