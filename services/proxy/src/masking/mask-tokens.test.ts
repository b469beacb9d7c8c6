import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { maskJsonBody } from './mask-json-body.js';
import { maskKubernetesObject } from './mask-kubernetes-object.js';
import { maskValue } from './mask-value.js';
import { kindForResource } from './resource-kinds.js';
import { createWatchMaskingTransform } from './watch-masking-transform.js';
import { assertNoPlaintext, deepFreeze, testMaskingOptions } from './test-support.js';

const options = testMaskingOptions();
// A service account JWT as the API server issues it (header.payload.signature).
const JWT = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IkFCQyJ9.eyJpc3MiOiJodHRwczovL2t1YmVybmV0ZXMiLCJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJlLXZhbHVlLWZvci10ZXN0';
const OPAQUE = 'not-a-jwt-but-still-a-bearer-token-4f9a';

function tokenRequest(token: string): Record<string, unknown> {
  return {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: { name: 'agent', namespace: 'ns' },
    spec: { audiences: ['https://kubernetes.default.svc'], expirationSeconds: 3600, boundObjectRef: null },
    status: { token, expirationTimestamp: '2030-01-01T00:00:00Z' },
  };
}

function tokenReview(token: string): Record<string, unknown> {
  return {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: {},
    spec: { token, audiences: ['api'] },
    status: { authenticated: true, user: { username: 'system:serviceaccount:ns:agent', groups: ['system:serviceaccounts'] } },
  };
}

const mask = (obj: unknown, resourceHint?: string) => maskKubernetesObject(deepFreeze(obj), { ...options, resourceHint });

describe('maskKubernetesObject: bearer tokens outside Secrets', () => {
  it('masks a TokenRequest\'s status.token (the answer of serviceaccounts/token), keeping everything else', () => {
    const input = tokenRequest(JWT);
    const { object, maskedPaths, changed } = mask(input);
    assert.equal(changed, true);
    assert.deepEqual(maskedPaths, ['/status/token']);
    const out = object as ReturnType<typeof tokenRequest> & { status: { token: string; expirationTimestamp: string } };
    assert.equal(out.status.token, maskValue(JWT, options.key));
    assert.equal(out.status.expirationTimestamp, '2030-01-01T00:00:00Z');
    assert.deepEqual(out['spec'], input['spec']);
    assertNoPlaintext(JSON.stringify(object), [JWT]);
  });

  it('leaves a TokenRequest without a token (the request kubectl sends) as the same reference', () => {
    for (const input of [tokenRequest(''), { ...tokenRequest(''), status: undefined }, { kind: 'TokenRequest', spec: { audiences: null } }]) {
      const result = mask(input);
      assert.equal(result.object, input);
      assert.deepEqual(result.maskedPaths, []);
    }
  });

  it('masks a TokenReview\'s spec.token, in the request and in the answer that echoes it', () => {
    const { object, maskedPaths } = mask(tokenReview(OPAQUE));
    assert.deepEqual(maskedPaths, ['/spec/token']);
    assert.equal((object as { spec: { token: string } }).spec.token, maskValue(OPAQUE, options.key));
    assert.deepEqual((object as { status: unknown }).status, tokenReview(OPAQUE)['status']);
    assertNoPlaintext(JSON.stringify(object), [OPAQUE]);
  });

  it('uses the resource hint for kind-less bodies: serviceaccounts/token and tokenreviews', () => {
    assert.equal(kindForResource('serviceaccounts/token'), 'TokenRequest');
    assert.equal(kindForResource('ServiceAccounts/Token'), 'TokenRequest');
    assert.equal(kindForResource('serviceaccounts'), undefined);
    assert.equal(kindForResource('tokenreviews'), 'TokenReview');
    assert.equal(kindForResource('TokenRequest'), 'TokenRequest');
    const request = { status: { token: JWT } };
    assert.deepEqual(mask(request, 'serviceaccounts/token').maskedPaths, ['/status/token']);
    assert.equal(mask(request, 'serviceaccounts').object, request);
    assert.deepEqual(mask({ spec: { token: OPAQUE } }, 'tokenreviews').maskedPaths, ['/spec/token']);
    // The same field of another kind is not a token field.
    const other = { kind: 'Widget', spec: { token: 'x' } };
    assert.equal(mask(other).object, other);
  });

  it('is idempotent, and writes a text marker even for callers (the token is text, not base64)', () => {
    const once = maskKubernetesObject(tokenRequest(JWT), { ...options, encodeBinaryMarkers: true });
    assert.equal((once.object as { status: { token: string } }).status.token, maskValue(JWT, options.key));
    const twice = maskKubernetesObject(once.object, { ...options, encodeBinaryMarkers: true });
    assert.equal(twice.changed, false);
    assert.equal(twice.object, once.object);
  });

  it('masks tokens in lists, tables, watch events and the last-applied annotation', () => {
    const list = mask({ kind: 'List', items: [tokenReview(OPAQUE), tokenRequest(JWT)] });
    assert.deepEqual(list.maskedPaths, ['/items/0/spec/token', '/items/1/status/token']);
    const table = mask({ kind: 'Table', rows: [{ cells: ['x'], object: tokenRequest(JWT) }] }, 'serviceaccounts/token');
    assert.deepEqual(table.maskedPaths, ['/rows/0/object/status/token']);
    const event = mask({ type: 'ADDED', object: tokenReview(OPAQUE) });
    assert.deepEqual(event.maskedPaths, ['/object/spec/token']);
    const applied = { ...tokenReview(OPAQUE), metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(tokenReview(OPAQUE)) } } };
    const result = mask(applied);
    assert.ok(result.maskedPaths.includes('/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration#/spec/token'));
    assertNoPlaintext(JSON.stringify([list.object, table.object, event.object, result.object]), [JWT, OPAQUE]);
  });

  it('masks a JSON patch that sets a token, by hint', () => {
    const ops = [{ op: 'add', path: '/spec/token', value: OPAQUE }, { op: 'replace', path: '/status', value: { token: JWT } }];
    const { object, maskedPaths } = mask(ops, 'tokenreviews');
    assert.deepEqual(maskedPaths, ['/0/value']);
    assert.equal((object as Array<{ value: unknown }>)[1]?.value, ops[1]?.value);
    assertNoPlaintext(JSON.stringify(mask(ops, 'serviceaccounts/token').object), [JWT]);
  });
});

describe('maskJsonBody and the watch transform: bearer tokens', () => {
  it('does not skip a TokenRequest or TokenReview body in the pre-check', () => {
    for (const [body, secret] of [[tokenRequest(JWT), JWT], [tokenReview(OPAQUE), OPAQUE]] as const) {
      const result = maskJsonBody(Buffer.from(JSON.stringify(body)), options);
      assert.equal(result.changed, true);
      assertNoPlaintext(result.body.toString(), [secret]);
    }
  });

  it('masks tokens in a watch stream, whatever the chunking', async () => {
    const stream = `${JSON.stringify({ type: 'ADDED', object: tokenRequest(JWT) })}\n${JSON.stringify({ type: 'MODIFIED', object: tokenReview(OPAQUE) })}`;
    const bytes = Buffer.from(stream);
    const chunks = [bytes.subarray(0, 37), bytes.subarray(37, 200), bytes.subarray(200)];
    const paths: string[][] = [];
    const transform = createWatchMaskingTransform({ ...options, onEvent: (info) => paths.push(info.maskedPaths) });
    const out: Buffer[] = [];
    for await (const chunk of Readable.from(chunks).pipe(transform)) out.push(chunk as Buffer);
    const text = Buffer.concat(out).toString();
    assert.deepEqual(paths, [['/object/status/token'], ['/object/spec/token']]);
    assert.equal(text.trim().split('\n').length, 2);
    assertNoPlaintext(text, [JWT, OPAQUE]);
  });
});

describe('Secret fields in the wrong case', () => {
  it('are masked too: the API server drops "StringData", but the record would keep its plaintext', () => {
    const { object, maskedPaths } = maskKubernetesObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, StringData: { pw: 'hunter2' }, DATA: { k: 'aHVudGVyMg==' } },
      testMaskingOptions());
    assert.ok(!JSON.stringify(object).includes('hunter2'));
    assert.ok(!JSON.stringify(object).includes('aHVudGVyMg=='));
    assert.deepEqual(maskedPaths.sort(), ['/DATA/k', '/StringData/pw']);
  });
});
