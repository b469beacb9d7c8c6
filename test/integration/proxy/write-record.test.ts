import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { request } from 'node:https';
import type { AuditEvent } from '@auditgate/shared';
import { apiServerAuditSince, kubectl, readKubeCredentials, readStackEnv, uniqueName } from '@auditgate/shared/testing';
import { kubernetesEnvelope, encodeMessage } from '../../../services/proxy/src/protobuf/proto-encoder.test-helper.js';
import { EventCollector } from './support/event-collector.js';
import { createAgent, startProxy, type ProxyHarness } from './support/proxy-harness.js';

const stack = readStackEnv(process.env);
const creds = readKubeCredentials(stack);
/** The record cap of this gateway: every RBAC body below pads itself over it. */
const RECORD_CAP = 4096;
const PAD = 'p'.repeat(3 * RECORD_CAP);

/** Default-deny, with the writes of this test allowed; everything at RequestResponse. */
const POLICY = `apiVersion: auditgate.dev/v1
kind: GatewayPolicy
defaultAction: deny
rules:
  - id: allow-test-writes
    action: allow
    match:
      apiGroups: ["", rbac.authorization.k8s.io]
auditLevels:
  - level: RequestResponse
`;

interface Answer { status: number; contentType: string; auditID: string; body: string }

/**
 * Issue #13, "the content of every write is recorded": writes sent through a real gateway (default-deny policy, a
 * small record cap) to the real kube-apiserver, judged by the gateway's records on Kafka and the API server's audit log.
 */
describe('write records: what a write changes is in its record, or the write is refused', () => {
  let proxy: ProxyHarness;
  let agent: Awaited<ReturnType<typeof createAgent>>;
  let auditOffset = 0;
  const events = new EventCollector();
  const clusterNames: string[] = [];

  const send = (method: string, path: string, contentType: string, body: Buffer | string): Promise<Answer> => new Promise((resolve, reject) => {
    const data = Buffer.isBuffer(body) ? body : Buffer.from(body);
    const req = request({
      host: '127.0.0.1', port: proxy.httpsPort, method, path, rejectUnauthorized: false,
      headers: { authorization: `Bearer ${agent.token}`, 'content-type': contentType, 'content-length': data.length, accept: 'application/json' },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({
        status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''),
        auditID: String(res.headers['audit-id'] ?? ''), body: Buffer.concat(chunks).toString('utf8'),
      }));
    });
    req.on('error', reject);
    req.end(data);
  });
  /** Every record of one exchange, once its ResponseComplete is in. */
  const recordsOf = async (auditID: string): Promise<AuditEvent[]> => {
    assert.match(auditID, /^[0-9a-f-]{36}$/);
    await events.waitFor(`ResponseComplete of ${auditID}`, (e) => e.auditID === auditID && e.stage === 'ResponseComplete');
    return events.events.filter((e) => e.auditID === auditID);
  };
  const recordedObject = (records: AuditEvent[]): Record<string, unknown> => {
    const withObject = records.find((e) => (e as { requestObject?: unknown }).requestObject !== undefined) as { requestObject?: Record<string, unknown> } | undefined;
    assert.ok(withObject?.requestObject !== undefined, 'a record carries the request object');
    return withObject.requestObject;
  };
  const complete = (records: AuditEvent[]): AuditEvent => records.find((e) => e.stage === 'ResponseComplete')!;

  before(async () => {
    auditOffset = statSync(creds.auditLog).size;
    await events.start();
    proxy = await startProxy({ policy: POLICY, env: { PROXY_MAX_RECORDED_BODY_BYTES: String(RECORD_CAP) } });
    agent = await createAgent('write-record');
  });
  after(async () => {
    for (const name of clusterNames) await kubectl(stack, creds.adminKubeconfig, ['delete', 'clusterrolebinding', name, '--ignore-not-found']).catch(() => undefined);
    await kubectl(stack, creds.adminKubeconfig, ['delete', 'namespace', agent.namespace, '--wait=false']).catch(() => undefined);
    await proxy.stop();
    await events.stop();
  });

  it('an over-cap RoleBinding, ClusterRoleBinding and Role still record roleRef, subjects and rules', async () => {
    const ns = agent.namespace;
    const subjects = [{ kind: 'ServiceAccount', name: 'agent', namespace: ns }, { kind: 'User', name: 'mallory@example.com', apiGroup: 'rbac.authorization.k8s.io' }];
    const clusterBinding = uniqueName('wr-crb');
    clusterNames.push(clusterBinding);
    const rules = [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }, { apiGroups: ['apps'], resources: ['deployments'], verbs: ['*'] }];
    const writes: Array<[string, string, Record<string, unknown>, string[]]> = [
      [`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, 'RoleBinding',
        { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects }, ['roleRef', 'subjects']],
      ['/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', 'ClusterRoleBinding',
        { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects }, ['roleRef', 'subjects']],
      [`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, 'Role', { rules }, ['rules']],
    ];
    for (const [path, kind, content, fields] of writes) {
      const name = kind === 'ClusterRoleBinding' ? clusterBinding : uniqueName(kind.toLowerCase());
      const body = JSON.stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name, annotations: { pad: PAD } }, ...content });
      assert.ok(body.length > RECORD_CAP);
      const answer = await send('POST', path, 'application/json', body);
      assert.equal(answer.status, 201, `${kind}: ${answer.body.slice(0, 300)}`);
      const records = await recordsOf(answer.auditID);
      const recorded = recordedObject(records);
      for (const field of fields) assert.deepEqual(recorded[field], content[field], `${kind}: ${field} is in the record`);
      assert.equal((recorded['metadata'] as { name?: string }).name, name);
      assert.ok(!JSON.stringify(records).includes(PAD), `${kind}: the padding is not (the record is a summary)`);
      const bodyInfo = complete(records).auditgate.body?.request;
      assert.equal(bodyInfo?.bytes, Buffer.byteLength(body));
      assert.equal(bodyInfo?.truncated, true, 'the record says the body was cut');
      assert.equal(records.some((e) => e.annotations?.['auditgate.dev/request-object'] === 'summary: the body is over the record cap'), true);
    }
  });

  it('a YAML write body is recorded as content', async () => {
    const name = uniqueName('yaml-cm');
    const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  labels: {origin: yaml}\ndata:\n  greeting: hello from yaml\n  list: |\n    a\n    b\n`;
    const answer = await send('POST', `/api/v1/namespaces/${agent.namespace}/configmaps`, 'application/yaml', yaml);
    assert.equal(answer.status, 201, answer.body.slice(0, 300));
    const records = await recordsOf(answer.auditID);
    const recorded = recordedObject(records);
    assert.deepEqual(recorded['data'], { greeting: 'hello from yaml', list: 'a\nb\n' });
    assert.deepEqual((recorded['metadata'] as { labels?: unknown }).labels, { origin: 'yaml' });
    assert.equal(complete(records).objectRef?.name, name, 'the objectRef names the object, read from the YAML');
    assert.equal(complete(records).auditgate.body?.request?.contentType, 'application/yaml');
  });

  it('under default-deny, a body the gateway cannot record (unknown protobuf kind, over-cap YAML) is refused: 415, a Status, a record, nothing forwarded', async () => {
    const ns = agent.namespace;
    const protoName = uniqueName('limits');
    // A LimitRange in protobuf: a kind the API server reads, but the gateway's decoder has no schema for.
    const protobuf = kubernetesEnvelope('v1', 'LimitRange', encodeMessage([[1, [[1, protoName], [3, ns]]], [2, [[1, [[1, 'Container']]]]]]));
    const yamlName = uniqueName('big-yaml');
    const bigYaml = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${yamlName}\ndata:\n${Array.from({ length: 2000 }, (_, i) => `  k${i}: ${'v'.repeat(40)}`).join('\n')}\n`;
    assert.ok(bigYaml.length > 64 * 1024);
    for (const [what, path, contentType, body, name] of [
      ['unknown protobuf kind', `/api/v1/namespaces/${ns}/limitranges`, 'application/vnd.kubernetes.protobuf', protobuf, protoName],
      ['over-cap YAML', `/api/v1/namespaces/${ns}/configmaps`, 'application/yaml', Buffer.from(bigYaml), yamlName],
    ] as const) {
      const answer = await send('POST', path, contentType, body);
      assert.equal(answer.status, 415, `${what}: ${answer.body.slice(0, 300)}`);
      const status = JSON.parse(answer.body) as { kind?: string; code?: number; status?: string };
      assert.deepEqual([status.kind, status.code, status.status], ['Status', 415, 'Failure'], what);
      const records = await recordsOf(answer.auditID);
      const done = complete(records);
      assert.equal(done.responseStatus?.code, 415, what);
      assert.equal(done.auditgate.errorCode, 'AUDITGATE_E_UNSUPPORTED_MEDIA_TYPE', what);
      const upstream = (await apiServerAuditSince(creds.auditLog, auditOffset)).filter((e) => e.auditID === answer.auditID || (e.requestURI ?? '').includes(name));
      assert.deepEqual(upstream, [], `${what}: the API server never saw it`);
    }
  });
});
