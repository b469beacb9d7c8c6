import { it } from 'node:test';
import assert from 'node:assert/strict';
import { AppError, ErrorCodes } from '@auditgate/shared';
import { createReviewedTokenVerifier } from './reviewed-token-verifier.js';
import type { TokenReviewAnswer, TokenReviewer } from './token-reviewer.js';
import type { TokenVerifier, VerifiedIdentity } from './types.js';

const SA_ISSUER = 'https://kube.example';

function identityOf(token: string, clock: number): VerifiedIdentity {
  const kind = token.startsWith('oidc') ? 'oidc' : 'serviceaccount';
  return {
    issuer: kind === 'oidc' ? 'https://idp.example' : SA_ISSUER, subject: token, username: kind === 'oidc' ? token : `system:serviceaccount:ns:${token}`,
    groups: [], tokenKind: kind, expiresAt: token.startsWith('short') ? clock + 3_000 : clock + 3_600_000, claims: {},
  };
}

/** A verifier of signatures that accepts every token, and a reviewer whose answers tests set per token. */
function setup(cacheMs = 10_000) {
  let clock = 1_000_000;
  const reviews: string[] = [];
  const answers = new Map<string, TokenReviewAnswer | Error>();
  let gate: Promise<void> | undefined;
  const inner: TokenVerifier = { verify: async (token) => identityOf(token, clock), close: async () => undefined };
  const reviewer: TokenReviewer = {
    async review(token, audiences) {
      reviews.push(`${token}:${audiences.join(',')}`);
      if (gate !== undefined) await gate;
      const answer = answers.get(token) ?? { authenticated: true, username: `system:serviceaccount:ns:${token}` };
      if (answer instanceof Error) throw answer;
      return answer;
    },
    close: async () => undefined,
  };
  const verifier = createReviewedTokenVerifier(inner, { reviewer, audiences: new Map([[SA_ISSUER, ['auditgate']]]), cacheMs, now: () => clock, maxEntries: 3 });
  return {
    verifier, reviews, answers,
    advance: (ms: number) => { clock += ms; },
    /** Holds every review until the returned function is called. */
    hold: (): (() => void) => { let open!: () => void; gate = new Promise<void>((r) => { open = r; }); return () => { gate = undefined; open(); }; },
  };
}

const reasonOf = async (p: Promise<unknown>): Promise<string> => {
  try { await p; } catch (error) { return String((error as AppError).details['reason']); }
  return 'accepted';
};

it('reviews a new service-account token once, reuses the answer for cacheMs, then asks again', async () => {
  const t = setup();
  const first = await t.verifier.verify('agent');
  assert.deepEqual(first.review, { checked: true, authenticated: true, at: 1_000_000, cached: false });
  t.advance(5_000);
  const second = await t.verifier.verify('agent');
  assert.deepEqual(second.review, { checked: true, authenticated: true, at: 1_000_000, cached: true });
  assert.equal(await t.verifier.verify('agent'), await t.verifier.verify('agent'), 'cache hits serve one object');
  assert.deepEqual(t.reviews, ['agent:auditgate']);
  t.advance(5_000);
  assert.equal((await t.verifier.verify('agent')).review?.cached, false, 'asked again once cacheMs has passed');
  assert.equal(t.reviews.length, 2);
});

it('a refusal (deleted service account) is a 401 naming the identity, and is cached too', async () => {
  const t = setup();
  await t.verifier.verify('agent');
  t.answers.set('agent', { authenticated: false, error: 'service account ns/agent has been deleted' });
  t.advance(10_000);
  await assert.rejects(t.verifier.verify('agent'), (e: AppError) => {
    assert.equal(e.code, ErrorCodes.UNAUTHENTICATED);
    assert.equal(e.status, 401);
    assert.equal(e.details['reason'], 'token_review_refused');
    assert.match(e.message, /has been deleted/);
    const identity = e.details['identity'] as VerifiedIdentity;
    assert.equal(identity.username, 'system:serviceaccount:ns:agent');
    assert.deepEqual(identity.review, { checked: true, authenticated: false, at: 1_010_000, cached: false });
    return true;
  });
  assert.equal(await reasonOf(t.verifier.verify('agent')), 'token_review_refused');
  assert.equal(t.reviews.length, 2, 'a refused token does not make the gateway ask on every request');
});

it('an answer for another user is a refusal', async () => {
  const t = setup();
  t.answers.set('agent', { authenticated: true, username: 'system:serviceaccount:other:agent' });
  assert.equal(await reasonOf(t.verifier.verify('agent')), 'token_review_refused');
});

it('failing to ask is a retriable 503 (fail closed), not cached; OIDC tokens are not reviewed', async () => {
  const t = setup();
  t.answers.set('agent', new AppError('down', { code: ErrorCodes.UPSTREAM_UNAVAILABLE, status: 503, retriable: true, details: { reason: 'token_review_unavailable' } }));
  await assert.rejects(t.verifier.verify('agent'), (e: AppError) => {
    assert.equal(e.status, 503);
    assert.equal(e.retriable, true);
    assert.equal(e.details['reason'], 'token_review_unavailable');
    assert.equal((e.details['identity'] as VerifiedIdentity).username, 'system:serviceaccount:ns:agent');
    return true;
  });
  t.answers.delete('agent');
  assert.equal((await t.verifier.verify('agent')).review?.authenticated, true);
  assert.equal(t.reviews.length, 2);
  const person = await t.verifier.verify('oidc-ana');
  assert.equal(person.review, undefined);
  assert.equal(t.reviews.length, 2);
});

it('concurrent requests with one new token share one review; entries end with the token and are bounded', async () => {
  const t = setup();
  const release = t.hold();
  const both = Promise.all([t.verifier.verify('agent'), t.verifier.verify('agent')]);
  await new Promise((r) => setImmediate(r));
  release();
  await both;
  assert.equal(t.reviews.length, 1);
  await t.verifier.verify('short');
  t.advance(4_000);
  await t.verifier.verify('short');
  assert.equal(t.reviews.filter((r) => r.startsWith('short')).length, 2, 'not reused past the token expiry');
  for (const name of ['a', 'b', 'c']) await t.verifier.verify(name);
  await t.verifier.verify('agent');
  assert.equal(t.reviews.filter((r) => r.startsWith('agent')).length, 2, 'evicted beyond maxEntries');
});

it('cacheMs 0 asks the cluster on every request', async () => {
  const t = setup(0);
  await t.verifier.verify('agent');
  await t.verifier.verify('agent');
  assert.equal(t.reviews.length, 2);
});
