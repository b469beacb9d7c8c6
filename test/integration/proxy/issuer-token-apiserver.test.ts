import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import { ErrorCodes } from '@auditgate/shared';
import { kubectl, newTestKey, readKubeCredentials, readStackEnv, uniqueName, waitFor, apiServerAuditSince, jwtId, type ApiServerAuditEvent } from '@auditgate/shared/testing';
import { createTokenVerifier, type TokenVerifier } from '../../../services/proxy/src/auth/index.js';

const stack = readStackEnv(process.env);
const creds = readKubeCredentials(stack);
const issuer = stack.kubeApiserverUrl;
const caFile = path.join(stack.kubeState, 'pki', 'ca.crt');
const k = (args: readonly string[]): Promise<string> => kubectl(stack, creds.adminKubeconfig, args);
const DISCOVERY = '/.well-known/openid-configuration';
const JWKS = '/openid/v1/jwks';

const auditSince = (offset: number): Promise<ApiServerAuditEvent[]> => apiServerAuditSince(creds.auditLog, offset);
const jtiOf = jwtId;

// The local stack makes discovery anonymous (ClusterRoleBinding auditgate-public-issuer-discovery, shared by every
// test, so it stays). The API server still authenticates a presented bearer: its audit log names who fetched, and a
// bad bearer is a 401, never a fallback to anonymous. services/proxy/src/auth/issuer-token.test.ts covers an issuer
// that refuses anonymous fetches.
describe('PROXY_SA_ISSUER_TOKEN_FILE against the real kube-apiserver issuer', () => {
  const ns = uniqueName('ag-issuer-token');
  const gateway = `system:serviceaccount:${ns}:auditgate-proxy`;
  let dir = '';
  const verifiers: TokenVerifier[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ag-issuer-token-'));
    await k(['create', 'namespace', ns]);
    await k(['-n', ns, 'create', 'serviceaccount', 'auditgate-proxy']);
    await k(['-n', ns, 'create', 'serviceaccount', 'agent']);
  });
  after(async () => {
    await Promise.all(verifiers.map((v) => v.close()));
    await k(['delete', 'namespace', ns, '--wait=false']).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  // The gateway's own token for the API server's default audience, as the projected volume in k8s/base mounts it.
  const gatewayToken = async (): Promise<string> => (await k(['-n', ns, 'create', 'token', 'auditgate-proxy', '--duration=10m'])).trim();
  const agentToken = async (): Promise<string> => (await k(['-n', ns, 'create', 'token', 'agent', '--audience=auditgate', '--duration=10m'])).trim();

  it('discovery and JWKS are fetched as the gateway service account; a rotated token file is read on the next fetch', async () => {
    const tokenFile = path.join(dir, 'token');
    const first = await gatewayToken();
    await writeFile(tokenFile, `${first}\n`);
    let clock = Date.now();
    const verifier = createTokenVerifier({
      issuers: [{ issuer, audiences: ['auditgate'], kind: 'serviceaccount', caFile, tokenFile }],
      now: () => clock, discoveryMaxAgeMs: 60_000, jwksCooldownMs: 0,
    });
    verifiers.push(verifier);
    const offset = (await stat(creds.auditLog)).size;
    const fetchedWith = async (jti: string, uri: string): Promise<ApiServerAuditEvent | undefined> => (await auditSince(offset)).find((e) =>
      e.requestURI === uri && e.stage === 'ResponseComplete' && e.user?.username === gateway &&
      e.user.extra?.['authentication.kubernetes.io/credential-id']?.[0] === `JTI=${jti}`);

    const identity = await verifier.verify(await agentToken());
    assert.equal(identity.username, `system:serviceaccount:${ns}:agent`);
    for (const uri of [DISCOVERY, JWKS]) {
      const event = await waitFor(`${uri} fetched with the first token`, () => fetchedWith(jtiOf(first), uri));
      assert.equal(event.responseStatus?.code, 200);
    }

    const second = await gatewayToken();
    await writeFile(tokenFile, second);
    // JWKS: an unknown kid makes jose refetch the key set.
    const stranger = await newTestKey('RS256', 'not-a-kube-key');
    const forged = await new SignJWT({ iss: issuer, sub: 'system:serviceaccount:x:y', aud: 'auditgate', exp: Math.floor(Date.now() / 1000) + 600 })
      .setProtectedHeader({ alg: 'RS256', kid: stranger.kid }).sign(stranger.privateKey);
    await assert.rejects(verifier.verify(forged), (e: Error & { details?: Record<string, unknown> }) => e.details?.['reason'] === 'unknown_kid');
    await waitFor('JWKS fetched with the rotated token', () => fetchedWith(jtiOf(second), JWKS));
    // Discovery: past its max age the document is fetched again (in the background).
    clock += 61_000;
    assert.equal((await verifier.verify(await agentToken())).username, `system:serviceaccount:${ns}:agent`);
    await waitFor('discovery fetched with the rotated token', () => fetchedWith(jtiOf(second), DISCOVERY));
  });

  it('the header really goes on the wire: a bad token file gets a 401 from the API server (no anonymous fallback)', async () => {
    const tokenFile = path.join(dir, 'bad-token');
    await writeFile(tokenFile, 'not-a-valid-token');
    const verifier = createTokenVerifier({ issuers: [{ issuer, audiences: ['auditgate'], kind: 'serviceaccount', caFile, tokenFile }] });
    verifiers.push(verifier);
    await assert.rejects(verifier.verify(await agentToken()), (e: Error & { code?: string; details?: Record<string, unknown>; cause?: Error }) => {
      assert.equal(e.code, ErrorCodes.UNAUTHENTICATED);
      assert.equal(e.details?.['reason'], 'jwks_unreachable');
      assert.match(String(e.cause?.message), /HTTP 401/);
      return true;
    });
    const anonymous = createTokenVerifier({ issuers: [{ issuer, audiences: ['auditgate'], kind: 'serviceaccount', caFile }] });
    verifiers.push(anonymous);
    assert.equal((await anonymous.verify(await agentToken())).username, `system:serviceaccount:${ns}:agent`, 'anonymous discovery is allowed here');
  });
});
