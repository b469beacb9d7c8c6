/**
 * Parity of the proxy's request classifier with the real kube-apiserver: every request shape below is sent straight
 * to the API server with a unique User-Agent, and the API server's own audit event for it (verb and objectRef) must
 * equal what `classifyRequest` computes from the same method and request target. The API server is the oracle.
 * Everything that writes targets a namespace created for this run (deleted at the end), names that do not exist, or
 * an API group that does not exist; a 4xx still gets an audit event with the API server's classification.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { request, Agent } from 'node:https';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';
import { auditVerb, classifyRequest, toObjectRef } from '../../../services/proxy/src/classify/index.js';
import { EventCollector } from './support/event-collector.js';
import { createAgent, startProxy } from './support/proxy-harness.js';

const stack = readStackEnv(process.env);
const base = new URL(stack.kubeApiserverUrl);
const ca = readFileSync(join(stack.kubeState, 'pki', 'ca.crt'));
const auditLog = join(stack.kubeState, 'audit.log');
const token = readAdminToken();
const agent = new Agent({ ca, keepAlive: true, maxSockets: 6 });
const ns = uniqueName('ag-parity');
const runId = randomUUID();

/**
 * `METHOD target`; `{ns}` is this run's namespace, `{origin}` the API server's origin (absolute-form target). Writes
 * get a `{}` JSON body. A leading `!` marks a request the API server rejects before auditing it.
 */
const CORPUS: readonly string[] = [
  // non-resource
  'GET /healthz', 'HEAD /healthz', 'POST /healthz', 'GET /version', 'GET /version/', 'GET /api', 'GET /api/',
  'PUT /api', 'GET /api/v1', 'GET /api/v1/', 'GET /apis', 'GET /apis/apps', 'GET /apis/apps/', 'GET /apis/apps/v1',
  'GET /apis/apps/v1/', 'GET /openapi/v2', 'GET /openapi/v3', 'GET /livez?verbose', 'GET /readyz', 'GET /',
  'GET /metrics', 'GET /foo/bar/baz', 'GET /.well-known/openid-configuration', 'GET /openid/v1/jwks',
  // list / watch
  'GET /api/v1/namespaces/{ns}/pods', 'HEAD /api/v1/namespaces/{ns}/pods', 'GET /api/v1/pods', 'GET /api/v1/secrets?limit=500',
  'GET /api/v1/namespaces/{ns}/secrets', 'GET /api/v1/namespaces/{ns}/pods?watch=1', 'GET /api/v1/namespaces/{ns}/pods?watch=true',
  'GET /api/v1/namespaces/{ns}/pods?watch=false', 'GET /api/v1/namespaces/{ns}/pods?watch=0', 'GET /api/v1/namespaces/{ns}/pods?watch=garbage',
  'GET /api/v1/namespaces/{ns}/pods?watch=FALSE', 'GET /api/v1/namespaces/{ns}/pods?watch=', 'GET /api/v1/namespaces/{ns}/pods?watch',
  'GET /api/v1/namespaces/{ns}/pods?watch=fal%C5%BFe', 'GET /api/v1/namespaces/{ns}/pods?watch=False&watch=true',
  'GET /api/v1/namespaces/{ns}/pods?watch=no', 'GET /api/v1/namespaces/{ns}/pods?w%61tch=1', 'GET /api/v1/namespaces/{ns}/pods?watch=1;x=2',
  'GET /api/v1/namespaces/{ns}/pods?watch=%zz', 'GET /api/v1/namespaces/{ns}/pods?watch=1&limit=abc',
  'GET /api/v1/namespaces/{ns}/pods?watch=fal%C5%BFe&limit=abc', 'GET /api/v1/secrets?watch=true', 'GET /api/v1/watch/secrets',
  'GET /api/v1/watch/namespaces/{ns}/pods', 'GET /api/v1/watch/namespaces/{ns}/pods/x', 'GET /api/v1/watch/namespaces/{ns}/pods?watch=0',
  'GET /apis/apps/v1/watch/deployments', 'GET /apis/apps/v1/deployments?watch=true&timeoutSeconds=1',
  'GET /api/v1/namespaces/{ns}/pods?watch=1&timeoutSeconds=abc',
  // fieldSelector
  'GET /api/v1/namespaces/{ns}/secrets?fieldSelector=metadata.name%3Ddb',
  'GET /api/v1/namespaces/{ns}/secrets?fieldSelector=metadata.name%3D%3Ddb',
  'GET /api/v1/namespaces/{ns}/secrets?fieldSelector=metadata.name!%3Ddb',
  'GET /api/v1/namespaces/{ns}/secrets?fieldSelector=metadata.namespace%3D{ns},metadata.name%3Dzz',
  'GET /api/v1/namespaces/{ns}/secrets?fieldSelector=metadata.name%3Db,metadata.name%3Da',
  'GET /api/v1/namespaces/{ns}/secrets?fieldSelector=metadata.name%3D%3Db,metadata.name%3Dc',
  'GET /api/v1/namespaces/{ns}/secrets?fieldSelector=metadata.name%3Da%2Fb',
  'GET /api/v1/namespaces/{ns}/secrets?fieldSelector=metadata.name%3D%25x',
  'GET /api/v1/namespaces/{ns}/secrets?fieldSelector=metadata.name%3D..',
  'GET /api/v1/namespaces/{ns}/secrets?fieldSelector=metadata.name%3Da+b',
  'GET /api/v1/namespaces/{ns}/secrets?fieldSelector=metadata.name%3Da%5C,b',
  'GET /api/v1/namespaces/{ns}/secrets?fieldSelector=metadata.name%3Da%5Cx',
  'GET /api/v1/namespaces/{ns}/secrets?fieldSelector=metadata.name',
  'GET /api/v1/namespaces/{ns}/secrets?fieldSelector=metadata.name%3Ddb&limit=abc',
  'GET /api/v1/namespaces/{ns}/secrets?fieldSelector=metadata.name%3Ddb&limit=10',
  'GET /api/v1/namespaces/{ns}/secrets?fieldSelector=metadata.name%3Ddb&labelSelector=a%3D%3D%3Db',
  'GET /api/v1/namespaces/{ns}/secrets?fieldSelector=metadata.name%3Ddb&labelSelector=app%3Dweb,tier+in+(a,b)',
  'GET /api/v1/namespaces/{ns}/secrets?fieldSelector=metadata.name%3Ddb&labelSelector=-bad',
  'GET /api/v1/namespaces/{ns}/secrets?fieldSelector=metadata.name%3Ddb&labelSelector=x>abc',
  'GET /api/v1/namespaces/{ns}/secrets?fieldSelector=metadata.name%3Ddb&labelSelector=!x',
  'GET /api/v1/namespaces/{ns}/secrets?fieldSelector=metadata.name%3Ddb&watch=1',
  'GET /api/v1/secrets?fieldSelector=metadata.name%3Ddb',
  'GET /api/v1/namespaces/{ns}/secrets/db?fieldSelector=metadata.name%3Dother',
  'GET /api/v1/watch/namespaces/{ns}/secrets?fieldSelector=metadata.name%3Ddb',
  'DELETE /api/v1/namespaces/{ns}/secrets?fieldSelector=metadata.name%3Dzz',
  // get / write / delete on names that do not exist
  'GET /api/v1/namespaces/{ns}/pods/x', 'HEAD /api/v1/namespaces/{ns}/pods/x', 'GET /api/v1/namespaces/{ns}/secrets/db',
  'GET /api/v1/namespaces/{ns}/configmaps/secret-foo', 'POST /api/v1/namespaces/{ns}/configmaps', 'POST /api/v1/configmaps',
  'PUT /api/v1/namespaces/{ns}/configmaps/missing', 'PATCH /api/v1/namespaces/{ns}/configmaps/missing',
  'PATCH /api/v1/namespaces/{ns}/secrets/db', 'DELETE /api/v1/namespaces/{ns}/configmaps/missing',
  'DELETE /api/v1/namespaces/{ns}/pods', 'DELETE /api/v1/namespaces/{ns}/configmaps/', 'DELETE /apis/nonexistent.example.com/v1/widgets',
  'OPTIONS /api/v1/namespaces/{ns}/pods',
  // subresources
  'GET /api/v1/namespaces/{ns}/pods/x/status', 'PUT /api/v1/namespaces/{ns}/pods/x/status', 'GET /api/v1/namespaces/{ns}/pods/web/log',
  'POST /api/v1/namespaces/{ns}/pods/web/exec?command=sh', 'GET /api/v1/namespaces/{ns}/pods/web/exec?command=sh',
  'GET /api/v1/namespaces/{ns}/pods/web/attach', 'POST /api/v1/namespaces/{ns}/pods/web/portforward',
  'PATCH /api/v1/namespaces/{ns}/pods/x/ephemeralcontainers', 'PUT /api/v1/namespaces/{ns}/pods/x/ephemeralcontainers',
  'POST /api/v1/namespaces/{ns}/serviceaccounts/missing/token', 'POST /api/v1/namespaces/{ns}/pods/x/eviction',
  'POST /api/v1/namespaces/{ns}/pods/x/binding', 'GET /apis/apps/v1/namespaces/{ns}/deployments/x/scale',
  'PATCH /apis/apps/v1/namespaces/{ns}/deployments/x/scale', 'GET /apis/apps/v1/namespaces/{ns}/deployments/x/status',
  'GET /api/v1/namespaces/{ns}/pods/x/status/extra/parts',
  // proxy
  'GET /api/v1/namespaces/{ns}/pods/x/proxy', 'GET /api/v1/namespaces/{ns}/pods/x/proxy/some/path?q=1',
  'GET /api/v1/namespaces/{ns}/services/x:80/proxy/', 'GET /api/v1/nodes/missing-node/proxy/metrics',
  'GET /api/v1/proxy/namespaces/{ns}/pods/x/foo', 'GET /api/v1/proxy/nodes/missing-node', 'POST /api/v1/proxy/namespaces/{ns}/services/x',
  // namespaces
  'GET /api/v1/namespaces', 'GET /api/v1/namespaces/{ns}', 'GET /api/v1/namespaces/secrets', 'GET /api/v1/namespaces/{ns}/status',
  'PUT /api/v1/namespaces/missing-ns-zz/finalize', 'PUT /api/v1/namespaces/missing-ns-zz/status', 'GET /api/v1/namespaces/{ns}/finalize/x',
  'GET /api/v1/namespaces/{ns}/status/extra', 'GET /api/v1/namespaces?watch=1',
  // cluster-scoped and other groups
  'GET /api/v1/nodes', 'GET /api/v1/nodes/missing-node', 'GET /apis/rbac.authorization.k8s.io/v1/clusterroles/cluster-admin',
  'GET /apis/rbac.authorization.k8s.io/v1/clusterrolebindings', 'GET /apis/storage.k8s.io/v1/storageclasses',
  'POST /apis/authorization.k8s.io/v1/selfsubjectrulesreviews', 'POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
  'GET /apis/apps/v1/namespaces/{ns}/deployments', 'GET /apis/apps/v1/deployments?watch=true',
  'GET /apis/example.com/v1/widgets', 'GET /apis/example.com/v1/namespaces/{ns}/widgets/w1',
  'PUT /apis/example.com/v1alpha1/namespaces/{ns}/widgets/w1/status', 'GET /apis/stable.example.co.uk/v1/namespaces/{ns}/crontabs?watch=true',
  'GET /apis/example.com/v1/watch/namespaces/{ns}/widgets', 'GET /apis/apps/watch/v1', 'GET /apis/v1/pods/x',
  // encodings, slashes and dots
  'GET /api/v1/namespaces/{ns}/configmaps/a%2Fb', 'GET /api/v1/namespaces/{ns}/configmaps/caf%C3%A9', 'GET /api/v1/namespaces/{ns}/configmaps/%FF',
  'GET /api/v1/namespaces/{ns}/configmaps/a%20b', 'GET /api/v1/namespaces/{ns}/configmaps/a+b', 'GET /api/v1/namespaces/{ns}%2Fsecrets',
  'GET /api/v1/name%73paces/{ns}/pods', 'GET /api/v1/namespaces/{ns}/configmaps/%2e%2e', 'GET /api%2Fv1%2Fpods',
  'GET /api/v1/namespaces/{ns}/configmaps/x%3Fy', 'GET /api/v1/namespaces/{ns}/configmaps/x%23y', 'GET /api/v1/namespaces//pods',
  'GET //api/v1/pods', 'GET /api/v1/pods/', 'GET /api/v1/namespaces/{ns}/pods//x', 'GET /api/v1/namespaces/{ns}/pods/../secrets',
  'GET /api/v1/namespaces/{ns}/pods/./x', 'GET /api/v1/%77atch/pods', 'GET /api//v1/pods', 'GET /api/v1/namespaces/{ns}/configmaps/%E2%82',
  'GET {origin}/api/v1/namespaces/{ns}/pods/zz?x=1',
  // RequestInfo fails these (HTTP 500) before the audit filter runs: the API server must not audit them
  '!GET /api/v1/watch', '!GET /apis/apps/v1/proxy',
];

function readAdminToken(): string {
  for (const line of readFileSync(join(stack.kubeState, 'tokens.csv'), 'utf8').split('\n')) {
    const cols = line.split(',');
    if (cols[1] === 'auditgate-admin' && cols[0]) return cols[0];
  }
  throw new Error('no auditgate-admin token in tokens.csv');
}

/** Sends one raw request target as-is; resolves when the response has started (watches are then cut). */
function send(method: string, target: string, userAgent: string, via: { port: number; token: string; agent: Agent } = { port: Number(base.port), token, agent }): Promise<number> {
  const hasBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.hostname, port: via.port, method, path: target, agent: via.agent,
        headers: {
          authorization: `Bearer ${via.token}`, 'user-agent': userAgent, accept: 'application/json',
          ...(hasBody ? { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' } : {}),
        },
        timeout: 10_000,
      },
      (res) => {
        resolve(res.statusCode ?? 0);
        res.on('error', () => undefined);
        if (target.includes('watch')) res.destroy();
        else res.resume();
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout ${method} ${target}`)));
    req.on('error', reject);
    req.end(hasBody ? '{}' : undefined);
  });
}

interface AuditEntry {
  verb: string;
  userAgent?: string;
  requestURI: string;
  objectRef?: Record<string, unknown>;
}

/** Audit events of this run, keyed by User-Agent, read from the audit log (and its rotated backups). */
function readRunEvents(since: number, marker = `auditgate-parity/${runId}/`): Map<string, AuditEntry> {
  const found = new Map<string, AuditEntry>();
  const files = readdirSync(stack.kubeState)
    .filter((f) => f.startsWith('audit') && f.endsWith('.log'))
    .map((f) => join(stack.kubeState, f))
    .filter((f) => statSync(f).mtimeMs >= since);
  for (const file of files) {
    const start = file === auditLog ? startOffset : 0;
    const size = statSync(file).size;
    const from = size >= start ? start : 0;
    const buf = Buffer.alloc(size - from);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buf, 0, buf.length, from);
    } finally {
      closeSync(fd);
    }
    for (const line of buf.toString('utf8').split('\n')) {
      if (!line.includes(marker)) continue;
      const event = JSON.parse(line) as AuditEntry;
      if (event.userAgent !== undefined && !found.has(event.userAgent)) found.set(event.userAgent, event);
    }
  }
  return found;
}

let startOffset = 0;
const startedAt = Date.now();

before(async () => {
  startOffset = statSync(auditLog).size;
  const status = await sendJson('POST', '/api/v1/namespaces', { metadata: { name: ns } });
  assert.ok(status === 201, `creating namespace ${ns}: HTTP ${status}`);
});

after(async () => {
  await sendJson('DELETE', `/api/v1/namespaces/${ns}`, undefined).catch(() => undefined);
  agent.destroy();
});

function sendJson(method: string, path: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: base.hostname, port: base.port, method, path, agent,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const PICKED = ['resource', 'namespace', 'name', 'apiGroup', 'apiVersion', 'subresource'] as const;
function pick(ref: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (ref === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const k of PICKED) if (ref[k] !== undefined && ref[k] !== '') out[k] = ref[k];
  return out;
}

test(`classifyRequest agrees with the kube-apiserver's audit log on ${CORPUS.length} request shapes`, async () => {
  const cases = CORPUS.map((line, i) => {
    const audited = !line.startsWith('!');
    const space = line.indexOf(' ');
    const target = line.slice(space + 1).replaceAll('{ns}', ns).replaceAll('{origin}', base.origin);
    return { method: line.slice(audited ? 0 : 1, space), target, audited, userAgent: `auditgate-parity/${runId}/${i}` };
  });
  assert.equal(new Set(CORPUS).size, CORPUS.length, 'corpus entries must be distinct');
  assert.ok(CORPUS.length >= 100);
  for (let i = 0; i < cases.length; i += 6) {
    await Promise.all(cases.slice(i, i + 6).map((c) => send(c.method, c.target, c.userAgent)));
  }
  const events = await waitFor(
    'the audit events of every parity request',
    async () => {
      const found = readRunEvents(startedAt - 1000);
      return cases.every((c) => !c.audited || found.has(c.userAgent)) ? found : undefined;
    },
    30_000,
    500,
  ).catch(() => readRunEvents(startedAt - 1000));

  const failures: string[] = [];
  for (const c of cases) {
    const event = events.get(c.userAgent);
    const info = classifyRequest(c.method, c.target);
    const ours = { verb: auditVerb(info), objectRef: toObjectRef(info) };
    if (!c.audited) {
      if (event !== undefined) failures.push(`${c.method} ${c.target}: expected no audit event, got ${JSON.stringify(event)}`);
      continue;
    }
    if (event === undefined) {
      failures.push(`${c.method} ${c.target}: no audit event from the API server; ours: ${JSON.stringify(ours)}`);
      continue;
    }
    const theirs = { verb: event.verb, objectRef: pick(event.objectRef) };
    try {
      assert.deepEqual(ours, theirs);
    } catch {
      failures.push(`${c.method} ${c.target}\n    api server: ${JSON.stringify(theirs)}\n    classifier: ${JSON.stringify(ours)}`);
    }
  }
  assert.equal(failures.length, 0, `${failures.length} of ${cases.length} disagree:\n  ${failures.join('\n  ')}`);
});

test('through the gateway: its audit events classify every corpus request exactly as the API server logs it', async () => {
  const proxy = await startProxy();
  const caller = await createAgent('gw-parity');
  const collector = new EventCollector();
  await collector.start();
  const gatewayAgent = new Agent({ rejectUnauthorized: false, keepAlive: true, maxSockets: 6 });
  const marker = `auditgate-gw-parity/${runId}/`;
  try {
    const cases = CORPUS.map((line, i) => {
      const space = line.indexOf(' ');
      const target = line.slice(space + 1).replaceAll('{ns}', ns).replaceAll('{origin}', `https://127.0.0.1:${proxy.httpsPort}`);
      return { method: line.slice(line.startsWith('!') ? 1 : 0, space), target, audited: !line.startsWith('!'), absolute: !target.startsWith('/'), userAgent: `${marker}${i}` };
    });
    for (let i = 0; i < cases.length; i += 6) {
      await Promise.all(cases.slice(i, i + 6).map((c) => send(c.method, c.target, c.userAgent, { port: proxy.httpsPort, token: caller.token, agent: gatewayAgent })));
    }
    const ours = await waitFor('a gateway event for every corpus request', async () => {
      const byAgent = new Map(collector.events.filter((e) => e.stage === 'ResponseComplete' && e.userAgent?.startsWith(marker)).map((e) => [e.userAgent!, e]));
      return cases.every((c) => byAgent.has(c.userAgent)) ? byAgent : undefined;
    }, 30_000, 500);
    const theirs = await waitFor('the API server entries of the forwarded requests', async () => {
      const found = readRunEvents(startedAt - 1000, marker);
      return cases.every((c) => c.absolute || !c.audited || found.has(c.userAgent)) ? found : undefined;
    }, 30_000, 500);
    const failures: string[] = [];
    for (const c of cases) {
      const event = ours.get(c.userAgent)!;
      if (c.absolute) {
        // The gateway refuses absolute-form targets itself, with a 400 Status, and records that.
        if (event.responseStatus?.code !== 400) failures.push(`${c.target}: expected a 400 from the gateway, got ${event.responseStatus?.code}`);
        continue;
      }
      const entry = theirs.get(c.userAgent);
      if (!c.audited) continue;
      const want = { verb: entry?.verb, objectRef: pick(entry?.objectRef) };
      const got = { verb: event.verb, objectRef: pick(event.objectRef as Record<string, unknown> | undefined) };
      try { assert.deepEqual(got, want); } catch { failures.push(`${c.method} ${c.target}\n    api server: ${JSON.stringify(want)}\n    gateway:    ${JSON.stringify(got)}`); }
    }
    assert.equal(failures.length, 0, `${failures.length} of ${cases.length} disagree:\n  ${failures.join('\n  ')}`);
  } finally {
    gatewayAgent.destroy();
    await collector.stop();
    await proxy.stop();
    await sendJson('DELETE', `/api/v1/namespaces/${caller.namespace}`, undefined).catch(() => undefined);
  }
});
