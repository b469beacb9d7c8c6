import { it } from 'node:test';
import assert from 'node:assert/strict';
import { auditParams, redactTokens } from './redact-tokens.js';

it('keeps tokens out of audit records: JWT-shaped runs and credential-named parameters', () => {
  const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
  assert.equal(redactTokens(`/api/v1/events/${jwt}`), '/api/v1/events/[REDACTED]');
  assert.equal(redactTokens('auditgate-cli/0.1.0'), 'auditgate-cli/0.1.0');
  assert.deepEqual(auditParams({ verb: 'get', cursor: 'x', access_token: 'opaque', Password: 'p', q: `Bearer ${jwt}`, actor: ['a', 'b'] }),
    { verb: 'get', access_token: '[REDACTED]', Password: '[REDACTED]', q: 'Bearer [REDACTED]', actor: 'a,b' });
  assert.equal(auditParams({ q: 'x'.repeat(5000) })['q']!.length, 1024);
});
