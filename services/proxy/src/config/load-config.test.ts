import { it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from './load-config.js';

const base = { PROXY_POLICY_FILE: '/p.yaml', PROXY_MASKING_KEY: 'ab'.repeat(32), PROXY_UPSTREAM_KUBECONFIG: '/k' };

it('PROXY_SA_ISSUER_TOKEN_FILE: the service-account issuer gets a token file; OIDC issuers never do', () => {
  const config = loadConfig({
    ...base,
    PROXY_SA_ISSUER_URL: 'https://kubernetes.default.svc.cluster.local',
    PROXY_SA_ISSUER_CA_FILE: '/sa/ca.crt',
    PROXY_SA_ISSUER_TOKEN_FILE: '/var/run/secrets/auditgate/issuer/token',
    PROXY_OIDC_ISSUER_URL: 'https://idp.example',
    PROXY_OIDC_ISSUER_TOKEN_FILE: '/not/read',
  });
  const [sa, oidc] = config.issuers;
  assert.equal(sa?.kind, 'serviceaccount');
  assert.equal(sa?.tokenFile, '/var/run/secrets/auditgate/issuer/token');
  assert.equal(sa?.caFile, '/sa/ca.crt');
  assert.equal(oidc?.kind, 'oidc');
  assert.equal(oidc?.tokenFile, undefined);
  assert.equal('tokenFile' in loadConfig({ ...base, PROXY_SA_ISSUER_URL: 'https://i.example' }).issuers[0]!, false);
});

it('refuses an on-behalf-of issuer that would accept a caller\'s own tokens (same issuer, overlapping audiences)', () => {
  assert.throws(() => loadConfig({
    ...base, PROXY_OIDC_ISSUER_URL: 'https://idp.example', PROXY_OIDC_ISSUER_AUDIENCES: 'auditgate,mcp',
    PROXY_ON_BEHALF_OF_ISSUER_URL: 'https://idp.example/', PROXY_ON_BEHALF_OF_ISSUER_AUDIENCES: 'mcp',
  }), /PROXY_ON_BEHALF_OF_ISSUER_URL is also a caller issuer with the audience "mcp"/);
  const separate = loadConfig({
    ...base, PROXY_OIDC_ISSUER_URL: 'https://idp.example', PROXY_ON_BEHALF_OF_ISSUER_URL: 'https://idp.example',
    PROXY_ON_BEHALF_OF_ISSUER_AUDIENCES: 'auditgate-on-behalf-of',
  });
  assert.deepEqual(separate.onBehalfOfIssuer?.audiences, ['auditgate-on-behalf-of']);
  assert.equal(loadConfig({ ...base, PROXY_OIDC_ISSUER_URL: 'https://a.example', PROXY_ON_BEHALF_OF_ISSUER_URL: 'https://b.example' }).onBehalfOfIssuer?.issuer, 'https://b.example');
});

it('PROXY_SA_ISSUER_TRUST and PROXY_SA_TOKEN_REVIEW(_CACHE_MS): defaults, values, and what upstream trust excludes', () => {
  const sa = { ...base, PROXY_SA_ISSUER_URL: 'https://127.0.0.1:6443' };
  const defaults = loadConfig(sa);
  assert.equal(defaults.saIssuerTrust, 'auto');
  assert.deepEqual(defaults.saTokenReview, { enabled: true, cacheMs: 10_000 });
  const set = loadConfig({ ...sa, PROXY_SA_ISSUER_TRUST: 'upstream', PROXY_SA_TOKEN_REVIEW: 'false', PROXY_SA_TOKEN_REVIEW_CACHE_MS: '0' });
  assert.equal(set.saIssuerTrust, 'upstream');
  assert.deepEqual(set.saTokenReview, { enabled: false, cacheMs: 0 });
  assert.throws(() => loadConfig({ ...sa, PROXY_SA_ISSUER_TRUST: 'upstream', PROXY_SA_ISSUER_CA_FILE: '/ca.crt' }), /leave PROXY_SA_ISSUER_CA_FILE, PROXY_SA_ISSUER_TOKEN_FILE and PROXY_SA_ISSUER_DISCOVERY_URL unset/);
  assert.throws(() => loadConfig({ ...base, PROXY_OIDC_ISSUER_URL: 'https://idp.example', PROXY_SA_ISSUER_TRUST: 'upstream' }), /needs PROXY_SA_ISSUER_URL/);
  assert.throws(() => loadConfig({ ...sa, PROXY_SA_ISSUER_TRUST: 'cluster' }), /PROXY_SA_ISSUER_TRUST/);
  assert.throws(() => loadConfig({ ...sa, PROXY_SA_TOKEN_REVIEW_CACHE_MS: '600000' }), /PROXY_SA_TOKEN_REVIEW_CACHE_MS/);
});

it('PROXY_CHECKPOINT_PREVIOUS_JWKS: the retired checkpoint keys\' JWKS file, absent by default', () => {
  const sa = { ...base, PROXY_SA_ISSUER_URL: 'https://kubernetes.default.svc.cluster.local' };
  assert.equal(loadConfig(sa).chain.previousJwksFile, undefined);
  assert.equal('previousJwksFile' in loadConfig(sa).chain, false);
  assert.equal(loadConfig({ ...sa, PROXY_CHECKPOINT_PREVIOUS_JWKS: '/keys/retired.json' }).chain.previousJwksFile, '/keys/retired.json');
});
