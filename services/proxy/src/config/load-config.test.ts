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
