/**
 * The gateway's own calls to the API server (TokenReview, issuer discovery and JWKS through the upstream) go out under
 * the gateway's upstream identity without a client behind them. They carry this User-Agent so that reconciling the
 * API server's log with ours can tell them apart from forwarded requests.
 */
export const GATEWAY_OWN_USER_AGENT = 'auditgate-gateway-own-call';

/**
 * True for a request the gateway makes on its own behalf: its User-Agent and one of the few things it asks for. Both
 * must hold, so a client that copies the User-Agent hides nothing else.
 */
export function isGatewayOwnCall(request: { userAgent?: string | undefined; verb?: string | undefined; requestURI?: string | undefined; objectRef?: { resource?: string | undefined; apiGroup?: string | undefined } | undefined }): boolean {
  if (request.userAgent?.startsWith(GATEWAY_OWN_USER_AGENT) !== true) return false;
  if (request.verb === 'create' && request.objectRef?.resource === 'tokenreviews' && request.objectRef.apiGroup === 'authentication.k8s.io') return true;
  const path = (request.requestURI ?? '').split('?')[0];
  return request.verb === 'get' && (path === '/openid/v1/jwks' || path === '/.well-known/openid-configuration');
}
