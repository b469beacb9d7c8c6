import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { maskKubernetesObject } from './mask-kubernetes-object.js';
import { maskValue } from './mask-value.js';
import { assertNoPlaintext, b64, deepFreeze, testMaskingOptions } from './test-support.js';

const options = testMaskingOptions();
const PASSWORD = 'hunter2-Sup3r!Secret';
const TOKEN = 'tok_Qx7!zzRRmmKK-plain';
const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAxyzQWERTY\n-----END RSA PRIVATE KEY-----\n';

function secret(name: string): Record<string, unknown> {
  return {
    apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
    metadata: { name, namespace: 'ns', labels: { app: 'db' } },
    data: { password: b64(PASSWORD), 'tls.key': b64(PEM) },
    stringData: { token: TOKEN },
  };
}

function mask(obj: unknown, resourceHint?: string): ReturnType<typeof maskKubernetesObject> {
  return maskKubernetesObject(deepFreeze(obj), { ...options, resourceHint });
}

describe('maskKubernetesObject: Secrets', () => {
  it('masks data and stringData, keeps key names and other fields, does not mutate the input', () => {
    const input = secret('db');
    const before = JSON.stringify(input);
    const { object, maskedPaths, changed } = mask(input);
    assert.equal(changed, true);
    assert.equal(JSON.stringify(input), before);
    const out = object as { data: Record<string, string>; stringData: Record<string, string>; metadata: unknown };
    assert.deepEqual(Object.keys(out.data), ['password', 'tls.key']);
    assert.equal(out.stringData['token'], maskValue(TOKEN, options.key));
    assert.deepEqual(out.metadata, input['metadata']);
    assert.deepEqual(maskedPaths, ['/data/password', '/data/tls.key', '/stringData/token']);
    assertNoPlaintext(JSON.stringify(object), [PASSWORD, TOKEN, PEM, b64(PASSWORD), b64(PEM)]);
  });

  it('digests the decoded bytes, so a value correlates across data and stringData', () => {
    const { object } = mask({ kind: 'Secret', data: { a: b64(TOKEN) }, stringData: { b: TOKEN } });
    const out = object as { data: { a: string }; stringData: { b: string } };
    assert.equal(out.data.a, out.stringData.b);
  });

  it('writes base64 markers into data when encodeBinaryMarkers is set (caller-facing mask)', () => {
    const { object } = maskKubernetesObject(secret('x'), { ...options, encodeBinaryMarkers: true });
    const data = (object as { data: Record<string, string> }).data;
    assert.equal(Buffer.from(data['password'] as string, 'base64').toString(), maskValue(PASSWORD, options.key));
    // Masking a masked body again changes nothing.
    const again = maskKubernetesObject(object, { ...options, encodeBinaryMarkers: true });
    assert.equal(again.changed, false);
    assert.equal(again.object, object);
  });

  it('masks inside the last-applied annotation', () => {
    const applied = secret('db');
    const input = {
      ...secret('db'),
      metadata: { name: 'db', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(applied)}\n` } },
    };
    const { object, maskedPaths } = mask(input);
    const raw = (object as { metadata: { annotations: Record<string, string> } }).metadata.annotations[
      'kubectl.kubernetes.io/last-applied-configuration'] as string;
    assert.ok(raw.endsWith('\n'));
    const inner = JSON.parse(raw) as { data: Record<string, string> };
    assert.deepEqual(Object.keys(inner.data), ['password', 'tls.key']);
    assert.ok(maskedPaths.includes('/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration#/data/password'));
    assertNoPlaintext(JSON.stringify(object), [PASSWORD, TOKEN, PEM]);
  });

  it('replaces an unparseable last-applied annotation wholly', () => {
    const input = { kind: 'Secret', metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': `{"data":{"p":"${PASSWORD}"` } } };
    const { object } = mask(input);
    assertNoPlaintext(JSON.stringify(object), [PASSWORD]);
  });

  it('masks a Secret key named __proto__ (no prototype trick)', () => {
    const input = JSON.parse(`{"kind":"Secret","data":{"__proto__":"${b64(PASSWORD)}"}}`) as unknown;
    const { object } = mask(input);
    assertNoPlaintext(JSON.stringify(object), [PASSWORD]);
    assert.ok(Object.hasOwn((object as { data: object }).data, '__proto__'));
  });
});

describe('maskKubernetesObject: lists, watch events, tables', () => {
  it('masks a typed SecretList whose items have no kind, with item paths', () => {
    const items = [0, 1, 2, 3].map((i) => {
      const { kind: _kind, apiVersion: _v, ...rest } = secret(`s${i}`);
      return rest;
    });
    const { object, maskedPaths } = mask({ kind: 'SecretList', apiVersion: 'v1', metadata: {}, items });
    assert.ok(maskedPaths.includes('/items/3/data/password'));
    assertNoPlaintext(JSON.stringify(object), [PASSWORD, TOKEN, PEM]);
  });

  it('masks a generic List with mixed kinds and leaves the unmaskable items as the same references', () => {
    const svc = { kind: 'Service', metadata: { name: 'a' }, spec: { ports: [] } };
    const input = { kind: 'List', items: [svc, secret('x')] };
    const { object } = mask(input);
    const out = object as { items: unknown[] };
    assert.equal(out.items[0], svc);
    assertNoPlaintext(JSON.stringify(object), [PASSWORD]);
  });

  it('masks watch events, with and without the WatchEvent kind, and passes BOOKMARK/ERROR through', () => {
    const event = mask({ type: 'MODIFIED', object: secret('w') });
    assert.deepEqual(event.maskedPaths.slice(0, 1), ['/object/data/password']);
    assertNoPlaintext(JSON.stringify(event.object), [PASSWORD]);
    const typed = mask({ kind: 'WatchEvent', type: 'ADDED', object: secret('w') });
    assertNoPlaintext(JSON.stringify(typed.object), [PASSWORD]);
    const bookmark = { type: 'BOOKMARK', object: { kind: 'Secret', apiVersion: 'v1', metadata: { resourceVersion: '12' } } };
    assert.equal(mask(bookmark).object, bookmark);
    const error = { type: 'ERROR', object: { kind: 'Status', status: 'Failure', code: 410, reason: 'Expired' } };
    assert.equal(mask(error, 'secrets').object, error);
  });

  it('masks Table rows that include whole objects, leaving cells alone', () => {
    const table = {
      kind: 'Table', apiVersion: 'meta.k8s.io/v1',
      columnDefinitions: [{ name: 'Name' }], rows: [{ cells: ['db', 'Opaque', 2], object: secret('db') }],
    };
    const { object, maskedPaths } = mask(table, 'secrets');
    assert.equal(maskedPaths[0], '/rows/0/object/data/password');
    assert.deepEqual((object as { rows: { cells: unknown }[] }).rows[0]?.cells, ['db', 'Opaque', 2]);
    assertNoPlaintext(JSON.stringify(object), [PASSWORD, TOKEN]);
  });
});

describe('maskKubernetesObject: patterns outside Secrets', () => {
  const AWS_ID = 'AKIAIOSFODNN7EXAMPLE';
  const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const GH = `ghp_${'a1B2c3D4e5'.repeat(4)}`;
  const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZ2VudCJ9.c2lnbmF0dXJlLXZhbHVl';

  it('masks ConfigMap values by key name and by value pattern, keeping the rest of each value', () => {
    const cm = {
      kind: 'ConfigMap', metadata: { name: 'cfg' },
      data: {
        aws_secret_access_key: AWS_SECRET,
        'aws.ini': `[default]\naws_access_key_id = ${AWS_ID}\nregion = eu-west-1\n`,
        'app.properties': `db.password=${PASSWORD}\nlog.level=info\n`,
        'readme.txt': `use ${GH} or ${JWT}`,
        'plain.txt': 'nothing to see',
      },
      binaryData: { 'slack.bin': b64('xoxb-123456789012-abcdefghijkl'), 'logo.png': b64('PNGDATA') },
    };
    const { object, maskedPaths } = mask(cm);
    const data = (object as { data: Record<string, string> }).data;
    assert.ok(data['aws.ini']?.includes('region = eu-west-1'));
    assert.ok(data['app.properties']?.includes('log.level=info') && data['app.properties'].includes('db.password=***masked'));
    assert.equal(data['plain.txt'], 'nothing to see');
    assert.equal((object as { binaryData: Record<string, string> }).binaryData['logo.png'], b64('PNGDATA'));
    assert.ok(!maskedPaths.includes('/data/plain.txt'));
    assertNoPlaintext(JSON.stringify(object), [AWS_ID, AWS_SECRET, PASSWORD, GH, JWT, 'xoxb-123456789012-abcdefghijkl']);
  });

  it('returns a ConfigMap without secrets as the same reference', () => {
    const cm = { kind: 'ConfigMap', data: { 'a.conf': 'listen 80;', level: 'debug' } };
    const result = mask(cm);
    assert.equal(result.object, cm);
    assert.equal(result.changed, false);
    assert.deepEqual(result.maskedPaths, []);
  });

  it('masks env values, args and command in Deployments, CronJobs and Pods (all container lists)', () => {
    const container = {
      name: 'app', image: 'app:1',
      command: ['/bin/app', `--api-key=${TOKEN}`],
      args: ['--password', PASSWORD, '--verbose'],
      env: [
        { name: 'DB_PASSWORD', value: PASSWORD },
        { name: 'AWS_KEY', value: AWS_ID },
        { name: 'LOG_LEVEL', value: 'info' },
        { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
      ],
    };
    const podSpec = { containers: [container], initContainers: [container], ephemeralContainers: [container] };
    const docs = [
      { kind: 'Deployment', spec: { template: { spec: podSpec } } },
      { kind: 'CronJob', spec: { jobTemplate: { spec: { template: { spec: podSpec } } } } },
      { kind: 'Pod', spec: podSpec },
    ];
    for (const doc of docs) {
      const { object, maskedPaths } = mask(doc);
      const text = JSON.stringify(object);
      assertNoPlaintext(text, [PASSWORD, AWS_ID, TOKEN]);
      assert.ok(text.includes('"LOG_LEVEL","value":"info"') && text.includes('--verbose'), doc.kind);
      assert.equal(maskedPaths.length, 3 * 4, `${doc.kind}: ${maskedPaths.join(' ')}`);
    }
    const { maskedPaths } = mask(docs[0]);
    assert.ok(maskedPaths.includes('/spec/template/spec/initContainers/0/env/0/value'));
  });

  it('returns a Deployment without secrets as the same reference', () => {
    const d = { kind: 'Deployment', spec: { template: { spec: { containers: [{ name: 'a', env: [{ name: 'MODE', value: 'x' }] }] } } } };
    assert.equal(mask(d).object, d);
  });
});

describe('maskKubernetesObject: patches', () => {
  it('masks a kind-less merge patch when the resource hint is secrets, and not without it', () => {
    const patch = { data: { password: b64(PASSWORD) }, stringData: { token: TOKEN } };
    const masked = mask(patch, 'secrets');
    assertNoPlaintext(JSON.stringify(masked.object), [PASSWORD, TOKEN]);
    assert.equal(mask(patch, 'services').object, patch);
  });

  it('masks a strategic-merge patch of a Deployment env by hint', () => {
    const patch = { spec: { template: { spec: { containers: [{ name: 'a', env: [{ name: 'API_TOKEN', value: TOKEN }] }] } } } };
    assertNoPlaintext(JSON.stringify(mask(patch, 'deployments').object), [TOKEN]);
  });

  it('masks JSON-patch values aimed at secret data, whole data, the whole object, and numeric keys', () => {
    const ops = [
      { op: 'add', path: '/data/password', value: b64(PASSWORD) },
      { op: 'replace', path: '/stringData', value: { token: TOKEN } },
      { op: 'test', path: '/data/0', value: b64(PEM) },
      { op: 'replace', path: '', value: secret('x') },
      { op: 'remove', path: '/data/old' },
      { op: 'replace', path: '/metadata/labels/app', value: 'web' },
    ];
    const { object, maskedPaths } = mask(ops, 'secrets');
    assertNoPlaintext(JSON.stringify(object), [PASSWORD, TOKEN, PEM]);
    assert.deepEqual(maskedPaths.slice(0, 3), ['/0/value', '/1/value/token', '/2/value']);
    const out = object as unknown[];
    assert.equal(out[4], ops[4]);
    assert.equal(out[5], ops[5]);
  });

  it('masks a JSON patch adding an env var to a Deployment, and a bare env value it cannot judge', () => {
    const ops = [
      { op: 'add', path: '/spec/template/spec/containers/0/env/-', value: { name: 'DB_PASSWORD', value: PASSWORD } },
      { op: 'replace', path: '/spec/template/spec/containers/0/env/3/value', value: TOKEN },
    ];
    const { object, maskedPaths } = mask(ops, 'deployments');
    assertNoPlaintext(JSON.stringify(object), [PASSWORD, TOKEN]);
    assert.deepEqual(maskedPaths, ['/0/value/value', '/1/value']);
  });

  it('leaves arrays alone without a resource hint', () => {
    const ops = [{ op: 'add', path: '/data/x', value: 'abc' }];
    assert.equal(mask(ops).object, ops);
  });
});
