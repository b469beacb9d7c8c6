import { SignJWT, type JWK } from 'jose';
import type { DelegationKey } from './delegation-key.js';
import { delegationClaims, type Delegation } from './delegation-claims.js';

/** A minted delegated token and what it was bound to. */
export interface MintedToken {
  readonly token: string;
  readonly jti: string;
  readonly audience: string;
  readonly expiresAt: number;
}

/** The gateway as an issuer of delegated tokens: it signs them and publishes its discovery document and JWKS. */
export interface DelegationIssuer {
  readonly issuer: string;
  /** Signs a token for `d` with audience `audience`, valid for `lifetimeMs` from now. */
  mint(d: Omit<Delegation, 'jti' | 'audience' | 'expiresAt'>, audience: string, lifetimeMs: number): Promise<MintedToken>;
  /** The OpenID discovery document (`<issuer>/.well-known/openid-configuration`). */
  discovery(): Record<string, unknown>;
  /** The public keys (`<issuer>/jwks`). */
  jwks(): { keys: JWK[] };
  /** Path (under the gateway's listener) of the discovery document and of the JWKS. */
  readonly paths: { readonly discovery: string; readonly jwks: string };
}

/** Options of {@link createDelegationIssuer}. */
export interface DelegationIssuerOptions {
  readonly issuer: string;
  readonly key: DelegationKey;
  readonly now: () => number;
  readonly newId: () => string;
}

/**
 * The delegated-token issuer: short-lived ES256 JWTs naming the person as `sub`, the agent in an RFC 8693 `act` claim,
 * and the MCP server, session, tool, JSON-RPC id and call id in `auditgate_mcp`; `jti` is fresh for every token.
 */
export function createDelegationIssuer(o: DelegationIssuerOptions): DelegationIssuer {
  const base = new URL(o.issuer);
  const prefix = base.pathname.replace(/\/+$/, '');
  const jwksUri = `${o.issuer}/jwks`;
  return {
    issuer: o.issuer,
    paths: { discovery: `${prefix}/.well-known/openid-configuration`, jwks: `${prefix}/jwks` },
    async mint(d, audience, lifetimeMs) {
      const jti = o.newId();
      const issuedAt = Math.floor(o.now() / 1000);
      const expiresAt = issuedAt + Math.max(1, Math.ceil(lifetimeMs / 1000));
      const token = await new SignJWT(delegationClaims(d))
        .setProtectedHeader({ alg: o.key.alg, kid: o.key.kid, typ: 'JWT' })
        .setIssuer(o.issuer).setAudience(audience).setJti(jti)
        .setIssuedAt(issuedAt).setNotBefore(issuedAt).setExpirationTime(expiresAt)
        .sign(o.key.privateKey);
      return { token, jti, audience, expiresAt: expiresAt * 1000 };
    },
    discovery: () => ({
      issuer: o.issuer,
      jwks_uri: jwksUri,
      id_token_signing_alg_values_supported: [o.key.alg],
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      claims_supported: ['sub', 'act', 'auditgate_mcp', 'auditgate_person'],
    }),
    jwks: () => ({ keys: [o.key.publicJwk] }),
  };
}
