import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAppError } from '@auditgate/shared';
import type { ExchangeRecord } from '../audit/exchange-record.js';
import { classifyRequest } from '../classify/request-info.js';
import { createMasker } from '../masking/index.js';
import { createPolicyEvaluator, parsePolicy } from '../policy/index.js';
import { decodeKubernetesProtobuf } from '../protobuf/index.js';
import type { ExchangeDeps } from './exchange-deps.js';
import { inspectRequestBody, isProxySubresource } from './inspect-request-body.js';

const KEY = randomBytes(32);
const POLICY = createPolicyEvaluator(parsePolicy(`apiVersion: auditgate.dev/v1
kind: GatewayPolicy
defaultAction: deny
rules: []
auditLevels:
  - level: RequestResponse
`, 'test-policy.yaml'));

/** The parts of the exchange dependencies that inspecting a body reads, all real. */
const deps = {
  policy: () => POLICY, masker: createMasker(KEY), decodeProtobuf: (body: Buffer) => decodeKubernetesProtobuf(body),
  maxRequestBodyBytes: 64 * 1024, maxRecordedBodyBytes: 1024, digestKey: createSecretKey(KEY),
} satisfies Partial<ExchangeDeps> as unknown as ExchangeDeps;

interface Inspected { status: number; returned?: string; record?: ExchangeRecord; code?: string }

describe('inspectRequestBody: proxy subresources carry opaque bodies', () => {
  let server: Server;
  let port = 0;
  before(async () => {
    // A real HTTP server, so the body is read from a real IncomingMessage.
    server = createServer((req, res) => {
      const record = { auditID: 'a', receivedAt: 0, requestURI: req.url ?? '', verb: 'create', level: 'RequestResponse', sourceIP: '127.0.0.1' } as ExchangeRecord;
      inspectRequestBody(deps, req, record, classifyRequest(req.method ?? 'GET', req.url ?? '/')).then(
        (body) => res.end(JSON.stringify({ status: 200, returned: body.toString('latin1'), record })),
        (error: unknown) => res.end(JSON.stringify({ status: isAppError(error) ? error.status : 500, code: isAppError(error) ? error.code : String(error) })),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const inspect = async (method: string, path: string, contentType: string, body: string): Promise<Inspected> => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers: { 'content-type': contentType }, body });
    return await res.json() as Inspected;
  };

  it('relays text and form bodies to pods/proxy, services/proxy and nodes/proxy under default-deny, recording size and keyed digest only', async () => {
    const secret = `password=${randomBytes(8).toString('hex')}`;
    for (const [method, path, contentType, body] of [
      ['POST', '/api/v1/namespaces/ns/pods/web/proxy/login', 'application/x-www-form-urlencoded', `user=admin&${secret}`],
      ['PUT', '/api/v1/namespaces/ns/services/https:web:443/proxy/config', 'text/plain; charset=utf-8', `${secret}\n`],
      ['POST', '/api/v1/nodes/node-1/proxy/run/ns/pod/c', 'text/plain', 'cmd=ls'],
      ['POST', '/api/v1/proxy/namespaces/ns/pods/web/login', 'text/html', `<p>${secret}</p>`],
      ['PATCH', '/api/v1/namespaces/ns/pods/web/proxy/', 'application/json', '{"not":"a kubernetes object"'],
    ] as const) {
      const out = await inspect(method, path, contentType, body);
      assert.equal(out.status, 200, `${path}: ${out.code ?? ''}`);
      assert.equal(out.returned, body, 'the body goes on as sent');
      const bytes = Buffer.from(body);
      assert.deepEqual(out.record?.requestBody, {
        bytes: bytes.length, sha256: createHmac('sha256', KEY).update(bytes).digest('hex'), digest: 'hmac-sha256', truncated: false, maskedPaths: [], contentType,
      });
      assert.equal(out.record?.requestObject, undefined);
      assert.match(out.record?.notes?.['auditgate.dev/request-object'] ?? '', /^opaque: /);
      const recorded = JSON.stringify(out.record);
      assert.ok(!recorded.includes(secret), 'nothing of the body is in the record');
      assert.ok(!recorded.includes(createHash('sha256').update(bytes).digest('hex')), 'nor its plain SHA-256');
    }
  });

  it('a non-Kubernetes body anywhere else is still refused 415, and a Kubernetes object still recorded', async () => {
    for (const path of ['/api/v1/namespaces/ns/pods/web/status', '/api/v1/namespaces/ns/configmaps', '/apis/example.com/v1/namespaces/ns/pods/web/proxy/x']) {
      const out = await inspect('POST', path, 'text/plain', 'hello');
      assert.deepEqual([out.status, out.code], [415, 'AUDITGATE_E_UNSUPPORTED_MEDIA_TYPE'], path);
    }
    const out = await inspect('POST', '/api/v1/namespaces/ns/configmaps', 'application/json', '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"v"}}');
    assert.deepEqual((out.record?.requestObject as { data?: unknown }).data, { k: 'v' });
  });

  it('knows the proxy subresources as the API server names them', () => {
    const yes = ['/api/v1/namespaces/n/pods/p/proxy', '/api/v1/namespaces/n/services/s/proxy/a/b', '/api/v1/nodes/n/proxy/x', '/api/v1/proxy/nodes/n/x'];
    const no = ['/api/v1/namespaces/n/pods/p/exec', '/api/v1/namespaces/n/pods/p', '/api/v1/namespaces/n/configmaps/proxy', '/apis/x.io/v1/namespaces/n/pods/p/proxy'];
    for (const path of yes) assert.equal(isProxySubresource(classifyRequest('POST', path)), true, path);
    for (const path of no) assert.equal(isProxySubresource(classifyRequest('POST', path)), false, path);
  });
});
