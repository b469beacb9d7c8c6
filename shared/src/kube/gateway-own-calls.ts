/**
 * The gateway's own calls to the API server (TokenReview, issuer discovery and JWKS through the upstream) go out under
 * the gateway's upstream identity without a client behind them. They carry this User-Agent so that reconciling the
 * API server's log with ours can tell them apart from forwarded requests.
 */
export const GATEWAY_OWN_USER_AGENT = 'auditgate-gateway-own-call';

/**
 * The prefix of the `Audit-ID` the gateway sends on its own calls (followed by a random UUID). A client cannot send it
 * through the gateway, which drops every client `Audit-ID` and sends its own UUID on forwarded requests; so, unlike the
 * User-Agent, it tells the gateway's own calls apart from anything a client asked for.
 */
export const GATEWAY_OWN_AUDIT_ID_PREFIX = 'auditgate-own-call-';

/**
 * True for a request the gateway makes on its own behalf: its own-call audit ID, its User-Agent and one of the few
 * things it asks for. The audit ID is what a client cannot forge through the gateway; the shape keeps even a direct
 * caller that copies both from hiding anything but a TokenReview or an issuer read.
 */
export function isGatewayOwnCall(request: { auditID?: string | undefined; userAgent?: string | undefined; verb?: string | undefined; requestURI?: string | undefined; objectRef?: { resource?: string | undefined; apiGroup?: string | undefined } | undefined }): boolean {
  if (request.auditID?.startsWith(GATEWAY_OWN_AUDIT_ID_PREFIX) !== true) return false;
  if (request.userAgent?.startsWith(GATEWAY_OWN_USER_AGENT) !== true) return false;
  if (request.verb === 'create' && request.objectRef?.resource === 'tokenreviews' && request.objectRef.apiGroup === 'authentication.k8s.io') return true;
  const path = (request.requestURI ?? '').split('?')[0];
  return request.verb === 'get' && (path === '/openid/v1/jwks' || path === '/.well-known/openid-configuration');
}
