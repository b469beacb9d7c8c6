import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from './load-config.js';

const issuers = (issuer: string): Record<string, string> => ({ QUERY_OIDC_ISSUERS: JSON.stringify([{ issuer, audiences: ['auditgate-query'] }]) });

describe('loadConfig', () => {
  it('trusts issuers over https, and over http only on a loopback address', () => {
    for (const ok of ['https://idp.example', 'http://127.0.0.1:8443', 'http://localhost/realms/x', 'http://[::1]:9000']) {
      assert.equal(loadConfig(issuers(ok)).auth.issuers[0]!.issuer, ok);
    }
    for (const bad of ['http://idp.example', 'http://127.0.0.1.evil.example', 'http://localhost@evil.example', 'http://10.0.0.7:5556']) {
      assert.throws(() => loadConfig(issuers(bad)), /must use https/, bad);
    }
  });
  it('aggregates refused-token audit records per minute, at most 50 keys, unless told otherwise', () => {
    assert.deepEqual(loadConfig(issuers('https://idp.example')).refusalAudit, { windowMs: 60_000, maxKeys: 50 });
    assert.throws(() => loadConfig({ ...issuers('https://idp.example'), QUERY_REFUSAL_AUDIT_WINDOW_MS: '5' }), /QUERY_REFUSAL_AUDIT_WINDOW_MS/);
  });
});

it('QUERY_OIDC_ISSUERS: kind, and a kubeconfig for a cluster\'s own trust (without caFile)', () => {
  const one = (entry: Record<string, unknown>) => ({ QUERY_OIDC_ISSUERS: JSON.stringify([{ issuer: 'https://127.0.0.1:6443', audiences: ['auditgate-query'], ...entry }]) });
  const issuer = loadConfig(one({ kind: 'serviceaccount', kubeconfig: '/home/me/.kube/config', context: 'kind-dev', tokenReview: false })).auth.issuers[0]!;
  assert.deepEqual([issuer.kind, issuer.kubeconfig, issuer.context, issuer.tokenReview], ['serviceaccount', '/home/me/.kube/config', 'kind-dev', false]);
  assert.throws(() => loadConfig(one({ kind: 'cluster' })), /kind must be serviceaccount or oidc/);
  assert.throws(() => loadConfig(one({ kubeconfig: '/k', caFile: '/ca.crt' })), /takes no caFile/);
  assert.throws(() => loadConfig(one({ kubeconfig: '' })), /kubeconfig and context must be non-empty strings/);
  assert.throws(() => loadConfig(one({ tokenReview: 'yes' })), /tokenReview must be true or false/);
});

it('QUERY_TOKEN_REVIEW_CACHE_MS: 10 s by default, 0 (ask every time) to 5 minutes', () => {
  const base = issuers('https://idp.example');
  assert.equal(loadConfig(base).auth.tokenReviewCacheMs, 10_000);
  assert.equal(loadConfig({ ...base, QUERY_TOKEN_REVIEW_CACHE_MS: '0' }).auth.tokenReviewCacheMs, 0);
  assert.equal(loadConfig({ ...base, QUERY_TOKEN_REVIEW_CACHE_MS: '300000' }).auth.tokenReviewCacheMs, 300_000);
  for (const bad of ['-1', '300001', 'soon']) assert.throws(() => loadConfig({ ...base, QUERY_TOKEN_REVIEW_CACHE_MS: bad }), /QUERY_TOKEN_REVIEW_CACHE_MS/, bad);
});
