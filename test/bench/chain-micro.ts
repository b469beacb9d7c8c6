/**
 * The hash chain's CPU per audited event, step by step, on events built by the proxy's own buildAuditEvent (run by
 * hand: `npx tsx test/bench/chain-micro.ts`; BENCH_MICRO_ITERATIONS, default 20000 per event and step). Each step is
 * timed alone on fresh copies of the same events (process.cpuUsage, after a warm-up), so the steps can be compared
 * with the whole: linkAndSerialize as the audit sink calls it, then Buffer.from of its text (what Kafka is given).
 */
import { createMasker } from '../../services/proxy/src/masking/index.js';
import { buildAuditEvent, type ExchangeRecord, type GatewayFacts } from '../../services/proxy/src/audit/exchange-record.js';
import { canonicalJson, HashChain, linkedEventText, sha256Hex, toIJson, type AuditEvent, type GatewayEvent } from '@auditgate/shared';

const facts: GatewayFacts = {
  instance: 'auditgate-proxy-7c9f8d6b5-x2x4q', version: '0.1.0', cluster: { name: 'local' },
  upstream: () => ({ mode: 'serviceaccount', identity: 'system:serviceaccount:auditgate:proxy' }), schemaVersion: 2,
};

function exchange(id: string, over: Partial<ExchangeRecord>): ExchangeRecord {
  return {
    auditID: `6f1c2a4e-9b7d-4c1e-8a2f-${id.padStart(12, '0')}`, receivedAt: Date.UTC(2026, 11, 5, 9, 0, 0, 123),
    requestURI: '/api/v1/namespaces/demo/configmaps/small', verb: 'get', sourceIP: '10.244.0.17', userAgent: 'kubectl/v1.33.1 (linux/amd64) kubernetes/8adc0f0',
    level: 'RequestResponse',
    actor: { issuer: 'https://kubernetes.default.svc.cluster.local', subject: 'system:serviceaccount:agents:mcp', username: 'system:serviceaccount:agents:mcp', groups: ['system:serviceaccounts', 'system:serviceaccounts:agents', 'system:authenticated'], tokenKind: 'serviceaccount' },
    user: { username: 'system:serviceaccount:agents:mcp', uid: '0c6f6a3e-63f4-4b8e-9d0a-3c1b2f4e5d6a', groups: ['system:serviceaccounts', 'system:serviceaccounts:agents', 'system:authenticated'] },
    objectRef: { resource: 'configmaps', namespace: 'demo', name: 'small', apiVersion: 'v1' },
    classification: { clusterWide: false, resourceKey: 'configmaps' },
    policy: { bundleHash: 'a3f1c9e2b47d5e6f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f', decision: 'allow' },
    decision: { allowed: true, reason: 'RBAC: allowed by RoleBinding "agents/mcp-read"' },
    responseCode: 200,
    ...over,
  };
}

const meta = (name: string, i: number) => ({
  name, namespace: 'demo', uid: `8d3e1f2a-4b5c-4d6e-8f7a-${String(i).padStart(12, '0')}`, resourceVersion: String(481516 + i),
  creationTimestamp: '2026-12-05T08:00:00Z', labels: { app: 'web', 'pod-template-hash': '7c9f8d6b5' },
  managedFields: [{ manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', time: '2026-12-05T08:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } } }],
});
const pod = (i: number) => ({
  metadata: meta(`web-7c9f8d6b5-${i}`, i),
  spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: { limits: { cpu: '500m', memory: '128Mi' } }, env: [{ name: 'MODE', value: 'prod' }], terminationMessagePath: '/dev/termination-log', imagePullPolicy: 'IfNotPresent' }], restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', serviceAccountName: 'default', nodeName: 'node-1', priority: 0 },
  status: { phase: 'Running', podIP: `10.244.0.${i}`, startTime: '2026-12-05T08:00:01Z', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-12-05T08:00:05Z' }], containerStatuses: [{ name: 'web', ready: true, restartCount: 0, image: 'nginx:1.27', started: true, state: { running: { startedAt: '2026-12-05T08:00:04Z' } } }] },
});

const body = (bytes: number, maskedPaths: string[]) => ({ bytes, sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', digest: 'hmac-sha256' as const, truncated: false, maskedPaths, contentType: 'application/json' });

/** The realistic gateway events: a name and a factory (each iteration links a fresh event, as the sink does). */
function scenarios(): Array<{ name: string; make: () => AuditEvent }> {
  const masker = createMasker(Buffer.alloc(32, 7));
  const secret = masker.maskObject({ kind: 'Secret', apiVersion: 'v1', metadata: meta('db-credentials', 1), type: 'Opaque', data: { username: 'YWRtaW4=', password: 'c2VjcmV0LXBhc3N3b3JkLTEyMw==' } }, 'secrets').object;
  const podList = { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '481530' }, items: [pod(1), pod(2), pod(3)] };
  const configMap = { kind: 'ConfigMap', apiVersion: 'v1', metadata: meta('small', 2), data: { k: 'v' } };
  const secretGet = exchange('1', { requestURI: '/api/v1/namespaces/demo/secrets/db-credentials', objectRef: { resource: 'secrets', namespace: 'demo', name: 'db-credentials', apiVersion: 'v1' }, responseObject: secret, responseBody: body(612, ['/data/password', '/data/username']) });
  const list = exchange('2', { requestURI: '/api/v1/namespaces/demo/pods?limit=500', verb: 'list', objectRef: { resource: 'pods', namespace: 'demo', apiVersion: 'v1' }, responseObject: podList, responseBody: body(4100, []) });
  const small = exchange('3', { responseObject: configMap, responseBody: body(380, []) });
  const fresh = (r: ExchangeRecord, stage: 'RequestReceived' | 'ResponseComplete') => () => structuredClone(buildAuditEvent(facts, r, stage, r.receivedAt + 4));
  return [
    { name: 'secret get RequestReceived', make: fresh(secretGet, 'RequestReceived') },
    { name: 'secret get ResponseComplete (masked)', make: fresh(secretGet, 'ResponseComplete') },
    { name: 'configmap get ResponseComplete', make: fresh(small, 'ResponseComplete') },
    { name: 'pod list ResponseComplete (3 pods)', make: fresh(list, 'ResponseComplete') },
  ];
}

/** CPU µs per call of `step` over `n` prepared inputs (after a warm-up of the same size). */
function time<T>(inputs: T[], step: (input: T) => unknown): number {
  let sink = 0;
  for (const x of inputs) sink += step(x) === undefined ? 0 : 1;
  const c0 = process.cpuUsage();
  for (const x of inputs) sink += step(x) === undefined ? 0 : 1;
  const c = process.cpuUsage(c0);
  if (sink < 0) throw new Error('unreachable');
  return (c.user + c.system) / inputs.length;
}

function main(): void {
  const n = Number(process.env['BENCH_MICRO_ITERATIONS'] ?? 20_000);
  const chain = new HashChain('proxy-0/boot-1');
  const rows: string[][] = [['event', 'bytes', 'linkAndSerialize', '+Buffer.from', 'text only', 'sha256', 'toIJson walk', 'JSON.stringify']];
  for (const s of scenarios()) {
    const events = () => Array.from({ length: n }, s.make);
    const linked = events().map((e) => { chain.linkAndSerialize(e); return e as GatewayEvent; });
    const text = linkedEventText(linked[0]!).hashed;
    const bytes = Buffer.byteLength(chain.linkAndSerialize(s.make()).text);
    const total = time(events(), (e) => chain.linkAndSerialize(e));
    const withBuffer = time(events(), (e) => Buffer.from(chain.linkAndSerialize(e).text));
    const textOnly = time(linked, (e) => { const t = linkedEventText(e); return t.withHash(t.hashed.slice(0, 64)); });
    const sha = time(Array.from({ length: n }, (_, i) => text + String(i % 10)), (t) => sha256Hex(t));
    const walk = time(events(), (e) => toIJson(e));
    const native = time(linked, (e) => JSON.stringify(e));
    rows.push([s.name, String(bytes), ...[total, withBuffer, textOnly, sha, walk, native].map((x) => x.toFixed(1))]);
    if (canonicalJson(JSON.parse(chain.linkAndSerialize(s.make()).text)) === '') throw new Error('unreachable');
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  process.stdout.write(`µs of CPU per event (${n} events per cell, after as many to warm up)\n`);
  for (const r of rows) process.stdout.write(`${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}\n`);
}

main();
