import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { kubectl, readKubeCredentials, readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';
import { decodeKubernetesProtobuf } from '../../../services/proxy/src/protobuf/index.js';
import { writeBodyFormat } from '../../../services/proxy/src/write-body/body-format.js';
import { decodeWriteBody } from '../../../services/proxy/src/write-body/decode-write-body.js';

type Json = Record<string, unknown>;

describe('decodeWriteBody against the real API server: the same Content-Types accepted, the same YAML values read', () => {
  const stack = readStackEnv(process.env);
  const creds = readKubeCredentials(stack);
  const group = `${uniqueName('wb')}.auditgate.test`;
  const crdName = `probes.${group}`;
  const probes = `/apis/${group}/v1/namespaces/default/probes`;

  function call(method: string, path: string, contentType: string | undefined, body: string): Promise<{ status: number; json: Json | undefined }> {
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, stack.kubeApiserverUrl), {
        method, ca: creds.ca,
        headers: { accept: 'application/json', authorization: `Bearer ${creds.adminToken}`, ...(contentType === undefined ? {} : { 'content-type': contentType }) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let json: Json | undefined;
          try { json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json; } catch { json = undefined; }
          resolve({ status: res.statusCode ?? 0, json });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  before(async () => {
    // A CRD whose spec keeps any value, so the API server's answer shows exactly what it read from the body.
    await kubectl(stack, creds.adminKubeconfig, ['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: crdName },
      spec: {
        group, scope: 'Namespaced', names: { plural: 'probes', singular: 'probe', kind: 'Probe' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: {
          type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        } } }],
      },
    }));
    await waitFor('the probe CRD to serve', async () => ((await call('GET', probes, undefined, '')).status === 200 ? true : undefined), 30_000);
  });
  after(async () => {
    await kubectl(stack, creds.adminKubeconfig, ['delete', 'customresourcedefinition', crdName, '--wait=false']);
  });

  const manifest = (spec: string): string => `apiVersion: ${group}/v1\nkind: Probe\nmetadata:\n  name: p\nspec:\n${spec}`;

  it('reads the YAML values the API server reads (YAML 1.1 scalars, timestamps as text, merge keys, last duplicate wins)', async () => {
    const specs = [
      '  bools: [y, Y, yes, On, n, NO, off, true, "y"]\n  nulls: [~, null, ""]\n',
      '  ints: [0o17, 0O17, 0x1F, 0X1F, 0b101, 0B101, 017, 1_000, -0x10, 09]\n  floats: [.5, 1e3, 1.0, -2.5e-3]\n',
      '  text: [2001-12-14, 2001-12-14t21:59:43.10-05:00, 1:20, 0o19, abc]\n  bin: !!binary aGk=\n  tagged: !foo bar\n',
      '  base: &b {k: v, w: 1}\n  merged:\n    <<: *b\n    w: 2\n  alias: *b\n',
      '  dup: {a: 1, a: 2}\n  keys: {1: a, true: b, no: c}\n',
      '  block: |\n    line one\n    line two\n  folded: >-\n    a\n    b\n  quoted: "tab\\tnew\\nline \\u00e9"\n',
    ];
    for (const spec of specs) {
      const body = manifest(spec);
      const server = await call('POST', `${probes}?dryRun=All`, 'application/yaml', body);
      assert.equal(server.status, 201, `${spec}: ${JSON.stringify(server.json)}`);
      const ours = decodeWriteBody('application/yaml', Buffer.from(body), decodeKubernetesProtobuf);
      assert.equal(ours.kind, 'decoded', spec);
      assert.deepEqual((ours as { object: Json }).object['spec'], server.json?.['spec'], spec);
    }
  });

  it('server-side apply reads the same YAML, and only the first document, which decodeWriteBody refuses to guess at', async () => {
    const body = manifest('  a: on\n');
    const applied = await call('PATCH', `${probes}/p?dryRun=All&fieldManager=oracle`, 'application/apply-patch+yaml', body);
    assert.equal(applied.status, 201, JSON.stringify(applied.json));
    assert.deepEqual(applied.json?.['spec'], { a: true });
    const two = `${body}---\n${manifest('  a: second\n')}`;
    const server = await call('PATCH', `${probes}/p?dryRun=All&fieldManager=oracle`, 'application/apply-patch+yaml', two);
    assert.deepEqual(server.json?.['spec'], { a: true });
    assert.deepEqual(decodeWriteBody('application/apply-patch+yaml', Buffer.from(two), decodeKubernetesProtobuf), { kind: 'undecodable', reason: 'multi-document', format: 'yaml' });
  });

  // writeBodyFormat reads the union of what create and patch accept: never less than either (or a write the API server
  // takes would go unread), and nothing the API server refuses everywhere.
  it('a create the API server takes is always read; what writeBodyFormat does not read, the API server refuses (415)', async () => {
    const body = JSON.stringify({ apiVersion: `${group}/v1`, kind: 'Probe', metadata: { name: 'p' }, spec: { a: 1 } });
    const types = [undefined, '', 'application/json', 'Application/JSON; charset=utf-8', ' application/json ', 'application/json;',
      'application/yaml', 'text/yaml', 'application/x-yaml', 'application/json, text/plain', 'application/merge-patch+json', 'application/cbor', 'text/plain'];
    for (const type of types) {
      const { status } = await call('POST', `${probes}?dryRun=All`, type, body);
      if (writeBodyFormat(type) === undefined) assert.equal(status, 415, String(type));
      else if (type !== 'application/merge-patch+json') assert.equal(status, 201, String(type));
    }
  });

  it('a patch the API server takes is always read; what writeBodyFormat does not read, the API server refuses (415)', async () => {
    await call('POST', probes, 'application/json', JSON.stringify({ apiVersion: `${group}/v1`, kind: 'Probe', metadata: { name: 'patched' }, spec: { a: 1 } }));
    const merge = '{"spec":{"a":2}}';
    const cases: Array<[string | undefined, string]> = [
      ['application/merge-patch+json', merge], ['application/merge-patch+json; charset=utf-8', merge],
      ['application/json-patch+json', '[{"op":"replace","path":"/spec/a","value":3}]'],
      ['application/apply-patch+yaml', `apiVersion: ${group}/v1\nkind: Probe\nmetadata:\n  name: patched\nspec:\n  a: 4\n`],
      ['application/apply-patch+json', merge], ['text/yaml', merge], ['application/cbor', merge],
      // Read by writeBodyFormat for create and update; a patch with them is refused, which changes nothing.
      ['application/json', merge], [undefined, merge], ['Application/Merge-Patch+JSON', merge],
    ];
    for (const [type, body] of cases) {
      const path = `${probes}/patched?dryRun=All${type?.includes('apply') === true ? '&fieldManager=oracle&force=true' : ''}`;
      const { status } = await call('PATCH', path, type, body);
      if (writeBodyFormat(type) === undefined) assert.equal(status, 415, String(type));
      else if (status !== 415) assert.equal(status, 200, String(type));
    }
  });
});
