import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { isAppError } from '@auditgate/shared';
import { createCallRegistry } from './call-registry.js';
import { createDelegatedTokenVerifier } from './delegated-token-verifier.js';
import { createDelegationIssuer } from './delegation-issuer.js';
import { loadDelegationKey } from './delegation-key.js';
import { routeDelegatedTokens } from './route-delegated-tokens.js';
import { delegatedRecordFields } from './delegated-record.js';

const person = { issuer: 'https://idp.example', subject: 'alice', username: 'oidc:alice', groups: ['sre', 'system:authenticated'], tokenKind: 'oidc' as const };
const call = { callId: 'call-1', toolName: 'pods_list', requestId: '7', scope: { namespace: 'shop', resource: 'pods' } };

function setup(now = { t: 1_800_000_000_000 }) {
  const issuer = createDelegationIssuer({ issuer: 'https://gw.example/mcp-delegation', key: loadDelegationKey(undefined), now: () => now.t, newId: randomUUID });
  const registry = createCallRegistry({ now: () => now.t });
  const verifier = createDelegatedTokenVerifier({ issuer, registry, now: () => now.t, audiences: ['auditgate-mcp:kubernetes'] });
  return { issuer, registry, verifier, now };
}

const reason = (error: unknown): unknown => (isAppError(error) ? error.details['reason'] : error);

it('mints an ES256 JWT naming the person (sub), the agent (act) and the call, verified like a caller token', async () => {
  const { issuer, registry, verifier } = setup();
  const minted = await issuer.mint({ server: 'kubernetes', person, agent: 'claude', sessionId: 's-1', call }, 'auditgate-mcp:kubernetes', 60_000);
  const claims = decodeJwt(minted.token);
  assert.equal(decodeProtectedHeader(minted.token).alg, 'ES256');
  assert.equal(claims.sub, 'alice');
  assert.deepEqual(claims['act'], { sub: 'claude' });
  assert.deepEqual(claims['auditgate_mcp'], { server: 'kubernetes', session: 's-1', call: 'call-1', tool: 'pods_list', rpc_id: '7', scope: call.scope });
  assert.equal(claims.aud, 'auditgate-mcp:kubernetes');
  assert.equal(claims.exp! - claims.iat!, 60);
  assert.equal(claims.jti, minted.jti);
  registry.begin(minted.jti, { callId: 'call-1', server: 'kubernetes', expiresAt: minted.expiresAt });
  const identity = await verifier.verify(minted.token);
  assert.equal(identity.username, 'oidc:alice');
  assert.deepEqual(identity.groups, person.groups);
  const fields = delegatedRecordFields(identity);
  assert.deepEqual(fields?.mcp, { caller: 'verified', server: 'kubernetes', callId: 'call-1', toolName: 'pods_list', requestId: '7', sessionId: 's-1', agent: 'claude', scope: call.scope });
  assert.deepEqual(fields?.onBehalfOf, { issuer: person.issuer, subject: 'alice', username: 'oidc:alice', groups: person.groups, tokenKind: 'oidc' });
  registry.end(minted.jti);
  await assert.rejects(verifier.verify(minted.token), (e) => reason(e) === 'delegation_ended', 'replayed after the call ended');
});

it('refuses tokens of no call, of other messages, for other audiences, and expired ones', async () => {
  const { issuer, registry, verifier, now } = setup();
  const unregistered = await issuer.mint({ server: 'kubernetes', person, call }, 'auditgate-mcp:kubernetes', 60_000);
  await assert.rejects(verifier.verify(unregistered.token), (e) => reason(e) === 'delegation_unknown');
  const message = await issuer.mint({ server: 'kubernetes', person }, 'auditgate-mcp:kubernetes', 60_000);
  registry.begin(message.jti, { callId: 'x', server: 'kubernetes', expiresAt: message.expiresAt });
  await assert.rejects(verifier.verify(message.token), /not bound to a tool call/);
  const other = await issuer.mint({ server: 'sidecar', person, call }, 'auditgate-mcp:sidecar', 60_000);
  registry.begin(other.jti, { callId: 'call-1', server: 'sidecar', expiresAt: other.expiresAt });
  await assert.rejects(verifier.verify(other.token), (e) => reason(e) === 'wrong_audience');
  const live = await issuer.mint({ server: 'kubernetes', person, call }, 'auditgate-mcp:kubernetes', 5_000);
  registry.begin(live.jti, { callId: 'call-1', server: 'kubernetes', expiresAt: live.expiresAt });
  await verifier.verify(live.token);
  now.t += 60_000;
  await assert.rejects(verifier.verify(live.token), (e) => reason(e) === 'expired' || reason(e) === 'delegation_ended');
});

it('refuses a token whose claims name another call or server than the one its id was registered for', async () => {
  const { issuer, registry, verifier } = setup();
  const minted = await issuer.mint({ server: 'kubernetes', person, call }, 'auditgate-mcp:kubernetes', 60_000);
  registry.begin(minted.jti, { callId: 'call-2', server: 'kubernetes', expiresAt: minted.expiresAt });
  await assert.rejects(verifier.verify(minted.token), (e) => reason(e) === 'delegation_mismatch', 'another call');
  const second = await issuer.mint({ server: 'kubernetes', person, call }, 'auditgate-mcp:kubernetes', 60_000);
  registry.begin(second.jti, { callId: 'call-1', server: 'sidecar', expiresAt: second.expiresAt });
  await assert.rejects(verifier.verify(second.token), (e) => reason(e) === 'delegation_mismatch', 'another server');
});

it('routes only the gateway\'s own issuer to the delegated verifier', async () => {
  const seen: string[] = [];
  const fake = (name: string) => ({ verify: async () => { seen.push(name); return {} as never; }, close: async () => undefined });
  const router = routeDelegatedTokens(fake('callers'), fake('delegated'), 'https://gw.example/mcp-delegation');
  const jwt = (iss: string) => `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss })).toString('base64url')}.sig`;
  await router.verify(jwt('https://gw.example/mcp-delegation'));
  await router.verify(jwt('https://idp.example'));
  await router.verify('not-a-jwt');
  assert.deepEqual(seen, ['delegated', 'callers', 'callers']);
});
