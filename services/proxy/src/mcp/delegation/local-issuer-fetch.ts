import type { DelegationIssuer } from './delegation-issuer.js';

/**
 * A `fetch` that answers the gateway's own issuer documents from memory, so the Kubernetes path verifies delegated
 * tokens through the same discovery + JWKS code as any caller token, without a network round trip to itself (whose
 * certificate may be one made at start). Anything else is a 404.
 */
export function localIssuerFetch(issuer: DelegationIssuer): typeof fetch {
  const discoveryUrl = `${issuer.issuer}/.well-known/openid-configuration`;
  const jwksUrl = `${issuer.issuer}/jwks`;
  return (async (input: string | URL | Request) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const body = url === discoveryUrl ? issuer.discovery() : url === jwksUrl ? issuer.jwks() : undefined;
    return new Response(body === undefined ? '{}' : JSON.stringify(body), { status: body === undefined ? 404 : 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}
