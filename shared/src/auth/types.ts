import type { Logger } from '../logging/create-logger.js';
import type { ApiServerConnection } from '../kube/api-server-connection.js';

/** One issuer whose bearer tokens the proxy accepts, and how its claims map to a Kubernetes-style identity. */
export interface TrustedIssuer {
  /** Exact `iss` value; discovery must report the same string. */
  issuer: string;
  /** Accepted `aud` values; a token must carry at least one. */
  audiences: string[];
  /** Allowed JWS algorithms (default `['RS256', 'ES256']`); `none` and `HS*` are refused even if listed. */
  algorithms?: string[];
  /** `serviceaccount` for projected Kubernetes tokens, `oidc` for people and other workloads. */
  kind: 'serviceaccount' | 'oidc';
  /** OIDC: claim that holds the username (default `sub`). */
  usernameClaim?: string;
  /** OIDC: prefix put before the username, e.g. `oidc:`. */
  usernamePrefix?: string;
  /** OIDC: claim that holds the groups (default `groups`). */
  groupsClaim?: string;
  /** OIDC: prefix put before each group. */
  groupsPrefix?: string;
  /** Groups added to every identity from this issuer. */
  extraGroups?: string[];
  /** PEM bundle that replaces the default CAs for discovery and JWKS (a private issuer such as kube-apiserver). */
  caFile?: string;
  /**
   * The cluster whose service-account issuer this is, reached with its own trust: discovery from its
   * `/.well-known/openid-configuration` and keys from its `/openid/v1/jwks`, with its CA, client certificate and
   * credentials (a kind, k3s or kubeadm cluster, whose issuer is the API server). Excludes `caFile`, `tokenFile` and
   * `discoveryUrl`; the credentials never go anywhere but that server.
   */
  apiServer?: ApiServerConnection;
  /**
   * File holding a bearer token sent on this issuer's discovery and JWKS requests only, re-read on each fetch (for a
   * kube-apiserver issuer whose discovery is not anonymous: a projected service-account token). Never logged.
   */
  tokenFile?: string;
  /** Discovery document URL, when not `<issuer>/.well-known/openid-configuration`. */
  discoveryUrl?: string;
  /** Clock skew allowed on `exp`, `nbf` and `iat`, in seconds (default 30). */
  clockToleranceSec?: number;
  /** Claims kept in `VerifiedIdentity.claims` beyond the safe set (e.g. a roles claim). */
  extraClaims?: string[];
}

/** What the cluster said about a token in a TokenReview (see `createReviewedTokenVerifier`). */
export interface TokenReviewOutcome {
  /** Always true: the cluster was asked, now or within the review cache time. */
  readonly checked: true;
  /** False when the cluster refused the token (deleted service account or pod, revoked). */
  readonly authenticated: boolean;
  /** When the cluster answered, epoch milliseconds. */
  readonly at: number;
  /** True when the answer was reused from the review cache. */
  readonly cached: boolean;
}

/** A caller whose bearer token was fully verified; a superset of `ActorInfo` from @auditgate/shared. */
export interface VerifiedIdentity {
  issuer: string;
  subject: string;
  username: string;
  groups: string[];
  tokenKind: 'serviceaccount' | 'oidc';
  /** Token expiry in epoch milliseconds (same unit as `now()`). */
  expiresAt: number;
  /** An allow-listed subset of the claims, safe to record (no nonces or hashes). */
  claims: Record<string, unknown>;
  /** Service-account details, for `serviceaccount` tokens. */
  serviceAccount?: { namespace: string; name: string; uid?: string; podName?: string };
  /** The cluster's TokenReview of this token, when one was asked for. */
  review?: TokenReviewOutcome;
}

/** Options for `createTokenVerifier`. */
export interface TokenVerifierOptions {
  issuers: TrustedIssuer[];
  /** Transport for issuers without `caFile` or `apiServer` (default: node:https with its own agent). */
  fetch?: typeof fetch;
  /** Clock in epoch milliseconds (default `Date.now`). */
  now?: () => number;
  /** Largest accepted token in bytes (default 16 KiB). */
  maxTokenBytes?: number;
  /** Timeout for each discovery and JWKS request (default 5000 ms). */
  fetchTimeoutMs?: number;
  /** How long fetched keys are used before a refetch (default 10 minutes). */
  jwksCacheMaxAgeMs?: number;
  /** Least time between two JWKS refetches caused by an unknown `kid` (default 30 s). */
  jwksCooldownMs?: number;
  /** How long a discovery document is reused (default 1 hour). */
  discoveryMaxAgeMs?: number;
  logger?: Logger;
}

/** Verifies bearer tokens from trusted issuers. */
export interface TokenVerifier {
  /** Resolves the caller's identity, or rejects with an `AUDITGATE_E_UNAUTHENTICATED` AppError. */
  verify(token: string): Promise<VerifiedIdentity>;
  /** Releases connection pools; safe to call twice. */
  close(): Promise<void>;
}
