import { it } from 'node:test';
import assert from 'node:assert/strict';
import { AppError, ErrorCodes } from '@auditgate/shared';
import { createCachedTokenVerifier } from './cached-token-verifier.js';
import type { TokenVerifier, VerifiedIdentity } from './types.js';

function identity(expiresAt: number): VerifiedIdentity {
  return { issuer: 'i', subject: 's', username: 'u', groups: [], tokenKind: 'oidc', expiresAt, claims: {} };
}

it('reuses a verification until max age or token expiry, never caches failures, and bounds its size', async () => {
  let clock = 1_000_000;
  const calls: string[] = [];
  const inner: TokenVerifier = {
    async verify(token) {
      calls.push(token);
      if (token === 'bad') throw new AppError('no', { code: ErrorCodes.UNAUTHENTICATED, status: 401 });
      return identity(token === 'short' ? clock + 5_000 : clock + 3_600_000);
    },
    async close() {},
  };
  const cached = createCachedTokenVerifier(inner, { now: () => clock, maxAgeMs: 60_000, maxEntries: 2 });
  await cached.verify('a');
  await cached.verify('a');
  assert.deepEqual(calls, ['a']);
  clock += 61_000;
  await cached.verify('a');
  assert.deepEqual(calls, ['a', 'a'], 'verified again after max age');
  await assert.rejects(cached.verify('bad'));
  await assert.rejects(cached.verify('bad'));
  assert.equal(calls.filter((c) => c === 'bad').length, 2, 'failures are not cached');
  await cached.verify('short');
  clock += 6_000;
  await cached.verify('short');
  assert.equal(calls.filter((c) => c === 'short').length, 2, 'not reused past the token expiry');
  await cached.verify('b');
  await cached.verify('c');
  await cached.verify('short');
  assert.equal(calls.filter((c) => c === 'short').length, 3, 'evicted when over maxEntries');
});
