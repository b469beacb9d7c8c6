import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { exportSPKI, SignJWT } from 'jose';
import { ErrorCodes } from '@auditgate/shared';
import { createTokenVerifier } from './create-token-verifier.js';
import { newTestKey, startLocalIssuer, type LocalIssuer, type TestKey } from '@auditgate/shared/testing';
import type { TokenVerifier, TokenVerifierOptions, TrustedIssuer } from './types.js';

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSec = (): number => Math.floor(Date.now() / 1000);

async function assertRejected(verifier: TokenVerifier, token: string, reason: string, retriable = false): Promise<void> {
  await assert.rejects(verifier.verify(token), (error: Error & { code?: string; status?: number; retriable?: boolean; details?: Record<string, unknown> }) => {
    assert.equal(error.code, ErrorCodes.UNAUTHENTICATED);
    assert.equal(error.status, 401);
    assert.equal(error.details?.['reason'], reason, error.message);
    assert.equal(error.retriable, retriable);
    if (token.length > 8) assert.ok(!error.message.includes(token), 'the message never carries the token');
    return true;
  });
}

describe('createTokenVerifier against a local discovery + JWKS server', () => {
  let idp: LocalIssuer;
  let rsa: TestKey;
  let ec: TestKey;
  const verifiers: TokenVerifier[] = [];
  const make = (issuer: Partial<TrustedIssuer> = {}, options: Partial<TokenVerifierOptions> = {}): TokenVerifier => {
    const verifier = createTokenVerifier({
      issuers: [{ issuer: idp.issuer, audiences: ['auditgate', 'other'], kind: 'oidc', ...issuer }],
      fetchTimeoutMs: 2000,
      ...options,
    });
    verifiers.push(verifier);
    return verifier;
  };
  const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> =>
    ({ sub: 'user-1', aud: 'auditgate', iat: nowSec(), exp: nowSec() + 600, ...extra });

  before(async () => {
    idp = await startLocalIssuer();
    rsa = await newTestKey('RS256', 'rsa-1');
    ec = await newTestKey('ES256', 'ec-1');
    idp.keys = [rsa, ec];
  });
  after(async () => {
    await Promise.all(verifiers.map((v) => v.close()));
    await idp.close();
  });

  it('verifies RS256 and ES256 tokens and maps OIDC claims with prefixes', async () => {
    const verifier = make({ usernameClaim: 'email', usernamePrefix: 'oidc:', groupsPrefix: 'oidc:', extraGroups: ['agents'] });
    const token = await idp.sign(rsa, claims({ email: 'ana@example.com', email_verified: true, groups: ['dev', 'ops'], nonce: 'n-1', at_hash: 'h' }));
    const identity = await verifier.verify(token);
    assert.equal(identity.issuer, idp.issuer);
    assert.equal(identity.subject, 'user-1');
    assert.equal(identity.username, 'oidc:ana@example.com');
    assert.deepEqual(identity.groups, ['oidc:dev', 'oidc:ops', 'system:authenticated', 'agents']);
    assert.equal(identity.tokenKind, 'oidc');
    assert.equal(identity.claims['email'], 'ana@example.com');
    assert.equal(identity.claims['nonce'], undefined, 'sensitive claims are dropped');
    assert.equal(identity.claims['at_hash'], undefined);
    assert.ok(Math.abs(identity.expiresAt - (nowSec() + 600) * 1000) < 5000);
    const ecIdentity = await verifier.verify(await idp.sign(ec, claims({ email: 'bo@example.com', aud: ['x', 'other'] })));
    assert.equal(ecIdentity.username, 'oidc:bo@example.com');
    assert.deepEqual(ecIdentity.groups, ['system:authenticated', 'agents']);
  });

  it('maps a service-account token from its kubernetes.io claim', async () => {
    const verifier = make({ kind: 'serviceaccount' });
    const token = await idp.sign(rsa, claims({
      sub: 'system:serviceaccount:team-a:agent',
      'kubernetes.io': { namespace: 'team-a', serviceaccount: { name: 'agent', uid: 'u-1' }, pod: { name: 'mcp-0', uid: 'p-1' } },
    }));
    const identity = await verifier.verify(token);
    assert.equal(identity.username, 'system:serviceaccount:team-a:agent');
    assert.deepEqual(identity.groups, ['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated']);
    assert.deepEqual(identity.serviceAccount, { namespace: 'team-a', name: 'agent', uid: 'u-1', podName: 'mcp-0' });
    assert.equal(identity.tokenKind, 'serviceaccount');
  });

  it('rejects alg none, HS256 signed with the public key, and algorithms outside the allow-list', async () => {
    const verifier = make();
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ iss: idp.issuer, ...claims() })}.`;
    await assertRejected(verifier, none, 'alg_not_allowed');
    const publicPem = await exportSPKI(rsa.publicKey);
    const signingInput = `${b64({ alg: 'HS256', kid: rsa.kid })}.${b64({ iss: idp.issuer, ...claims() })}`;
    const hs = `${signingInput}.${createHmac('sha256', publicPem).update(signingInput).digest('base64url')}`;
    await assertRejected(verifier, hs, 'alg_not_allowed');
    await assertRejected(make({ algorithms: ['ES256'] }), await idp.sign(rsa, claims()), 'alg_not_allowed');
    assert.throws(() => make({ algorithms: ['RS256', 'HS256'] }), { code: ErrorCodes.CONFIG_INVALID });
    assert.throws(() => make({ algorithms: ['none'] }), { code: ErrorCodes.CONFIG_INVALID });
  });

  it('rejects bad signatures, bad times, wrong audience, unknown issuer and missing claims', async () => {
    const verifier = make();
    const stranger = await newTestKey('RS256', rsa.kid);
    await assertRejected(verifier, await idp.sign(stranger, claims()), 'bad_signature');
    const [h, , s] = (await idp.sign(rsa, claims())).split('.');
    await assertRejected(verifier, `${h}.${b64({ iss: idp.issuer, ...claims({ sub: 'admin' }) })}.${s}`, 'bad_signature');
    await assertRejected(verifier, await idp.sign(rsa, claims({ exp: nowSec() - 3600, iat: nowSec() - 7200 })), 'expired');
    await assertRejected(verifier, await idp.sign(rsa, claims({ nbf: nowSec() + 3600 })), 'not_yet_valid');
    await assertRejected(verifier, await idp.sign(rsa, claims({ iat: nowSec() + 3600 })), 'not_yet_valid');
    await assertRejected(verifier, await idp.sign(rsa, claims({ aud: 'kubernetes' })), 'wrong_audience');
    await assertRejected(verifier, await idp.sign(rsa, claims({ iss: 'https://evil.example.com' })), 'unknown_issuer');
    await assertRejected(verifier, await idp.sign(rsa, claims({ sub: undefined })), 'missing_claim');
    await assertRejected(verifier, await idp.sign(rsa, claims({ exp: undefined })), 'missing_claim');
    await assertRejected(verifier, await idp.sign(rsa, claims({ iss: undefined })), 'missing_claim');
  });

  it('honours the injected clock and clock tolerance', async () => {
    const exp = nowSec() + 600;
    const token = await idp.sign(rsa, claims({ exp }));
    await assertRejected(make({}, { now: () => (exp + 31) * 1000 }), token, 'expired');
    await make({}, { now: () => (exp + 29) * 1000 }).verify(token);
    await assertRejected(make({ clockToleranceSec: 0 }, { now: () => (exp + 1) * 1000 }), token, 'expired');
  });

  it('rejects malformed and oversized tokens before any network access', async () => {
    const verifier = make();
    const before = idp.requests.discovery;
    for (const token of ['', 'abc', 'a.b', 'a.b.c.d', 'a b.c.d', `${b64('str')}.${b64({})}.x`, `${b64({ alg: 'RS256' })}.bm90LWpzb24.x`]) {
      await assertRejected(verifier, token, token === '' ? 'missing_token' : 'malformed');
    }
    await assertRejected(verifier, await idp.sign(rsa, claims({ pad: 'x'.repeat(17 * 1024) })), 'too_large');
    await assertRejected(make({}, { maxTokenBytes: 200 }), await idp.sign(rsa, claims()), 'too_large');
    assert.equal(idp.requests.discovery, before, 'no discovery for tokens refused up front');
  });

  it('rejects an unknown kid without hammering the JWKS inside the cooldown', async () => {
    const verifier = make();
    await verifier.verify(await idp.sign(rsa, claims()));
    const jwks = idp.requests.jwks;
    const unknown = await newTestKey('RS256', 'not-served');
    await assertRejected(verifier, await idp.sign(unknown, claims()), 'unknown_kid');
    await assertRejected(verifier, await idp.sign(unknown, claims()), 'unknown_kid');
    assert.equal(idp.requests.jwks, jwks, 'inside the cooldown an unknown kid does not refetch');
  });

  it('picks up a rotated key without restart once the cooldown has passed', async () => {
    const verifier = make({}, { jwksCooldownMs: 100 });
    await verifier.verify(await idp.sign(rsa, claims()));
    const jwks = idp.requests.jwks;
    const rotated = await newTestKey('RS256', 'rsa-2');
    idp.keys = [rotated, ec];
    try {
      await new Promise((resolve) => setTimeout(resolve, 150));
      const identity = await verifier.verify(await idp.sign(rotated, claims({ sub: 'after-rotation' })));
      assert.equal(identity.subject, 'after-rotation');
      assert.equal(idp.requests.jwks, jwks + 1, 'one refetch for the new kid');
    } finally {
      idp.keys = [rsa, ec];
    }
  });

  it('rejects when discovery names another issuer', async () => {
    idp.discoveryIssuer = 'https://someone-else.example.com';
    try {
      await assertRejected(make(), await idp.sign(rsa, claims()), 'wrong_issuer');
    } finally {
      idp.discoveryIssuer = undefined;
    }
  });

  it('reports jwks_unreachable (retriable) on failing discovery or JWKS, and retries discovery later', async () => {
    const verifier = make();
    const token = await idp.sign(rsa, claims());
    idp.failDiscovery = 500;
    await assertRejected(verifier, token, 'jwks_unreachable', true);
    idp.failDiscovery = undefined;
    idp.failJwks = 503;
    await assertRejected(verifier, token, 'jwks_unreachable', true);
    idp.failJwks = undefined;
    assert.equal((await verifier.verify(token)).subject, 'user-1', 'a failure is not cached');
  });

  it('reports jwks_unreachable when the issuer server is gone', async () => {
    const gone = await startLocalIssuer();
    gone.keys = [rsa];
    const token = await gone.sign(rsa, claims());
    await gone.close();
    const verifier = createTokenVerifier({ issuers: [{ issuer: gone.issuer, audiences: ['auditgate'], kind: 'oidc' }], fetchTimeoutMs: 1000 });
    verifiers.push(verifier);
    await assertRejected(verifier, token, 'jwks_unreachable', true);
  });

  it('keeps serving cached keys when the JWKS server goes away after the first fetch', async () => {
    const local = await startLocalIssuer();
    local.keys = [rsa];
    const verifier = createTokenVerifier({ issuers: [{ issuer: local.issuer, audiences: ['auditgate'], kind: 'oidc' }] });
    verifiers.push(verifier);
    await verifier.verify(await local.sign(rsa, claims()));
    const later = await local.sign(rsa, claims({ sub: 'later' }));
    await local.close();
    assert.equal((await verifier.verify(later)).subject, 'later');
    await verifier.close();
    await verifier.close();
  });

  it('uses the injected fetch for issuers without a CA file', async () => {
    const seen: string[] = [];
    const verifier = make({}, { fetch: async (url, init) => { seen.push(String(url)); return fetch(url, init); } });
    await verifier.verify(await new SignJWT(claims()).setIssuer(idp.issuer).setProtectedHeader({ alg: 'ES256', kid: ec.kid }).sign(ec.privateKey));
    assert.deepEqual(seen, [`${idp.issuer}/.well-known/openid-configuration`, `${idp.issuer}/keys`]);
  });
});
