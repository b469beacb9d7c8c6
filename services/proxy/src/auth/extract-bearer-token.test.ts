import { it } from 'node:test';
import assert from 'node:assert/strict';
import { extractBearerToken } from './extract-bearer-token.js';

it('extracts a bearer token with any scheme case and surrounding space', () => {
  assert.equal(extractBearerToken('Bearer abc.def.ghi'), 'abc.def.ghi');
  assert.equal(extractBearerToken('bearer abc.def.ghi'), 'abc.def.ghi');
  assert.equal(extractBearerToken('  BEARER   abc.def-_~+/=  '), 'abc.def-_~+/=');
});

it('refuses absent, empty, other-scheme and odd headers', () => {
  for (const header of [undefined, '', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearerabc', 'Bearer a b', 'Bearer a,b',
    'Bearer a\tb', 'Bearer\ta.b.c', 'Bearer a.b.c\r\nX: y', 'Bearer ä.b.c', 'Bearer =abc', 'Token a.b.c']) {
    assert.equal(extractBearerToken(header), undefined, JSON.stringify(header));
  }
});
