import type { SettingsDoc } from '@auditgate/shared';

const MCP_SERVERS = '[{"name":"kubernetes","url":"http://127.0.0.1:1/mcp"}]';

/** The proxy's settings as the README's table shows them; defaults come from `load-config.ts` itself. */
export const proxySettingsDoc: SettingsDoc = {
  probes: [
    {},
    {
      PROXY_UPSTREAM_MODE: 'in-cluster', PROXY_CHECKPOINT_SIGNER: 'kms', PROXY_MCP_SERVERS: MCP_SERVERS,
      PROXY_SA_ISSUER_URL: 'https://sa.example', PROXY_OIDC_ISSUER_URL: 'https://oidc.example', PROXY_ON_BEHALF_OF_ISSUER_URL: 'https://people.example',
    },
    { PROXY_UPSTREAM_MODE: 'eks' },
  ],
  rows: [
    { keys: ['PROXY_LISTEN_HOST'], meaning: 'address the listeners bind (use `0.0.0.0` in a pod)' },
    { keys: ['PROXY_HTTPS_PORT'], meaning: 'HTTPS listener; `0` picks a free port, `-1` disables' },
    { keys: ['PROXY_TLS_CERT_FILE', 'PROXY_TLS_KEY_FILE'], meaning: 'serving certificate; without them a self-signed one is made at start' },
    { keys: ['PROXY_HTTP_PORT'], meaning: 'plain HTTP for local use only (`-1`: off; kubectl does not send bearer tokens over plain HTTP)' },
    { keys: ['PROXY_OPS_PORT'], meaning: '`/healthz`, `/readyz`, `/metrics`' },
    { keys: ['PROXY_UPSTREAM_MODE'], meaning: '`kubeconfig`, `in-cluster` or `eks`' },
    { keys: ['PROXY_UPSTREAM_KUBECONFIG', 'PROXY_UPSTREAM_CONTEXT'], meaning: 'kubeconfig mode: the gateway\'s own credentials (token, token file, client cert, exec plugin)' },
    {
      keys: ['PROXY_INCLUSTER_TOKEN_PATH', 'PROXY_INCLUSTER_CA_PATH', 'KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT'],
      meaning: 'in-cluster mode: the pod\'s mounted service account and the API server\'s address (set in every pod); the token file is re-read as it rotates',
    },
    {
      keys: ['PROXY_EKS_CLUSTER_NAME', 'PROXY_EKS_REGION', 'PROXY_EKS_ROLE_ARN', 'PROXY_EKS_SERVER', 'PROXY_EKS_CA_FILE', 'PROXY_STS_ENDPOINT'],
      meaning: 'eks mode: AssumeRole into Role Y (base credentials from the default AWS chain), then a presigned `k8s-aws-v1.` token, refreshed before its 15-minute expiry',
    },
    {
      keys: ['PROXY_UPSTREAM_HTTP2_STREAMS'],
      meaning: 'watches and `logs -f` share multiplexed HTTP/2 connections to the API server (this many streams each), like client-go; `0` = one HTTP/1.1 connection each. Falls back to HTTP/1.1 when the server lacks h2',
    },
    { keys: ['PROXY_IMPERSONATE'], meaning: 'forward the caller as `Impersonate-User/Group`, so cluster RBAC and the cluster\'s own audit see them' },
    {
      keys: ['PROXY_SA_ISSUER_URL', 'PROXY_SA_ISSUER_AUDIENCES', 'PROXY_SA_ISSUER_CA_FILE', 'PROXY_SA_ISSUER_DISCOVERY_URL', 'PROXY_SA_ISSUER_ALGORITHMS',
        'PROXY_SA_ISSUER_USERNAME_CLAIM', 'PROXY_SA_ISSUER_USERNAME_PREFIX', 'PROXY_SA_ISSUER_GROUPS_CLAIM'],
      meaning: 'trusted issuer of projected service-account tokens (the cluster\'s OIDC issuer); at least one of it and `PROXY_OIDC_ISSUER_URL` is required',
    },
    {
      keys: ['PROXY_SA_ISSUER_TOKEN_FILE'],
      meaning: 'a bearer token (re-read on every fetch) presented on that issuer\'s discovery and JWKS requests only, for clusters whose issuer discovery is not anonymous (the in-cluster kube-apiserver)',
    },
    {
      keys: ['PROXY_SA_ISSUER_TRUST'],
      meaning: 'how that issuer is reached: `issuer` at its own URL (public like EKS\'s, or with `…_CA_FILE` / `…_TOKEN_FILE`); `upstream` through the API server the gateway fronts, with the upstream\'s CA and credentials (discovery, then its `/openid/v1/jwks`), for clusters whose issuer is their API server (kind, k3s, minikube, kubeadm; takes no `…_CA_FILE`, `…_TOKEN_FILE` or `…_DISCOVERY_URL`); `auto` is `upstream` when the issuer URL is the upstream server or an in-cluster name (`*.svc`, `*.svc.cluster.local`) and none of those is set, else `issuer`',
    },
    {
      keys: ['PROXY_SA_TOKEN_REVIEW'],
      meaning: 'confirm each new service-account token with a TokenReview against the upstream cluster (the gateway\'s upstream identity needs `create tokenreviews`): a token whose service account or pod was deleted is refused (401) even before it expires; if the cluster cannot be asked the request gets 503 (fail closed). The outcome is in the event (`auditgate.actor.review`). Turn off only when the service-account issuer is not the upstream cluster\'s',
    },
    {
      keys: ['PROXY_SA_TOKEN_REVIEW_CACHE_MS'],
      meaning: 'how long the cluster\'s answer (yes or no) is reused for the same token (0–300000; 0 asks on every request). A deleted service account\'s token is refused within this time after the API server itself refuses it (the API server keeps a successful authentication for 10 s of its own)',
    },
    {
      keys: ['PROXY_OIDC_ISSUER_URL', 'PROXY_OIDC_ISSUER_AUDIENCES', 'PROXY_OIDC_ISSUER_CA_FILE', 'PROXY_OIDC_ISSUER_DISCOVERY_URL', 'PROXY_OIDC_ISSUER_ALGORITHMS',
        'PROXY_OIDC_ISSUER_USERNAME_CLAIM', 'PROXY_OIDC_ISSUER_USERNAME_PREFIX', 'PROXY_OIDC_ISSUER_GROUPS_CLAIM'],
      meaning: 'a trusted OIDC issuer for people or other workloads',
    },
    {
      keys: ['PROXY_ON_BEHALF_OF_ISSUER_URL', 'PROXY_ON_BEHALF_OF_ISSUER_AUDIENCES', 'PROXY_ON_BEHALF_OF_ISSUER_CA_FILE', 'PROXY_ON_BEHALF_OF_ISSUER_DISCOVERY_URL',
        'PROXY_ON_BEHALF_OF_ISSUER_ALGORITHMS', 'PROXY_ON_BEHALF_OF_ISSUER_USERNAME_CLAIM', 'PROXY_ON_BEHALF_OF_ISSUER_USERNAME_PREFIX', 'PROXY_ON_BEHALF_OF_ISSUER_GROUPS_CLAIM'],
      meaning: 'issuer of the human\'s token in `X-Auditgate-On-Behalf-Of`; without it that header is refused. Its audiences must differ from a caller issuer\'s at the same URL',
    },
    { keys: ['PROXY_POLICY_FILE'], meaning: 'the gateway policy (YAML, hot-reloaded); see `services/proxy/policy/`' },
    {
      keys: ['PROXY_MASKING_KEY', 'PROXY_MASKING_KEY_FILE'], defaults: { PROXY_MASKING_KEY: 'required (one of the two)', PROXY_MASKING_KEY_FILE: 'required (one of the two)' },
      meaning: 'HMAC key (≥ 32 bytes, hex or base64) for masked values\' digests',
    },
    {
      keys: ['PROXY_MCP_SERVERS'],
      meaning: 'JSON `[{name, url, audience?, kubernetes?, caFile?}]`: the MCP servers fronted at `/mcp/<name>` (Streamable HTTP); `audience` of their delegated tokens (default `auditgate-mcp:<name>`); `kubernetes: false` refuses their delegated tokens on the Kubernetes path; `caFile` for an `https` url. Unset: no MCP endpoint, and no other `PROXY_MCP_*` key is read',
    },
    {
      keys: ['PROXY_MCP_ISSUERS'], defaults: { PROXY_MCP_ISSUERS: 'required with servers' },
      meaning: 'JSON `[{issuer, audiences?, kind?, caFile?, discoveryUrl?, usernameClaim?, usernamePrefix?, groupsClaim?, groupsPrefix?, algorithms?, trust?}]`: the OAuth 2.1 authorization servers whose bearer tokens MCP clients present (the people); `audiences` default to each server\'s resource URL `<public URL>/mcp/<name>`; `kind: serviceaccount` with `trust: upstream` for a cluster\'s service-account issuer reached through the upstream API server',
    },
    {
      keys: ['PROXY_MCP_PUBLIC_URL'],
      meaning: 'the gateway as MCP clients and servers reach it (default `https://<PROXY_LISTEN_HOST>:<PROXY_HTTPS_PORT>`, or plain HTTP when HTTPS is off): resource URLs, RFC 9728 metadata, the delegation issuer',
    },
    {
      keys: ['PROXY_MCP_DELEGATION_ISSUER'],
      meaning: '`iss` of delegated tokens (default `<public URL>/mcp-delegation`); its discovery (`<issuer>/.well-known/openid-configuration`) and keys (`<issuer>/jwks`) are served on the gateway\'s listeners',
    },
    {
      keys: ['PROXY_MCP_DELEGATION_KEY_FILE'], defaults: { PROXY_MCP_DELEGATION_KEY_FILE: 'a key made at start (warning)' },
      meaning: 'EC P-256 private key (PKCS#8 PEM or JWK) that signs delegated tokens (ES256); give every replica the same one',
    },
    { keys: ['PROXY_MCP_CALL_TIMEOUT_MS'], meaning: 'a tool call\'s lifetime: its delegated token\'s `exp`, and the deadline of its answer (JSON-RPC error `-32011` after it)' },
    {
      keys: ['PROXY_MCP_MAX_MESSAGE_BYTES', 'PROXY_MCP_MAX_RESPONSE_BYTES', 'PROXY_MCP_MAX_RECORDED_BYTES'],
      meaning: 'largest message a client may POST; largest JSON answer (and SSE message) read from an MCP server; recorded arguments and results (masked first, then cut, size and digest of the whole)',
    },
    { keys: ['PROXY_MCP_SCOPES'], meaning: 'scopes named in the protected-resource metadata and in `WWW-Authenticate`' },
    {
      keys: ['PROXY_MCP_ALLOWED_ORIGINS'],
      meaning: 'comma-separated browser origins (default the public URL\'s origin; `scheme://host[:port]`) allowed on `/mcp/<server>`: a request whose `Origin` header is present and not listed is refused with 403 and audited (DNS rebinding, MCP transport spec); requests without `Origin` (non-browser MCP clients) are not affected',
    },
    { keys: ['KAFKA_BROKERS'], meaning: 'bootstrap brokers' },
    { keys: ['PROXY_EVENTS_TOPIC'], meaning: 'where audit events go' },
    { keys: ['PROXY_KAFKA_OUTAGE_MODE'], meaning: '`fail-closed`: 503 while Kafka cannot acknowledge; `spool`: fsync to `PROXY_SPOOL_DIR`, forward, drain in order later' },
    { keys: ['PROXY_SPOOL_DIR'], meaning: 'spool folder (spool mode)' },
    { keys: ['PROXY_KAFKA_LINGER_MS', 'PROXY_KAFKA_MAX_BATCH', 'PROXY_KAFKA_ACK_TIMEOUT_MS'], meaning: 'write-ahead batching and the acknowledgement deadline' },
    {
      keys: ['PROXY_KAFKA_DEFER_MS'],
      meaning: 'how long a ResponseStarted/ResponseComplete event may wait to travel in the next write-ahead batch (one produce request per request instead of two)',
    },
    { keys: ['PROXY_MAX_REQUEST_BODY_BYTES'], meaning: 'larger request bodies get 413' },
    { keys: ['PROXY_MAX_RECORDED_BODY_BYTES'], meaning: 'request/response objects larger than this are recorded by size and sha256 only' },
    { keys: ['CLUSTER_NAME', 'CLUSTER_ARN', 'CLUSTER_REGION'], meaning: 'recorded in every event' },
    { keys: ['PROXY_INSTANCE'], meaning: 'this gateway\'s name in its events and in its hash chain\'s stream' },
    { keys: ['AUDITGATE_VERSION'], meaning: 'the version recorded in every event' },
    { keys: ['PROXY_AUDIT_ENABLED'], meaning: 'benchmark baseline only: `false` forwards without any audit record' },
    { keys: ['PROXY_CHAIN_ENABLED'], meaning: 'link every produced event into this process\'s hash chain and sign checkpoints (benchmark baseline only: `false`)' },
    { keys: ['PROXY_CHECKPOINTS_TOPIC'], meaning: 'where signed checkpoints go (key: the chain stream)' },
    {
      keys: ['PROXY_CHECKPOINT_EVERY_EVENTS', 'PROXY_CHECKPOINT_INTERVAL_MS'],
      meaning: 'sign a checkpoint after N events or T ms, whichever comes first; a silent stream signs a heartbeat every T',
    },
    {
      keys: ['PROXY_CHECKPOINT_SIGNER', 'PROXY_CHECKPOINT_KEY_FILE', 'PROXY_CHECKPOINT_KMS_KEY_ID', 'PROXY_CHECKPOINT_KMS_REGION', 'PROXY_CHECKPOINT_KMS_ENDPOINT'],
      meaning: '`file`: the private key in `PROXY_CHECKPOINT_KEY_FILE` (PKCS#8 PEM or JWK; Ed25519 → EdDSA, P-256 → ES256; without it a key made at start, with a warning); `kms`: the asymmetric `ECC_NIST_P256` key `PROXY_CHECKPOINT_KMS_KEY_ID` in `PROXY_CHECKPOINT_KMS_REGION` (`PROXY_CHECKPOINT_KMS_ENDPOINT` for another endpoint), credentials from the AWS default chain, needing `kms:GetPublicKey` and `kms:Sign`',
    },
    {
      keys: ['PROXY_CHECKPOINT_PREVIOUS_JWKS'],
      meaning: 'a JWKS file (`{"keys":[...]}`, public Ed25519 or P-256 keys) of retired checkpoint keys, published in `/.well-known/jwks.json` beside the current one so checkpoints signed before a key rotation still verify; keep a key there as long as checkpoints it signed are kept',
    },
    { keys: ['PROXY_SHUTDOWN_TIMEOUT_MS'], meaning: 'deadline for a clean stop after SIGTERM' },
    { keys: ['LOG_LEVEL'], meaning: 'pino level; tokens and authorization headers are redacted' },
  ],
};
