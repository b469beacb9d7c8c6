import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mapIdentity } from './map-identity.js';
import type { TrustedIssuer } from './types.js';

const sa: TrustedIssuer = { issuer: 'https://kube', audiences: ['auditgate'], kind: 'serviceaccount' };
const oidc: TrustedIssuer = { issuer: 'https://idp', audiences: ['auditgate'], kind: 'oidc' };
const base = { exp: 2_000_000_000, iat: 1_999_999_000 };
const reasonOf = (fn: () => unknown): unknown => {
  try { fn(); } catch (error) { return (error as { details?: Record<string, unknown> }).details?.['reason']; }
  return 'accepted';
};

it('maps a service account from its subject when the kubernetes.io claim is absent', () => {
  const identity = mapIdentity({ ...sa, extraGroups: ['mcp'] }, { ...base, sub: 'system:serviceaccount:ns-1:bot' });
  assert.equal(identity.username, 'system:serviceaccount:ns-1:bot');
  assert.deepEqual(identity.groups, ['system:serviceaccounts', 'system:serviceaccounts:ns-1', 'system:authenticated', 'mcp']);
  assert.deepEqual(identity.serviceAccount, { namespace: 'ns-1', name: 'bot' });
  assert.equal(identity.expiresAt, 2_000_000_000_000);
});

it('refuses service-account tokens whose claims are missing, malformed or inconsistent', () => {
  assert.equal(reasonOf(() => mapIdentity(sa, { ...base, sub: 'alice' })), 'missing_claim');
  assert.equal(reasonOf(() => mapIdentity(sa, { ...base, sub: 'system:serviceaccount:ns:a:b' })), 'invalid_claim');
  assert.equal(reasonOf(() => mapIdentity(sa, { ...base, sub: 'system:serviceaccount:NS:bot' })), 'invalid_claim');
  const kube = { namespace: 'ns-1', serviceaccount: { name: 'bot' } };
  assert.equal(reasonOf(() => mapIdentity(sa, { ...base, sub: 'system:serviceaccount:ns-2:bot', 'kubernetes.io': kube })), 'invalid_claim');
  assert.equal(reasonOf(() => mapIdentity(sa, { ...base, sub: 'system:serviceaccount:ns-1:bot', 'kubernetes.io': { namespace: 'ns-1' } })), 'invalid_claim');
  assert.equal(reasonOf(() => mapIdentity(sa, { ...base })), 'missing_claim');
});

it('maps OIDC users from the configured claims, with prefixes, never into system: identities', () => {
  const issuer: TrustedIssuer = { ...oidc, usernameClaim: 'preferred_username', usernamePrefix: 'idp:', groupsClaim: 'roles', groupsPrefix: 'idp:' };
  const identity = mapIdentity(issuer, { ...base, sub: 's-1', preferred_username: 'ana', roles: 'admins', nonce: 'x' });
  assert.equal(identity.username, 'idp:ana');
  assert.deepEqual(identity.groups, ['idp:admins', 'system:authenticated']);
  assert.deepEqual(Object.keys(identity.claims).sort(), ['exp', 'iat', 'preferred_username', 'roles', 'sub']);
  const plain = mapIdentity(oidc, { ...base, sub: 's-2', groups: ['dev', 'system:masters', ''] });
  assert.equal(plain.username, 's-2');
  assert.deepEqual(plain.groups, ['dev', 'system:authenticated'], 'an IdP cannot grant system: groups');
  assert.equal(reasonOf(() => mapIdentity(oidc, { ...base, sub: 'system:serviceaccount:kube-system:admin' })), 'invalid_claim');
  assert.equal(reasonOf(() => mapIdentity(oidc, { ...base, sub: 's', groups: [1, 2] })), 'invalid_claim');
  assert.equal(reasonOf(() => mapIdentity({ ...oidc, usernameClaim: 'email' }, { ...base, sub: 's' })), 'missing_claim');
  assert.equal(reasonOf(() => mapIdentity({ ...oidc, usernameClaim: 'email' }, { ...base, sub: 's', email: 'a@b', email_verified: false })), 'invalid_claim');
  assert.equal(reasonOf(() => mapIdentity(oidc, { exp: 1 })), 'missing_claim');
});
