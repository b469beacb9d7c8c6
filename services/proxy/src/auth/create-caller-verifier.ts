import type { Logger } from '@auditgate/shared';
import type { ApiServerConnection } from '@auditgate/shared/kube';
import {
  createCachedTokenVerifier, createReviewedTokenVerifier, createTokenReviewer, createTokenVerifier, type TokenVerifier, type TrustedIssuer,
} from '@auditgate/shared/auth';

/** How the service-account issuer is reached (`PROXY_SA_ISSUER_TRUST`; see the proxy's configuration). */
export type SaIssuerTrust = 'auto' | 'issuer' | 'upstream';

/** The settings {@link createCallerVerifier} reads (the proxy's configuration has them). */
export interface CallerVerifierSettings {
  readonly issuers: readonly TrustedIssuer[];
  readonly saIssuerTrust: SaIssuerTrust;
  readonly saTokenReview: { readonly enabled: boolean; readonly cacheMs: number };
}

/** Dependencies of {@link createCallerVerifier}. */
export interface CallerVerifierDeps {
  /** The API server the gateway fronts, with the gateway's own credentials. */
  readonly upstream: ApiServerConnection;
  readonly now: () => number;
  readonly logger: Logger;
}

/**
 * True when `issuer` can only be the cluster's own API server: the upstream server itself (same origin and path,
 * ignoring a trailing slash), or an in-cluster address (`*.svc`, `*.svc.cluster.local`), which is what kind, k3s and
 * kubeadm clusters name and which is unreachable from outside the cluster.
 */
function isClusterIssuer(issuer: string, server: URL): boolean {
  const strip = (s: string): string => s.replace(/\/+$/, '');
  try {
    const url = new URL(issuer);
    return strip(url.href) === strip(server.href) || /\.svc(\.cluster\.local)?$/.test(url.hostname);
  } catch {
    return false;
  }
}

/** Whether the service-account issuer is reached through the upstream API server (see `PROXY_SA_ISSUER_TRUST`). */
export function trustsUpstream(trust: SaIssuerTrust, issuer: TrustedIssuer, server: URL): boolean {
  if (issuer.kind !== 'serviceaccount' || trust === 'issuer') return false;
  if (trust === 'upstream') return true;
  return issuer.caFile === undefined && issuer.tokenFile === undefined && issuer.discoveryUrl === undefined && isClusterIssuer(issuer.issuer, server);
}

/**
 * The verifier of the callers' bearer tokens: signature and claims (cached), the service-account issuer reached
 * through the upstream cluster when so configured, then, for service-account tokens, the cluster's TokenReview
 * (on by default, answers reused for `PROXY_SA_TOKEN_REVIEW_CACHE_MS`) with the gateway's upstream credentials.
 */
export function createCallerVerifier(config: CallerVerifierSettings, deps: CallerVerifierDeps): TokenVerifier {
  const { upstream, now, logger } = deps;
  const server = upstream.target().server;
  const issuers = config.issuers.map((issuer) => {
    if (!trustsUpstream(config.saIssuerTrust, issuer, server)) return issuer;
    logger.info({ issuer: issuer.issuer, server: server.origin }, 'service-account issuer: discovery and keys through the upstream API server, with its CA and credentials');
    return { ...issuer, apiServer: upstream };
  });
  const verifier = createCachedTokenVerifier(createTokenVerifier({ issuers, now, logger }), { now });
  const reviewed = new Map(config.issuers.filter((i) => i.kind === 'serviceaccount').map((i) => [i.issuer, i.audiences] as const));
  if (!config.saTokenReview.enabled || reviewed.size === 0) return verifier;
  logger.info({ server: server.origin, cacheMs: config.saTokenReview.cacheMs }, 'service-account tokens are confirmed with the cluster (TokenReview)');
  return createReviewedTokenVerifier(verifier, {
    reviewer: createTokenReviewer({ apiServer: upstream }),
    audiences: reviewed,
    cacheMs: config.saTokenReview.cacheMs,
    now,
  });
}
