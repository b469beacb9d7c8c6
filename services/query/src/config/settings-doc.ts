import type { SettingsDoc } from '@auditgate/shared';

/** The query service's settings as the README's table shows them; defaults come from `load-config.ts` itself. */
export const querySettingsDoc: SettingsDoc = {
  probes: [{}],
  rows: [
    { keys: ['QUERY_PORT', 'QUERY_OPS_PORT', 'QUERY_LISTEN_HOST'], meaning: 'API + UI / ops listeners' },
    { keys: ['QUERY_PUBLIC_URL'], meaning: 'this service as analysts reach it (alert links, report footers); the default is `http://<QUERY_LISTEN_HOST>:<QUERY_PORT>`' },
    { keys: ['OPENSEARCH_URL', 'QUERY_OPENSEARCH_TIMEOUT_MS'], meaning: 'OpenSearch, and how long one request may take' },
    {
      keys: ['QUERY_EVENTS_INDEX', 'QUERY_ALERTS_INDEX', 'QUERY_AUDIT_INDEX', 'QUERY_MCP_INDEX'],
      meaning: 'index prefixes (`/verify` reads the events and the MCP index: both hold links of the gateways\' chains); the MCP index defaults to the events index with `-events` → `-mcp`',
    },
    {
      keys: ['QUERY_OIDC_ISSUERS'], defaults: { QUERY_OIDC_ISSUERS: 'required' },
      meaning: 'JSON `[{issuer, audiences, kind?, caFile?, kubeconfig?, context?, tokenReview?, usernameClaim?, groupsClaim?, algorithms?}]`, verified by the same verifier as the gateway\'s. `kind`: `oidc` (default; usernames may not start with `system:`) or `serviceaccount` (a cluster\'s service-account tokens, e.g. analysts signed in with `kubectl create token`). `kubeconfig` (instead of `caFile`): the issuer\'s cluster, whose API server serves discovery and keys with that kubeconfig\'s CA and credentials, and confirms each new service-account token by TokenReview (`tokenReview: false` to skip)',
    },
    { keys: ['QUERY_ROLES_CLAIM'], meaning: 'claim carrying `analyst` / `responder` / `admin`' },
    {
      keys: ['QUERY_TOKEN_REVIEW_CACHE_MS'],
      meaning: 'how long the cluster\'s TokenReview answer (yes or no) for an analyst\'s service-account token is reused (0–300000; 0 asks on every request), for issuers with a `kubeconfig`: a deleted service account\'s token is refused (401, `token_review_refused`) within this time after the API server itself refuses it; if the cluster cannot be asked the request gets 503 (fail closed)',
    },
    {
      keys: ['QUERY_ROLE_BINDINGS'],
      meaning: '`role=[issuer#]user|group:name[,…];…` for issuers that cannot mint a roles claim (service-account tokens); with more than one trusted issuer each subject must name its issuer (`https://idp.example#alice`), since the same name at another issuer is another person',
    },
    { keys: ['QUERY_MAX_PAGE_SIZE', 'QUERY_MAX_RANGE_DAYS', 'QUERY_MAX_EXPORT', 'QUERY_MAX_SESSION_EVENTS'], meaning: 'caps' },
    { keys: ['QUERY_PIT_KEEP_ALIVE'], meaning: 'time allowed between two pages' },
    { keys: ['QUERY_MAX_CONCURRENT_EXPORTS'], meaning: 'exports at once (each holds a point in time); more answer 429 with `Retry-After`' },
    {
      keys: ['QUERY_REFUSAL_AUDIT_WINDOW_MS', 'QUERY_REFUSAL_AUDIT_MAX_KEYS'],
      meaning: 'refused sign-ins are audited too, one record per source IP and reason per window (with a count), so a flood cannot fill the index',
    },
    {
      keys: ['QUERY_CURSOR_KEY'], defaults: { QUERY_CURSOR_KEY: 'random per process' },
      meaning: 'cursor signing key (≥ 16 characters; set it when running several replicas)',
    },
    {
      keys: ['QUERY_CHECKPOINT_JWKS', 'QUERY_CHECKPOINTS_INDEX', 'QUERY_VERIFY_MAX_EVENTS'],
      meaning: 'checkpoint keys for `GET /api/v1/verify` and the UI\'s trail badge: comma-separated JWKS files or URLs (each gateway\'s `/.well-known/jwks.json`); a larger window answers 413',
    },
    { keys: ['QUERY_UI_DIR'], meaning: 'folder of the analyst UI\'s static files' },
    { keys: ['QUERY_SHUTDOWN_TIMEOUT_MS'], meaning: 'deadline for a clean stop after SIGTERM' },
    { keys: ['LOG_LEVEL'], meaning: 'pino level' },
  ],
};
