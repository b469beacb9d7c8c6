import type { Logger } from '@auditgate/shared';
import { createCachedTokenVerifier, createTokenVerifier, type TrustedIssuer, type VerifiedIdentity } from '../../auth/index.js';
import type { DelegatedPerson } from '../delegation/delegation-claims.js';

/** An MCP caller: the person behind the agent, and the agent their token was issued to. */
export interface McpCaller {
  readonly identity: VerifiedIdentity;
  readonly person: DelegatedPerson;
  /** The OAuth client (`azp`, else `client_id`) of the caller's token, when it names one. */
  readonly agent?: string;
}

/** Verifies the OAuth 2.1 bearer tokens MCP clients present. */
export interface McpCallerVerifier {
  /** Resolves the caller, or rejects with an `AUDITGATE_E_UNAUTHENTICATED` AppError (its `details.reason` says why). */
  verify(token: string): Promise<McpCaller>;
  close(): Promise<void>;
}

/** The callers' verifier: the one shared jose verifier over `issuers` (discovery + JWKS, audience, expiry, algorithms), cached. */
export function createMcpCallerVerifier(issuers: readonly TrustedIssuer[], deps: { now: () => number; logger: Logger }): McpCallerVerifier {
  const inner = createCachedTokenVerifier(createTokenVerifier({
    issuers: issuers.map((i) => ({ ...i, extraClaims: [...(i.extraClaims ?? []), 'client_id', 'scope'] })),
    now: deps.now, logger: deps.logger,
  }), { now: deps.now });
  return {
    async verify(token) {
      const identity = await inner.verify(token);
      const azp = identity.claims['azp'];
      const clientId = identity.claims['client_id'];
      const agent = typeof azp === 'string' && azp !== '' ? azp : typeof clientId === 'string' && clientId !== '' ? clientId : undefined;
      return {
        identity,
        person: { issuer: identity.issuer, subject: identity.subject, username: identity.username, groups: identity.groups, tokenKind: identity.tokenKind },
        ...(agent === undefined ? {} : { agent }),
      };
    },
    close: () => inner.close(),
  };
}
