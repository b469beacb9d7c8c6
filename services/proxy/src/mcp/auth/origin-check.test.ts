import { it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeOrigin, originAllowed } from './origin-check.js';

const allowed = new Set(['https://gw.example:8443', 'http://localhost:6274']);

it('no Origin passes (non-browser clients); an allowed origin passes in any spelling of it', () => {
  assert.equal(originAllowed(undefined, allowed), true);
  assert.equal(originAllowed('https://gw.example:8443', allowed), true);
  assert.equal(originAllowed('HTTPS://GW.example:8443/', allowed), true);
  assert.equal(originAllowed('http://localhost:6274', allowed), true);
});

it('a present Origin that is not allowed is refused: other host, scheme or port, null, junk (DNS rebinding)', () => {
  for (const origin of ['https://evil.example', 'http://gw.example:8443', 'https://gw.example', 'https://gw.example:8444', 'null', '', 'gw.example:8443', 'file:///etc/passwd']) {
    assert.equal(originAllowed(origin, allowed), false, origin);
  }
  assert.equal(originAllowed('https://gw.example:8443', new Set()), false);
});

it('origins normalize like the URL standard: default ports dropped, lower case, no path', () => {
  assert.equal(normalizeOrigin('https://GW.example:443/mcp'), 'https://gw.example');
  assert.equal(normalizeOrigin('http://127.0.0.1:80'), 'http://127.0.0.1');
  assert.equal(normalizeOrigin('ftp://x'), undefined);
  assert.equal(normalizeOrigin('not a url'), undefined);
});
