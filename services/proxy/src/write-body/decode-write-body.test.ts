import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeKubernetesProtobuf } from '../protobuf/index.js';
import { encodeMessage, kubernetesEnvelope } from '../protobuf/proto-encoder.test-helper.js';
import { decodeWriteBody, type WriteBodyResult } from './decode-write-body.js';

const SECRET = 'hunter2-Sup3r!Secret';
const decode = (contentType: string | undefined, body: string | Buffer, limits = {}): WriteBodyResult =>
  decodeWriteBody(contentType, typeof body === 'string' ? Buffer.from(body) : body, decodeKubernetesProtobuf, limits);

const crb = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'x' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', name: 'sa', namespace: 'ns' }] };

describe('decodeWriteBody: JSON', () => {
  it('decodes application/json, every JSON patch type, and a body without Content-Type', () => {
    for (const type of [undefined, 'application/json', 'application/json; charset=utf-8', 'application/merge-patch+json',
      'application/strategic-merge-patch+json', 'application/json-patch+json']) {
      assert.deepEqual(decode(type, JSON.stringify(crb)), { kind: 'decoded', object: crb, complete: true, format: 'json' }, String(type));
    }
    assert.deepEqual(decode('application/json-patch+json', '[{"op":"add","path":"/subjects/-","value":{"kind":"User","name":"eve"}}]'), {
      kind: 'decoded', object: [{ op: 'add', path: '/subjects/-', value: { kind: 'User', name: 'eve' } }], complete: true, format: 'json',
    });
  });

  it('refuses malformed JSON with a fixed reason, never a parser message quoting the body', () => {
    for (const body of [`{"stringData":{"p":"${SECRET}"`, `YAML: ${SECRET}`, `\ufeff{"a":"${SECRET}"}`, `{"a":1} trailing ${SECRET}`]) {
      const result = decode('application/json', body);
      assert.deepEqual(result, { kind: 'undecodable', reason: 'malformed', format: 'json' });
      assert.ok(!JSON.stringify(result).includes(SECRET));
    }
  });

  it('refuses numbers JSON cannot carry and nesting past maxDepth (which JSON.stringify could not write)', () => {
    assert.deepEqual(decode('application/json', '{"a":[1e400]}'), { kind: 'undecodable', reason: 'malformed', format: 'json' });
    assert.deepEqual(decode('application/json', `${'['.repeat(1001)}${']'.repeat(1001)}`), { kind: 'undecodable', reason: 'too-deep', format: 'json' });
    assert.equal(decode('application/json', `${'['.repeat(1000)}${']'.repeat(1000)}`).kind, 'decoded');
    assert.equal(decode('application/json', `${'{"a":'.repeat(20)}1${'}'.repeat(20)}`, { maxDepth: 10 }).kind, 'undecodable');
    const started = performance.now();
    assert.equal((decode('application/json', `${'['.repeat(500_000)}${']'.repeat(500_000)}`) as { reason?: string }).reason, 'too-deep');
    assert.ok(performance.now() - started < 2000);
  });

  it('walks a wide body without overflowing the stack', () => {
    const wide = JSON.stringify({ items: Array.from({ length: 300_000 }, (_, i) => i) });
    assert.equal(decode('application/json', wide).kind, 'decoded');
  });

  it('reads an empty body as empty, whatever the type', () => {
    for (const type of [undefined, 'application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'text/yaml']) {
      assert.deepEqual(decode(type, ''), { kind: 'empty' });
    }
  });
});

describe('decodeWriteBody: YAML', () => {
  const yaml = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: x\n  labels:\n    managed: yes\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n- kind: ServiceAccount\n  name: sa\n  namespace: ns\n';

  it('converts application/yaml and server-side apply YAML to the JSON the API server reads (YAML 1.1 booleans)', () => {
    for (const type of ['application/yaml', 'application/apply-patch+yaml', 'Application/YAML; charset=utf-8']) {
      assert.deepEqual(decode(type, yaml), {
        kind: 'decoded', format: 'yaml', complete: true, object: { ...crb, metadata: { name: 'x', labels: { managed: true } } },
      }, type);
    }
  });

  it('reads JSON content of a YAML type as JSON, at any size', () => {
    const big = JSON.stringify({ ...crb, metadata: { name: 'x', annotations: { pad: 'x'.repeat(200_000) } } });
    const result = decode('application/apply-patch+yaml', big);
    assert.equal(result.kind, 'decoded');
    assert.equal((result as { format: string }).format, 'yaml');
    assert.deepEqual(decode('application/apply-patch+yaml', '{"a":"1","a":"2"}'), { kind: 'decoded', object: { a: '2' }, complete: true, format: 'yaml' });
  });

  it('refuses multi-document, billion-laughs, malformed and over-long YAML', () => {
    assert.deepEqual(decode('application/yaml', `${yaml}---\n${yaml}`), { kind: 'undecodable', reason: 'multi-document', format: 'yaml' });
    const laughs = ['a: &a [x,x,x,x,x,x,x,x,x]', ...Array.from({ length: 8 }, (_, i) =>
      `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array.from({ length: 9 }, () => `*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n');
    assert.deepEqual(decode('application/yaml', laughs), { kind: 'undecodable', reason: 'excessive-aliasing', format: 'yaml' });
    const malformed = decode('application/apply-patch+yaml', `stringData:\n  p: "${SECRET}\n  q: [`);
    assert.deepEqual(malformed, { kind: 'undecodable', reason: 'malformed', format: 'yaml' });
    const long = `${yaml}# ${'x'.repeat(70 * 1024)}\n`;
    assert.deepEqual(decode('application/yaml', long), { kind: 'undecodable', reason: 'too-large', format: 'yaml' });
    assert.equal(decode('application/yaml', long, { maxYamlBytes: 128 * 1024 }).kind, 'decoded');
  });

  it('refuses text/yaml, application/x-yaml, apply-patch+json and CBOR: the API server answers 415 to them', () => {
    for (const type of ['text/yaml', 'application/x-yaml', 'application/apply-patch+json', 'application/cbor', 'application/apply-patch+cbor']) {
      assert.deepEqual(decode(type, yaml), { kind: 'undecodable', reason: 'unsupported-content-type', format: 'other' }, type);
    }
  });
});

describe('decodeWriteBody: Kubernetes protobuf', () => {
  const PROTOBUF = 'application/vnd.kubernetes.protobuf';
  const meta = (name: string): [number, Array<[number, string]>] => [1, [[1, name]]];

  it('decodes a known kind, complete when the decoder says so', () => {
    const body = kubernetesEnvelope('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', encodeMessage([
      meta('x'), [2, [[1, 'ServiceAccount'], [2, ''], [3, 'sa'], [4, 'ns']]], [3, [[1, 'rbac.authorization.k8s.io'], [2, 'ClusterRole'], [3, 'cluster-admin']]],
    ]));
    assert.deepEqual(decode(PROTOBUF, body), { kind: 'decoded', object: crb, complete: true, format: 'protobuf' });
    const deployment = kubernetesEnvelope('apps/v1', 'Deployment', encodeMessage([meta('web'), [2, [[1, 2]]]]));
    assert.deepEqual(decode(PROTOBUF, deployment), {
      kind: 'decoded', object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: {} }, complete: false, format: 'protobuf',
    });
  });

  it('refuses a kind without a schema, handing back what could be read for the record', () => {
    const body = kubernetesEnvelope('v1', 'Service', encodeMessage([meta('svc'), [2, [[1, 'x']]]]));
    assert.deepEqual(decode(PROTOBUF, body), {
      kind: 'undecodable', reason: 'unknown-protobuf-kind', format: 'protobuf',
      partial: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' } },
    });
  });

  it('refuses bytes that are no Kubernetes protobuf envelope, and survives a throwing decoder', () => {
    assert.deepEqual(decode(PROTOBUF, JSON.stringify(crb)), { kind: 'undecodable', reason: 'malformed', format: 'protobuf' });
    const throwing = decodeWriteBody(PROTOBUF, Buffer.from('k8s\0x'), () => { throw new Error('boom'); });
    assert.deepEqual(throwing, { kind: 'undecodable', reason: 'malformed', format: 'protobuf' });
  });

  it('does not read protobuf bytes sent as JSON (the API server would not either)', () => {
    const body = kubernetesEnvelope('v1', 'Secret', encodeMessage([meta('db')]));
    assert.deepEqual(decode('application/json', body), { kind: 'undecodable', reason: 'malformed', format: 'json' });
  });
});
