import type { Logger } from '@auditgate/shared';
import { authError, createCachedTokenVerifier, createTokenVerifier, type TokenVerifier, type VerifiedIdentity } from '../../auth/index.js';
import type { CallRegistry } from './call-registry.js';
import { MCP_CLAIM, PERSON_CLAIM, readDelegation, type Delegation } from './delegation-claims.js';
import type { DelegationIssuer } from './delegation-issuer.js';
import { localIssuerFetch } from './local-issuer-fetch.js';

/** A caller identity that came from a delegated token: the person, with the call it is bound to. */
export interface DelegatedIdentity extends VerifiedIdentity {
  readonly delegation: Delegation & { readonly call: NonNullable<Delegation['call']> };
}

/** True when `identity` came from a delegated token. */
export function isDelegated(identity: VerifiedIdentity): identity is DelegatedIdentity {
  return (identity as Partial<DelegatedIdentity>).delegation !== undefined;
}

/** Options of {@link createDelegatedTokenVerifier}. */
export interface DelegatedTokenVerifierOptions {
  readonly issuer: DelegationIssuer;
  /** Audiences accepted on the Kubernetes path: those of the MCP servers whose Kubernetes requests come through the gateway. */
  readonly audiences: readonly string[];
  readonly registry: CallRegistry;
  readonly now: () => number;
  readonly logger?: Logger;
}

/**
 * Verifies delegated tokens on the Kubernetes path like any caller token (the shared jose verifier: issuer,
 * audience, ES256, expiry, keys from the issuer's discovery + JWKS), then, on every request, that the token's tool
 * call is still running at this gateway: a token whose call ended (replayed) or that no call of this gateway minted
 * is refused, and so is one for an MCP server whose Kubernetes access is not fronted here (its audience). The identity
 * is the person the token names; `delegation` carries the call.
 *
 * What this cannot check: which MCP server presents the token. A Kubernetes request carries no proof of its sender
 * beyond the token, so a live call token of any `kubernetes: true` server is accepted here, whoever sends it. The
 * binding of a token to its MCP server is the audience, checked by the MCP server itself (kubernetes-mcp-server's
 * `oauth_audience` refuses a token minted for another server) before it makes any Kubernetes request.
 */
export function createDelegatedTokenVerifier(o: DelegatedTokenVerifierOptions): TokenVerifier {
  const inner = createCachedTokenVerifier(createTokenVerifier({
    issuers: [{
      issuer: o.issuer.issuer, audiences: [...o.audiences], kind: 'oidc', algorithms: ['ES256'], clockToleranceSec: 5,
      // The username is rebuilt from the person claim below; the prefix only keeps the shared mapping's checks happy.
      usernamePrefix: 'auditgate-delegated:', extraClaims: ['act', MCP_CLAIM, PERSON_CLAIM],
    }],
    fetch: localIssuerFetch(o.issuer),
    now: o.now,
    ...(o.logger === undefined ? {} : { logger: o.logger }),
  }), { now: o.now });
  return {
    async verify(token) {
      const verified = await inner.verify(token);
      const delegation = readDelegation(verified.claims);
      if (delegation === undefined) throw authError('invalid_claim', 'the delegated token does not name a person and an MCP server');
      if (delegation.call === undefined) throw authError('invalid_claim', 'this delegated token is not bound to a tool call: the Kubernetes path accepts only a running tool call\'s token');
      const registered = o.registry.state(delegation.jti);
      if (registered.state === 'unknown') throw authError('delegation_unknown', 'no tool call of this gateway was issued this delegated token');
      if (registered.state === 'ended') throw authError('delegation_ended', 'the tool call this delegated token was minted for has ended (replay refused)');
      // The token's own claims must name the call the gateway registered its id for: a signed token is not enough.
      if (registered.callId !== delegation.call.callId || registered.server !== delegation.server) {
        throw authError('delegation_mismatch', 'the delegated token names another tool call or MCP server than the one it was issued for');
      }
      const identity: DelegatedIdentity = {
        issuer: verified.issuer, subject: delegation.person.subject, username: delegation.person.username,
        groups: [...delegation.person.groups], tokenKind: 'oidc', expiresAt: verified.expiresAt, claims: verified.claims,
        delegation: { ...delegation, call: delegation.call },
      };
      return identity;
    },
    close: () => inner.close(),
  };
}
