import { it } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '@auditgate/shared';
import { loadConfig } from './load-config.js';

const base = { PROXY_POLICY_FILE: '/p.yaml', PROXY_MASKING_KEY: 'ab'.repeat(32), PROXY_UPSTREAM_KUBECONFIG: '/k', PROXY_SA_ISSUER_URL: 'https://k8s.example' };

it('no PROXY_MCP_SERVERS: no MCP endpoint', () => {
  assert.equal(loadConfig(base).mcp, undefined);
});

it('reads the MCP endpoint with its defaults: audiences are the resource URLs, the issuer under the public URL', () => {
  const config = loadConfig({
    ...base, PROXY_HTTPS_PORT: '8443',
    PROXY_MCP_SERVERS: JSON.stringify([{ name: 'kubernetes', url: 'http://mcp:8080/mcp' }, { name: 'docs', url: 'https://docs:8443/mcp', kubernetes: false, audience: 'docs-mcp' }]),
    PROXY_MCP_ISSUERS: JSON.stringify([{ issuer: 'https://idp.example', usernamePrefix: 'oidc:' }, { issuer: 'https://k8s.example', kind: 'serviceaccount', trust: 'upstream' }]),
  });
  const mcp = config.mcp!;
  assert.equal(mcp.publicUrl, 'https://127.0.0.1:8443');
  assert.equal(mcp.delegationIssuer, 'https://127.0.0.1:8443/mcp-delegation');
  assert.deepEqual(mcp.servers.map((s) => [s.name, s.audience, s.kubernetes]), [['kubernetes', 'auditgate-mcp:kubernetes', true], ['docs', 'docs-mcp', false]]);
  assert.deepEqual(mcp.issuers[0]?.audiences, ['https://127.0.0.1:8443/mcp/kubernetes', 'https://127.0.0.1:8443/mcp/docs']);
  assert.equal(mcp.issuers[1]?.trustUpstream, true);
  assert.equal(mcp.callTimeoutMs, 120_000);
});

it('lists every bad MCP key in one error', () => {
  assert.throws(() => loadConfig({
    ...base,
    PROXY_MCP_SERVERS: JSON.stringify([{ name: 'Bad_Name', url: 'x' }, { name: 'ok', url: 'ftp://x' }, { name: 'k', url: 'http://k/mcp', colour: 1 }]),
    PROXY_MCP_ISSUERS: JSON.stringify([{ issuer: 'https://idp.example', trust: 'upstream' }]),
    PROXY_MCP_DELEGATION_ISSUER: 'https://idp.example', PROXY_MCP_CALL_TIMEOUT_MS: '5',
  }), (error: unknown) => {
    assert.ok(isAppError(error));
    for (const text of ['PROXY_MCP_SERVERS[0].name', 'PROXY_MCP_SERVERS[1].url', 'PROXY_MCP_SERVERS[2].colour is unknown', 'PROXY_MCP_ISSUERS[0].trust', 'PROXY_MCP_CALL_TIMEOUT_MS']) {
      assert.ok(error.message.includes(text), `${text} in ${error.message}`);
    }
    return true;
  });
  assert.throws(() => loadConfig({ ...base, PROXY_MCP_SERVERS: JSON.stringify([{ name: 'k', url: 'http://k/mcp' }]) }), /PROXY_MCP_ISSUERS is required/);
  assert.throws(() => loadConfig({
    ...base, PROXY_MCP_SERVERS: JSON.stringify([{ name: 'k', url: 'http://k/mcp' }]),
    PROXY_MCP_ISSUERS: JSON.stringify([{ issuer: 'https://gw.example/mcp-delegation' }]), PROXY_MCP_PUBLIC_URL: 'https://gw.example',
  }), /must not be one of PROXY_MCP_ISSUERS/);
});
