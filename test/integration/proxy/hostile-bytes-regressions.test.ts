import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { chainHash, type AuditEvent } from '@auditgate/shared';
import { apiServerAuditSince, kubectl, readKubeCredentials, readStackEnv, uniqueName, type ApiServerAuditEvent } from '@auditgate/shared/testing';
import { EventCollector } from './support/event-collector.js';
import { createAgent, startProxy, type ProxyHarness } from './support/proxy-harness.js';

const stack = readStackEnv(process.env);
const creds = readKubeCredentials(stack);
const VALUE = `hostile-${uniqueName('pw')}`;
const LEAKS = [VALUE, Buffer.from(VALUE).toString('base64')];
/** The gateway's masking key, which also keys its body digests. */
const MASKING_KEY = randomBytes(32);

/** Sends raw bytes over TLS and returns everything that came back before the server closed or `waitMs` passed. */
function raw(port: number, bytes: string, waitMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => socket.write(bytes));
    socket.on('data', (d: Buffer) => { out += d.toString('latin1'); });
    socket.on('error', () => undefined);
    const done = (): void => { clearTimeout(timer); socket.destroy(); resolve(out); };
    const timer = setTimeout(done, waitMs);
    socket.on('close', done);
  });
}

/** The bytes the API server answers `path` with, asked as the gateway asks it (admin token, JSON). */
function apiServerBytes(url: string, token: string, ca: Buffer, path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { ca, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${path}: ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function statusOf(response: string): number { return Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0); }

/**
 * The four ways the gate broke under hostile bytes (issue #13), each replayed on a raw socket against the example
 * policy, judged by the response bytes, our audit events and the kube-apiserver's own audit log.
 */
describe('hostile bytes: the regressions of issue #13, against the real kube-apiserver', () => {
  let proxy: ProxyHarness;
  let agent: Awaited<ReturnType<typeof createAgent>>;
  let auth: string;
  let auditOffset = 0;
  const events = new EventCollector();
  const mine = (e: AuditEvent): boolean => e.auditgate.actor.username === agent.username;
  const complete = (auditID: string): Promise<AuditEvent[]> => events.waitFor(`ResponseComplete of ${auditID}`, (e) => e.auditID === auditID && e.stage === 'ResponseComplete');
  const auditIdOf = (response: string): string => /\r\naudit-id: ([0-9a-f-]{36})\r\n/i.exec(response)?.[1] ?? '';

  before(async () => {
    auditOffset = readFileSync(creds.auditLog).length;
    await events.start();
    proxy = await startProxy({ policy: readFileSync('services/proxy/policy/example-policy.yaml', 'utf8'), env: { PROXY_MASKING_KEY: MASKING_KEY.toString('hex') } });
    agent = await createAgent('hostile');
    auth = `Host: gateway\r\nAuthorization: Bearer ${agent.token}\r\n`;
    await kubectl(stack, creds.adminKubeconfig, ['-n', agent.namespace, 'create', 'secret', 'generic', 'db', `--from-literal=password=${VALUE}`]);
  });
  after(async () => {
    await kubectl(stack, creds.adminKubeconfig, ['delete', 'namespace', agent.namespace, '--wait=false']).catch(() => undefined);
    await proxy.stop();
    await events.stop();
  });

  it('a chunked body on a GET is refused before anything is forwarded: no smuggled request reaches the API server', async () => {
    const inner = 'GET /api/v1/namespaces/kube-system/secrets HTTP/1.1\r\nX-Swallow: ';
    const smuggle = `GET /api/v1/namespaces/${agent.namespace}/pods HTTP/1.1\r\n${auth}Transfer-Encoding: chunked\r\n\r\n${inner.length.toString(16)}\r\n${inner}\r\n0\r\n\r\n`;
    const answer = await raw(proxy.httpsPort, smuggle);
    assert.equal(statusOf(answer), 400);
    assert.match(answer, /"kind":"Status"/);
    assert.match(answer, /\r\nconnection: close\r\n/i);
    const [event] = await complete(auditIdOf(answer));
    assert.equal(event!.auditgate.errorCode, 'AUDITGATE_E_BAD_REQUEST');
    // An innocent request right after gets its own answer, on a fresh connection as on a reused one.
    const innocent = await raw(proxy.httpsPort, `GET /api/v1/namespaces/${agent.namespace}/serviceaccounts HTTP/1.1\r\n${auth}Connection: close\r\n\r\n`);
    assert.equal(statusOf(innocent), 200);
    assert.match(innocent, /"kind":"ServiceAccountList"/);
    const upstream = (await apiServerAuditSince(creds.auditLog, auditOffset)).filter((e: ApiServerAuditEvent) =>
      e.objectRef?.namespace === 'kube-system' && e.objectRef.resource === 'secrets' && e.user?.username === 'auditgate-gateway');
    assert.deepEqual(upstream, [], 'the API server never served a kube-system Secret list to the gateway');
  });

  it('Accept: application/yaml on a masked Secret (and a YAML Table with objects) gets YAML made from the masked JSON', async () => {
    for (const [path, accept] of [
      [`/api/v1/namespaces/${agent.namespace}/secrets/db`, 'application/yaml'],
      [`/api/v1/namespaces/${agent.namespace}/secrets?includeObject=Object`, 'application/yaml;as=Table;v=v1;g=meta.k8s.io'],
    ] as const) {
      const answer = await raw(proxy.httpsPort, `GET ${path} HTTP/1.1\r\n${auth}Accept: ${accept}\r\nConnection: close\r\n\r\n`);
      assert.equal(statusOf(answer), 200, answer.slice(0, 300));
      assert.match(answer, /\r\ncontent-type: application\/yaml\r\n/i);
      for (const leak of LEAKS) assert.ok(!answer.includes(leak), `${accept}: no plaintext`);
      assert.match(answer, /password: /);
    }
  });

  it('upgrade headers on a Secret GET are ignored: an ordinary, masked answer, then the connection closes', async () => {
    const answer = await raw(proxy.httpsPort, `GET /api/v1/namespaces/${agent.namespace}/secrets/db HTTP/1.1\r\n${auth}Connection: Upgrade\r\nUpgrade: websocket\r\n`
      + 'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    assert.equal(statusOf(answer), 200);
    for (const leak of LEAKS) assert.ok(!answer.includes(leak), 'no plaintext');
    assert.match(answer, /\r\nconnection: close\r\n/i);
    const [event] = await complete(auditIdOf(answer));
    assert.equal(event!.annotations?.['auditgate.dev/upgrade-ignored'], 'websocket');
  });

  it('HTTP2-Settings (and every other connection-specific header) on a watch: served, and the gateway stays up', async () => {
    const answer = await raw(proxy.httpsPort, `GET /api/v1/namespaces/${agent.namespace}/secrets?watch=true&timeoutSeconds=1 HTTP/1.1\r\n${auth}`
      + 'HTTP2-Settings: AAMAAABkAAQAAP__\r\nTE: gzip\r\nKeep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nConnection: close, x-hop\r\nX-Hop: 1\r\n\r\n', 4000);
    assert.equal(statusOf(answer), 200);
    assert.match(answer, /"type":"ADDED"/);
    for (const leak of LEAKS) assert.ok(!answer.includes(leak), 'no plaintext in the watch');
    const ready = await fetch(`http://127.0.0.1:${proxy.opsPort}/readyz`);
    assert.equal(ready.status, 200);
  });

  it('a masked read records what happened: masked paths, no cut, and a keyed digest (not the plain SHA-256 of the Secret)', async () => {
    const path = `/api/v1/namespaces/${agent.namespace}/secrets/db`;
    const answer = await raw(proxy.httpsPort, `GET ${path} HTTP/1.1\r\n${auth}Accept: application/json\r\nConnection: close\r\n\r\n`);
    assert.equal(statusOf(answer), 200);
    const id = auditIdOf(answer);
    const [event] = await complete(id);
    const response = event!.auditgate.body?.response;
    assert.ok(response !== undefined && mine(event!));
    assert.deepEqual(response.maskedPaths, ['/data/password']);
    assert.equal(response.truncated, false);
    assert.equal(response.digest, 'hmac-sha256');
    // The unmasked bytes the API server gave the gateway (the Secret is unchanged, so they are the same bytes again).
    const upstream = await apiServerBytes(stack.kubeApiserverUrl, creds.adminToken, creds.ca, path);
    assert.ok(upstream.includes(Buffer.from(Buffer.from(VALUE).toString('base64'))), 'the bytes the gateway digested hold the value');
    assert.equal(response.sha256, createHmac('sha256', MASKING_KEY).update(upstream).digest('hex'), 'the digest is HMAC-SHA256 under the masking key over exactly those bytes');
    const plain = createHash('sha256').update(upstream).digest();
    const records = events.raw.filter((_, i) => events.events[i]!.auditID === id);
    assert.ok(records.length >= 2);
    for (const text of records) {
      for (const form of [plain.toString('hex'), plain.toString('base64'), plain.toString('base64url')]) {
        assert.ok(!text.toLowerCase().includes(form.toLowerCase()), 'the plain SHA-256 of the unmasked body is nowhere in the record');
      }
    }
  });

  it('under a mask, writes cannot reveal or destroy the value: error text withheld, copy/test patches refused, markers never written back', async () => {
    const path = `/api/v1/namespaces/${agent.namespace}/secrets/db?dryRun=All`;
    const patch = (type: string, body: string): Promise<string> => raw(proxy.httpsPort,
      `PATCH ${path} HTTP/1.1\r\n${auth}Content-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    const invalid = await patch('application/merge-patch+json', '{"type":5}');
    assert.equal(statusOf(invalid), 422, invalid.slice(0, 300));
    for (const leak of LEAKS) assert.ok(!invalid.includes(leak), 'the error text that quotes the patched Secret is withheld');
    assert.match(invalid, /withheld under mask rule/);
    const [event] = await complete(auditIdOf(invalid));
    for (const leak of LEAKS) assert.ok(!JSON.stringify(event).includes(leak), 'nor is it in the record');
    const copy = await patch('application/json-patch+json', '[{"op":"add","path":"/metadata/annotations","value":{}},{"op":"copy","from":"/data/password","path":"/metadata/annotations/x"}]');
    assert.equal(statusOf(copy), 403);
    const probe = await patch('application/json-patch+json', `[{"op":"test","path":"/data/password","value":"${Buffer.from(VALUE).toString('base64')}"}]`);
    assert.equal(statusOf(probe), 403, 'a test op would confirm a guess');
    const read = await raw(proxy.httpsPort, `GET /api/v1/namespaces/${agent.namespace}/secrets/db HTTP/1.1\r\n${auth}Connection: close\r\n\r\n`);
    const masked = read.slice(read.indexOf('\r\n\r\n') + 4);
    const put = await raw(proxy.httpsPort, `PUT /api/v1/namespaces/${agent.namespace}/secrets/db HTTP/1.1\r\n${auth}Content-Type: application/json\r\n`
      + `Content-Length: ${Buffer.byteLength(masked)}\r\nConnection: close\r\n\r\n${masked}`);
    assert.equal(statusOf(put), 400, 'writing the masked answer back is refused');
    const stored = JSON.parse(await kubectl(stack, creds.adminKubeconfig, ['-n', agent.namespace, 'get', 'secret', 'db', '-o', 'json'])) as { data: { password: string } };
    assert.equal(Buffer.from(stored.data.password, 'base64').toString(), VALUE, 'the real value is still stored');
  });

  it('a lone surrogate in a JSON body ("\\ud800", valid JSON) is forwarded and recorded, and its record verifies', async () => {
    // A ServiceAccount: its writes are recorded at RequestResponse under the example policy, so the body is in the record.
    const body = `{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"surrogate","annotations":{"k":"a\\ud800b"}}}`;
    const answer = await raw(proxy.httpsPort, `POST /api/v1/namespaces/${agent.namespace}/serviceaccounts HTTP/1.1\r\n${auth}Content-Type: application/json\r\n`
      + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    assert.notEqual(statusOf(answer), 503, `not refused as if the audit log were down: ${answer.slice(0, 300)}`);
    const id = auditIdOf(answer);
    await complete(id);
    const records = events.events.map((e, i) => ({ e, raw: events.raw[i]! })).filter(({ e }) => e.auditID === id);
    assert.deepEqual(records.map(({ e }) => e.stage).sort(), ['RequestReceived', 'ResponseComplete']);
    for (const { e, raw: text } of records) {
      assert.equal(chainHash(JSON.parse(text) as AuditEvent), e.auditgate.chain?.hash, `the ${e.stage} record verifies against its hash`);
    }
    const received = records.find(({ e }) => e.stage === 'RequestReceived')!.e as AuditEvent & { requestObject?: { metadata?: { annotations?: { k?: string } } } };
    // The chain hashes I-JSON only: the lone surrogate is recorded as U+FFFD, which is also what the API server stores.
    assert.equal(received.requestObject?.metadata?.annotations?.k, 'a\ufffdb', 'the recorded body has U+FFFD for the lone surrogate');
    const storedSa = JSON.parse(await kubectl(stack, creds.adminKubeconfig, ['-n', agent.namespace, 'get', 'serviceaccount', 'surrogate', '-o', 'json'])) as { metadata: { annotations: { k: string } } };
    assert.equal(storedSa.metadata.annotations.k, received.requestObject?.metadata?.annotations?.k, 'the record matches the stored object');
    const upstream = (await apiServerAuditSince(creds.auditLog, auditOffset)).filter((e) => e.auditID === id);
    assert.ok(upstream.length > 0, 'forwarded: the kube-apiserver logged it');
  });

  it('the API server logged our audit ID for what the gateway forwarded', async () => {
    const answer = await raw(proxy.httpsPort, `GET /api/v1/namespaces/${agent.namespace}/configmaps HTTP/1.1\r\n${auth}Connection: close\r\n\r\n`);
    const id = auditIdOf(answer);
    const seen = (await apiServerAuditSince(creds.auditLog, auditOffset)).filter((e) => e.auditID === id);
    assert.ok(seen.length > 0, 'the kube-apiserver audit log carries the gateway\'s audit ID');
    assert.equal(seen[0]!.user?.username, 'auditgate-gateway');
    assert.equal(seen[0]!.verb, 'list');
  });
});
