import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { auditVerb, classifyRequest, toObjectRef } from './index.js';

const RESERVED = new Set(['watch', 'proxy', 'namespaces', 'status', 'finalize', 'api', 'apis']);
const segment = fc
  .stringMatching(/^[a-z0-9][a-z0-9.:_~-]{0,20}$/u)
  .filter((s) => !RESERVED.has(s));
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE'];
const RESOURCE_VERBS = new Set(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'proxy', '']);

const request = fc.record({
  group: fc.option(segment, { nil: undefined }),
  version: segment,
  namespace: fc.option(segment, { nil: undefined }),
  resource: segment,
  name: fc.option(segment, { nil: undefined }),
  subresource: fc.option(segment, { nil: undefined }),
  method: fc.constantFrom(...METHODS),
});

/** Percent-encodes every character of `s` (its UTF-8 bytes), as a client may legally do. */
function encodeAll(s: string): string {
  return Array.from(Buffer.from(s, 'utf8'), (b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
}

test('generated resource paths round-trip to their components, encoded or not', () => {
  fc.assert(
    fc.property(request, fc.boolean(), (r, encode) => {
      const sub = r.name !== undefined ? r.subresource : undefined;
      const segs = [
        ...(r.group === undefined ? ['api'] : ['apis', r.group]),
        r.version,
        ...(r.namespace === undefined ? [] : ['namespaces', r.namespace]),
        r.resource,
        ...(r.name === undefined ? [] : [r.name]),
        ...(sub === undefined ? [] : [sub]),
      ];
      const url = '/' + segs.map((s) => (encode ? encodeAll(s) : s)).join('/');
      const info = classifyRequest(r.method, url);
      assert.equal(info.isResourceRequest, true);
      assert.equal(info.apiGroup, r.group ?? '');
      assert.equal(info.apiVersion, r.version);
      assert.equal(info.namespace, r.namespace ?? '');
      assert.equal(info.resource, r.resource);
      assert.equal(info.name, r.name ?? '');
      assert.equal(info.subresource, sub ?? '');
      assert.deepEqual(info.parts, [r.resource, ...(r.name === undefined ? [] : [r.name]), ...(sub === undefined ? [] : [sub])]);
      const named = r.name !== undefined;
      const expected: Record<string, string> = {
        GET: named ? 'get' : 'list', HEAD: named ? 'get' : 'list', POST: 'create', PUT: 'update', PATCH: 'patch',
        DELETE: named ? 'delete' : 'deletecollection',
      };
      assert.equal(info.verb, expected[r.method] ?? '');
    }),
    { numRuns: 2000 },
  );
});

test('classification never throws and its verb is always a known one', () => {
  fc.assert(
    fc.property(fc.oneof(fc.constantFrom(...METHODS), fc.string()), fc.oneof(fc.string(), fc.webUrl(), fc.webPath()), (method, url) => {
      const info = classifyRequest(method, url);
      const verb = auditVerb(info);
      if (info.isResourceRequest) assert.ok(RESOURCE_VERBS.has(verb), verb);
      else assert.equal(verb, method.toLowerCase());
      const ref = toObjectRef(info);
      assert.equal(ref === undefined, !info.isResourceRequest);
      for (const value of Object.values(ref ?? {})) assert.notEqual(value, '');
    }),
    { numRuns: 5000 },
  );
});

test('percent-encoding every character of a path does not change its classification', () => {
  const pathChars = fc.constantFrom(...'/apinmesw0123456789.-_:~#é😀'.split(/(?:)/u), 'api/', 'v1/', 'watch/', 'namespaces/', 'status');
  fc.assert(
    fc.property(fc.constantFrom('GET', 'DELETE', 'PUT'), fc.array(pathChars, { maxLength: 30 }), (method, chars) => {
      const path = '/' + chars.join('');
      assert.deepEqual(classifyRequest(method, encodeAll(path)), classifyRequest(method, path));
    }),
    { numRuns: 3000 },
  );
});

test('a fieldSelector name that is a valid path segment is taken as the name of a list', () => {
  fc.assert(
    fc.property(segment, fc.constantFrom('', '&watch=1', '&limit=5'), (name, extra) => {
      const url = `/api/v1/namespaces/n/secrets?fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}${extra}`;
      const info = classifyRequest('GET', url);
      assert.equal(info.name, name);
      assert.equal(info.verb, extra === '&watch=1' ? 'watch' : 'list');
    }),
    { numRuns: 1000 },
  );
});
