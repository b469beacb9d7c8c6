import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import { Agent, fetch } from 'undici';
import { readStackEnv, uniqueName } from '@auditgate/shared/testing';
import { createWatchMaskingTransform, maskJsonBody, maskKubernetesObject } from '../../../services/proxy/src/masking/index.js';
import { assertNoPlaintext, b64, testMaskingOptions } from '../../../services/proxy/src/masking/test-support.js';

const stack = readStackEnv(process.env);
const options = testMaskingOptions();
const ns = uniqueName('mask-it');
// Unrelated to the namespace name, which legitimately appears in every object.
const PASSWORD = `Pw!${uniqueName('zq')}`;
const TOKEN = `Tk#${uniqueName('xy')}`;
const APPLIED = `Ap%${uniqueName('wv')}`;
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SECRETS = [PASSWORD, TOKEN, APPLIED, AWS_SECRET];

const adminToken = readFileSync(`${stack.kubeState}/tokens.csv`, 'utf8').split('\n')
  .map((line) => line.split(',')).find((cols) => cols[1] === 'auditgate-admin')?.[0];
const dispatcher = new Agent({ connect: { ca: readFileSync(`${stack.kubeState}/pki/ca.crt`) } });

async function kube(path: string, init: { method?: string; body?: unknown; accept?: string } = {}): Promise<Response> {
  assert.ok(adminToken, 'admin token in tokens.csv');
  const res = await fetch(`${stack.kubeApiserverUrl}${path}`, {
    method: init.method ?? 'GET',
    dispatcher,
    headers: {
      authorization: `Bearer ${adminToken}`, accept: init.accept ?? 'application/json', 'content-type': 'application/json',
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return res as unknown as Response;
}

async function bytesOf(path: string, accept?: string): Promise<Buffer> {
  const res = await kube(path, accept === undefined ? {} : { accept });
  const body = Buffer.from(await res.arrayBuffer());
  assert.equal(res.status, 200, body.toString());
  return body;
}

async function throughTransform(chunks: Iterable<Buffer> | Readable): Promise<string> {
  const source = chunks instanceof Readable ? chunks : Readable.from(chunks);
  const out: Buffer[] = [];
  for await (const piece of source.pipe(createWatchMaskingTransform({ ...options, resourceHint: 'secrets' }))) {
    out.push(piece as Buffer);
  }
  return Buffer.concat(out).toString();
}

describe('masking against the real kube-apiserver', () => {
  before(async () => {
    const created = await kube('/api/v1/namespaces', { method: 'POST', body: { metadata: { name: ns } } });
    assert.equal(created.status, 201);
    const direct = await kube(`/api/v1/namespaces/${ns}/secrets`, {
      method: 'POST',
      body: { metadata: { name: 'direct' }, data: { password: b64(PASSWORD) }, stringData: { 'api-token': TOKEN } },
    });
    assert.equal(direct.status, 201, await direct.text());
    const cm = await kube(`/api/v1/namespaces/${ns}/configmaps`, {
      method: 'POST', body: { metadata: { name: 'aws' }, data: { aws_secret_access_key: AWS_SECRET, region: 'eu-west-1' } },
    });
    assert.equal(cm.status, 201);
    // kubectl apply writes the real last-applied-configuration annotation, secret included.
    execFileSync(stack.kubectl, ['--kubeconfig', `${stack.kubeState}/admin.kubeconfig`, 'apply', '-n', ns, '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'applied' }, stringData: { applied: APPLIED } }),
      stdio: ['pipe', 'ignore', 'inherit'],
    });
  });

  after(async () => {
    await kube(`/api/v1/namespaces/${ns}`, { method: 'DELETE' });
    await dispatcher.close();
  });

  it('GET of a Secret (with last-applied) keeps key names and no plaintext', async () => {
    const raw = await bytesOf(`/api/v1/namespaces/${ns}/secrets/applied`);
    assert.ok(raw.toString().includes(APPLIED), 'the annotation really carries the plaintext');
    const { body, maskedPaths } = maskJsonBody(raw, { ...options, resourceHint: 'secrets' });
    assertNoPlaintext(body.toString(), SECRETS);
    assert.ok(maskedPaths.includes('/data/applied'));
    assert.ok(maskedPaths.some((p) => p.includes('last-applied-configuration#/stringData/applied')));
    assert.deepEqual(Object.keys((JSON.parse(body.toString()) as { data: object }).data), ['applied']);
  });

  it('LIST of Secrets, as JSON, as a Table with objects and as PartialObjectMetadata', async () => {
    const list = await bytesOf(`/api/v1/namespaces/${ns}/secrets`);
    assert.ok(list.includes(b64(PASSWORD)));
    const masked = maskJsonBody(list, { ...options, resourceHint: 'secrets' }).body.toString();
    assertNoPlaintext(masked, SECRETS);
    assert.ok(masked.includes('"api-token"') && masked.includes('"password"') && masked.includes('"applied"'));

    const table = await bytesOf(`/api/v1/namespaces/${ns}/secrets?includeObject=Object`,
      'application/json;as=Table;v=v1;g=meta.k8s.io');
    const maskedTable = maskJsonBody(table, { ...options, resourceHint: 'secrets' });
    assert.ok(maskedTable.maskedPaths.some((p) => p.startsWith('/rows/')));
    assertNoPlaintext(maskedTable.body.toString(), SECRETS);

    const partial = await bytesOf(`/api/v1/namespaces/${ns}/secrets`,
      'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io');
    assert.ok(partial.includes(APPLIED));
    assertNoPlaintext(maskJsonBody(partial, { ...options, resourceHint: 'secrets' }).body.toString(), SECRETS);
  });

  it('GET of a ConfigMap masks the AWS secret key by key name', async () => {
    const raw = await bytesOf(`/api/v1/namespaces/${ns}/configmaps/aws`);
    const { object } = maskKubernetesObject(JSON.parse(raw.toString()), options);
    const data = (object as { data: Record<string, string> }).data;
    assert.equal(data['region'], 'eu-west-1');
    assertNoPlaintext(JSON.stringify(object), SECRETS);
  });

  it('WATCH bytes, live and re-chunked at several sizes, come out masked', async () => {
    const path = `/api/v1/namespaces/${ns}/secrets?watch=1&timeoutSeconds=2&allowWatchBookmarks=true`;
    const raw = await bytesOf(path);
    assert.ok(raw.includes(b64(PASSWORD)));
    const outputs: string[] = [];
    for (const size of [1, 13, 1000, raw.length]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < raw.length; i += size) chunks.push(raw.subarray(i, i + size));
      outputs.push(await throughTransform(chunks));
    }
    const live = await kube(path);
    assert.ok(live.body);
    outputs.push(await throughTransform(Readable.fromWeb(live.body as unknown as NodeWebStream<Uint8Array>)));
    for (const out of outputs) {
      assertNoPlaintext(out, SECRETS);
      const lines = out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { type: string; object: { data?: object } });
      assert.ok(lines.length >= 3);
      assert.ok(lines.every((l) => l.type !== 'ERROR'));
      const keys = lines.flatMap((l) => Object.keys(l.object.data ?? {})).sort();
      assert.deepEqual(keys, ['api-token', 'applied', 'password']);
    }
    assert.equal(new Set(outputs.slice(0, 4)).size, 1);
  });
});
