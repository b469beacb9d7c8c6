/** One OIDC issuer whose tokens analysts may present. */
export interface QueryIssuer {
  /** Exact `iss`; discovery must report the same string. */
  readonly issuer: string;
  /** Accepted `aud` values (at least one). */
  readonly audiences: string[];
  /** PEM bundle replacing the default CAs for discovery and JWKS. */
  readonly caFile?: string;
  /** Claim holding the username (default `sub`). */
  readonly usernameClaim?: string;
  /** Claim holding the groups (default `groups`). */
  readonly groupsClaim?: string;
  /** Allowed algorithms (default RS256, ES256; `none`/`HS*` never). */
  readonly algorithms?: string[];
  /**
   * `serviceaccount` for a cluster's service-account tokens (usernames `system:serviceaccount:<ns>:<name>`); `oidc`
   * (default) for people, whose usernames may never start with `system:`.
   */
  readonly kind?: 'serviceaccount' | 'oidc';
  /**
   * A kubeconfig for the cluster whose service-account issuer this is: discovery and keys are fetched from its API
   * server with its CA and credentials (excludes `caFile`), and service-account tokens are confirmed by TokenReview.
   */
  readonly kubeconfig?: string;
  /** Context of `kubeconfig` to use instead of its current one. */
  readonly context?: string;
  /** With `kubeconfig` and `kind: serviceaccount`: confirm each new token with a TokenReview (default true). */
  readonly tokenReview?: boolean;
}
