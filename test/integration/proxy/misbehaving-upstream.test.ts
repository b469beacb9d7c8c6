import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { gzipSync } from 'node:zlib';
import type { AuditEvent } from '@auditgate/shared';
import { EventCollector } from './support/event-collector.js';
import { answer, jsonAnswer, startMisbehavingUpstream, type Behavior, type MisbehavingUpstream, type SeenRequest } from './support/misbehaving-upstream.js';
import { createAgent, startProxy, type ProxyHarness } from './support/proxy-harness.js';

const POLICY = `apiVersion: auditgate.dev/v1
kind: GatewayPolicy
defaultAction: allow
rules:
  - id: mask-secrets
    action: mask
    reason: "secret values are masked"
    match:
      apiGroups: [""]
      resources: [secrets]
auditLevels:
  - level: RequestResponse
`;

const NS = 'fake';
const CM = `/api/v1/namespaces/${NS}/configmaps`;
const configMap = (name: string): Record<string, unknown> => ({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name, namespace: NS }, data: { note: 'not-a-secret' } });
const SECRET_VALUE = Buffer.from('fake-upstream-secret-value').toString('base64');

/** The broken API server's answers, by the last segment of the path. */
function behave(request: SeenRequest): Behavior {
  const name = request.path.split('?')[0]!.split('/').pop() ?? '';
  switch (name) {
    case 'double': // a second, unrequested answer right behind the first, in the same write
      return { writes: [{ bytes: Buffer.concat([jsonAnswer(200, configMap('double')) as Buffer, jsonAnswer(200, configMap('smuggled')) as Buffer]) }] };
    case 'trailing-garbage':
      return { writes: [{ bytes: Buffer.concat([jsonAnswer(200, configMap('trailing')) as Buffer, Buffer.from('garbage that is no answer\r\n\r\n')]) }] };
    case 'late-extra': // a second answer arriving after the first was relayed, while the socket idles in the pool
      return { writes: [{ bytes: jsonAnswer(200, configMap('late-extra')) }, { bytes: jsonAnswer(200, configMap('unsolicited')), delayMs: 150 }] };
    case 'html':
      return { writes: [{ bytes: answer(200, { 'Content-Type': 'text/html' }, '<html>not an API object</html>') }] };
    case 'gzip':
      return { writes: [{ bytes: answer(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, gzipSync(JSON.stringify(configMap('gzip')))) }] };
    case 'switch':
      return { writes: [{ bytes: 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nraw bytes after the switch' }] };
    case 'bad-json':
      return { writes: [{ bytes: answer(200, { 'Content-Type': 'application/json' }, `{"kind":"ConfigMap","data":{"note":"not-a-secret"},}`) }] };
    case 'cut-json':
      return { writes: [{ bytes: answer(200, { 'Content-Type': 'application/json' }, `{"kind":"ConfigMap","data":{"note":"not-a-secret"}`) }] };
    case 'text-404':
      return { writes: [{ bytes: answer(404, { 'Content-Type': 'text/plain' }, '404 page not found\n') }] };
    case 'exec':
      return { writes: [{ bytes: answer(400, { 'Content-Type': 'text/html' }, '<html><body>no upgrade for you</body></html>') }] };
    case 'early': // answers as soon as the headers are in, then reads the body
      return { readBody: false, writes: [{ bytes: jsonAnswer(413, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 413, reason: 'RequestEntityTooLarge', message: 'too large' }) }] };
    default:
      if (request.path.includes('/secrets/bad-json')) {
        return { writes: [{ bytes: answer(200, { 'Content-Type': 'application/json' }, `{"kind":"Secret","data":{"password":"${SECRET_VALUE}"}`) }] };
      }
      return { writes: [{ bytes: jsonAnswer(200, configMap(name)) }] };
  }
}

interface Answer { status: number; head: string; body: string; auditID: string }

/** Sends raw bytes over TLS and reads until the gateway closes (every request here says Connection: close). */
function raw(port: number, bytes: string | Buffer, waitMs = 5000): Promise<Answer> {
  return new Promise((resolve) => {
    let out = Buffer.alloc(0);
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => socket.write(bytes));
    socket.on('data', (d: Buffer) => { out = Buffer.concat([out, d]); });
    socket.on('error', () => undefined);
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      const text = out.toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split === -1 ? text : text.slice(0, split);
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), head, body: split === -1 ? '' : text.slice(split + 4),
        auditID: /\r\naudit-id: ([0-9a-f-]{36})/i.exec(head)?.[1] ?? '',
      });
    };
    const timer = setTimeout(done, waitMs);
    socket.on('close', done);
  });
}

/**
 * A broken or hostile API server (a raw TLS server the test scripts) behind the real gateway: every answer that does
 * not fit its request, or that the gateway cannot inspect, reaches the caller as a Status (not the bytes), the audit
 * event says why, and the upstream connection it came on is never used again.
 */
describe('a misbehaving API server behind the gateway', () => {
  let upstream: MisbehavingUpstream;
  let proxy: ProxyHarness;
  let auth: string;
  const events = new EventCollector();
  const complete = async (auditID: string): Promise<AuditEvent> => {
    assert.ok(auditID !== '', 'the answer carries an Audit-Id');
    const [event] = await events.waitFor(`ResponseComplete of ${auditID}`, (e) => e.auditID === auditID && e.stage === 'ResponseComplete');
    return event!;
  };
  const get = (path: string, extra = ''): Promise<Answer> => raw(proxy.httpsPort, `GET ${path} HTTP/1.1\r\n${auth}${extra}Connection: close\r\n\r\n`, 20_000);
  const seen = (path: string): SeenRequest => {
    const request = upstream.requests.findLast((r) => r.path === path);
    assert.ok(request !== undefined, `the fake API server saw ${path}`);
    return request;
  };
  /** The next ordinary request goes upstream on a connection other than the one the bad answer came on. */
  const nextGoesOnANewConnection = async (tainted: SeenRequest): Promise<void> => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ok = await get(`${CM}/after-${tainted.connection}-${Date.now()}`);
    assert.equal(ok.status, 200, ok.body);
    const next = upstream.requests.at(-1)!;
    assert.notEqual(next.connection, tainted.connection, 'the connection that carried the bad answer is not reused');
  };
  const assertStatus = (got: Answer, code: number): Record<string, unknown> => {
    assert.equal(got.status, code, `${got.head}\n${got.body}`);
    assert.match(got.head, /\r\ncontent-type: application\/json/i);
    const status = JSON.parse(got.body) as Record<string, unknown>;
    assert.equal(status['kind'], 'Status');
    assert.equal(status['code'], code);
    return status;
  };

  before(async () => {
    upstream = await startMisbehavingUpstream(behave);
    const dir = mkdtempSync(join(tmpdir(), 'misbehaving-upstream-'));
    await events.start();
    proxy = await startProxy({
      policy: POLICY,
      env: {
        PROXY_UPSTREAM_KUBECONFIG: upstream.kubeconfig(dir), PROXY_SA_TOKEN_REVIEW: 'false', PROXY_UPSTREAM_HTTP2_STREAMS: '0',
        PROXY_MAX_REQUEST_BODY_BYTES: String(16 * 1024 * 1024),
      },
    });
    const agent = await createAgent('misbehave');
    auth = `Host: gateway\r\nAuthorization: Bearer ${agent.token}\r\n`;
  });
  after(async () => {
    await proxy?.stop();
    await upstream?.close();
    await events.stop();
  });

  it('well-behaved answers share one pooled upstream connection (so the other cases can tell a new one)', async () => {
    const first = await get(`${CM}/pooled-1`);
    const second = await get(`${CM}/pooled-2`);
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    assert.deepEqual(JSON.parse(second.body), configMap('pooled-2'));
    assert.equal(seen(`${CM}/pooled-1`).connection, seen(`${CM}/pooled-2`).connection);
  });

  it('a second answer behind the first on a keep-alive connection: a Status, the event says why, the connection is dropped', async () => {
    const got = await get(`${CM}/double`);
    const status = assertStatus(got, 502);
    assert.ok(!got.body.includes('smuggled'));
    assert.match(String(status['message']), /after its answer/);
    const event = await complete(got.auditID);
    assert.equal(event.auditgate.errorCode, 'AUDITGATE_E_UPSTREAM_UNINSPECTABLE');
    assert.match(event.responseStatus?.message ?? '', /after its answer/);
    await nextGoesOnANewConnection(seen(`${CM}/double`));
  });

  it('bytes that are no answer right behind an answer: a Status, and the connection is dropped', async () => {
    const got = await get(`${CM}/trailing-garbage`);
    assertStatus(got, 502);
    const event = await complete(got.auditID);
    assert.equal(event.auditgate.errorCode, 'AUDITGATE_E_UPSTREAM_UNINSPECTABLE');
    await nextGoesOnANewConnection(seen(`${CM}/trailing-garbage`));
  });

  it('an answer arriving on an idle pooled connection: the connection is dropped, never read as the next answer', async () => {
    const got = await get(`${CM}/late-extra`);
    assert.equal(got.status, 200);
    assert.deepEqual(JSON.parse(got.body), configMap('late-extra'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const next = await get(`${CM}/next-after-late-extra`);
    assert.deepEqual(JSON.parse(next.body), configMap('next-after-late-extra'), 'the unsolicited answer is not served as the next one');
    await nextGoesOnANewConnection(seen(`${CM}/late-extra`));
  });

  it('a 2xx that is not JSON for a resource request: a Status, not the bytes', async () => {
    const got = await get(`${CM}/html`);
    const status = assertStatus(got, 502);
    assert.ok(!got.body.includes('<html>'));
    assert.match(String(status['message']), /media type text\/html/);
    const event = await complete(got.auditID);
    assert.equal(event.auditgate.errorCode, 'AUDITGATE_E_UPSTREAM_UNINSPECTABLE');
    assert.match(event.responseStatus?.message ?? '', /media type text\/html/);
    await nextGoesOnANewConnection(seen(`${CM}/html`));
  });

  it('a plain-text error of the API server becomes a Status with its code and text', async () => {
    const got = await get(`${CM}/text-404`);
    const status = assertStatus(got, 404);
    assert.equal(status['message'], '404 page not found');
    const event = await complete(got.auditID);
    assert.equal(event.responseStatus?.code, 404);
  });

  it('a gzip answer the gateway never asked for: a Status, and the gateway offered no content coding upstream', async () => {
    const got = await get(`${CM}/gzip`, 'Accept-Encoding: gzip\r\n');
    const status = assertStatus(got, 502);
    assert.match(String(status['message']), /content coding gzip/);
    assert.equal(seen(`${CM}/gzip`).headers['accept-encoding'], undefined);
    const event = await complete(got.auditID);
    assert.match(event.responseStatus?.message ?? '', /content coding gzip/);
    await nextGoesOnANewConnection(seen(`${CM}/gzip`));
  });

  it('invalid JSON for a masked Secret: a Status, no byte of the value', async () => {
    const path = `/api/v1/namespaces/${NS}/secrets/bad-json`;
    const got = await get(path);
    const status = assertStatus(got, 502);
    assert.ok(!got.body.includes(SECRET_VALUE));
    assert.match(String(status['message']), /not valid JSON/);
    const event = await complete(got.auditID);
    assert.equal(event.auditgate.errorCode, 'AUDITGATE_E_UPSTREAM_UNINSPECTABLE');
    assert.ok(!JSON.stringify(event).includes(SECRET_VALUE));
    await nextGoesOnANewConnection(seen(path));
  });

  it('invalid JSON for an unmasked resource is caught while it streams: the caller never gets a whole answer', async () => {
    for (const name of ['bad-json', 'cut-json']) {
      const got = await get(`${CM}/${name}`);
      const event = await complete(got.auditID);
      assert.equal(event.auditgate.errorCode, 'AUDITGATE_E_UPSTREAM_UNINSPECTABLE', name);
      assert.match(event.responseStatus?.message ?? '', /not valid JSON/, name);
      if (got.status === 200) {
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(got.head)?.[1] ?? -1);
        assert.ok(length < 0 || Buffer.byteLength(got.body, 'latin1') < length, `${name}: the caller's answer is cut short, never complete`);
      } else assertStatus(got, 502);
      await nextGoesOnANewConnection(seen(`${CM}/${name}`));
    }
  });

  it('a 101 to a request that asked for no upgrade: a Status, and that connection is gone', async () => {
    const got = await get(`${CM}/switch`);
    const status = assertStatus(got, 502);
    assert.match(String(status['message']), /unrequested protocol switch/);
    assert.ok(!got.body.includes('raw bytes'));
    const event = await complete(got.auditID);
    assert.equal(event.auditgate.errorCode, 'AUDITGATE_E_UPSTREAM_UNINSPECTABLE');
    await nextGoesOnANewConnection(seen(`${CM}/switch`));
  });

  it('an exec the API server declines with HTML instead of a Status: the caller gets the gateway\'s Status', async () => {
    const path = `/api/v1/namespaces/${NS}/pods/p/exec?command=true&stdout=true`;
    const got = await raw(proxy.httpsPort, `GET ${path} HTTP/1.1\r\n${auth}Connection: Upgrade\r\nUpgrade: websocket\r\n`
      + 'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n');
    const status = assertStatus(got, 502);
    assert.ok(!got.body.includes('<html>'));
    assert.match(String(status['message']), /declined the upgrade/);
    const event = await complete(got.auditID);
    assert.equal(event.auditgate.errorCode, 'AUDITGATE_E_UPSTREAM_UNINSPECTABLE');
    await nextGoesOnANewConnection(seen(path));
  });

  it('an answer that comes before the request was sent whole: relayed as the Status it is, and that connection is not reused', async () => {
    // Larger than loopback buffers hold while the fake does not read, so the gateway is still writing when the answer comes.
    const body = JSON.stringify({ ...configMap('early'), data: { k: 'x'.repeat(12 * 1024 * 1024) } });
    const got = await raw(proxy.httpsPort, `POST ${CM}/early HTTP/1.1\r\n${auth}Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    const status = assertStatus(got, 413);
    assert.equal(status['reason'], 'RequestEntityTooLarge');
    await complete(got.auditID);
    await nextGoesOnANewConnection(seen(`${CM}/early`));
  });

  it('upgrade headers on a write that cannot upgrade: an ordinary request, headers removed, body framed by the gateway', async () => {
    const body = JSON.stringify(configMap('upgrade-post'));
    const got = await raw(proxy.httpsPort, `POST ${CM} HTTP/1.1\r\n${auth}Connection: Upgrade\r\nUpgrade: websocket\r\nContent-Type: application/json\r\n`
      + `Content-Length: ${body.length}\r\n\r\n${body}`);
    assert.equal(got.status, 200, got.body);
    assert.match(got.head, /\r\nconnection: close/i);
    const request = seen(CM);
    assert.equal(request.method, 'POST');
    assert.equal(request.headers['upgrade'], undefined);
    assert.equal(request.headers['transfer-encoding'], undefined);
    assert.equal(request.headers['content-length'], String(body.length));
    assert.equal(request.body.toString('utf8'), body);
    const event = await complete(got.auditID);
    assert.equal(event.annotations?.['auditgate.dev/upgrade-ignored'], 'websocket');
  });

  it('upgrade headers on a chunked write: refused 400 at once (Node does not report a bad chunk there), not left hanging', async () => {
    const started = Date.now();
    const got = await raw(proxy.httpsPort, `POST ${CM}/never HTTP/1.1\r\n${auth}Connection: Upgrade\r\nUpgrade: websocket\r\nContent-Type: application/json\r\n`
      + 'Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n', 30_000);
    assert.equal(got.status, 400, `${got.head}\n${got.body}`);
    assert.ok(Date.now() - started < 20_000);
    assert.equal(upstream.requests.some((r) => r.path === `${CM}/never`), false);
    const event = await complete(got.auditID);
    assert.equal(event.auditgate.errorCode, 'AUDITGATE_E_BAD_REQUEST');
  });
});
