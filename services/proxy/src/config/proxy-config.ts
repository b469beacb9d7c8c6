import type { TrustedIssuer } from '@auditgate/shared/auth';
import type { McpConfig } from '../mcp/config/mcp-config.js';

/** How the proxy reaches the API server. */
export type UpstreamConfig =
  | { mode: 'kubeconfig'; kubeconfigPath: string; context?: string }
  | { mode: 'in-cluster'; tokenPath: string; caPath: string; host: string; port: number }
  | { mode: 'eks'; clusterName: string; region: string; roleArn: string; server: string; caFile?: string; stsEndpoint?: string };

/** The proxy's whole configuration, validated once at start. */
export interface ProxyConfig {
  readonly instance: string;
  readonly version: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly listen: {
    readonly host: string;
    /** Plain HTTP port for local use; -1 (the default) disables it, 0 picks a free port. */
    readonly httpPort: number;
    /** HTTPS port; -1 disables it, 0 picks a free port. */
    readonly httpsPort: number;
    readonly tlsCertFile?: string;
    readonly tlsKeyFile?: string;
    /** Port of /healthz, /readyz and /metrics. */
    readonly opsPort: number;
  };
  readonly upstream: UpstreamConfig;
  /** Forward the caller as Impersonate-User/Group/Extra so the cluster's RBAC and audit see them. */
  readonly impersonate: boolean;
  /** Watches and followed logs share HTTP/2 connections upstream, this many streams each at most (0 = HTTP/1 only). */
  readonly upstreamHttp2Streams: number;
  readonly issuers: TrustedIssuer[];
  /**
   * How the service-account issuer (`PROXY_SA_ISSUER_URL`) is reached: `issuer` at its own URL (public, or with
   * `…_CA_FILE` / `…_TOKEN_FILE`); `upstream` through the API server the gateway fronts, with the upstream's CA and
   * credentials (discovery, then `/openid/v1/jwks`); `auto` is `upstream` when the issuer is the upstream server itself
   * or an in-cluster name (`*.svc`, `*.svc.cluster.local`) and no CA file, token file or discovery URL is set, else
   * `issuer`.
   */
  readonly saIssuerTrust: 'auto' | 'issuer' | 'upstream';
  /** Confirm each new service-account token with a TokenReview against the upstream cluster, answers reused for `cacheMs`. */
  readonly saTokenReview: { readonly enabled: boolean; readonly cacheMs: number };
  /** Issuer of the human's token in X-Auditgate-On-Behalf-Of, if accepted. */
  readonly onBehalfOfIssuer?: TrustedIssuer;
  readonly policyFile: string;
  readonly kafka: {
    readonly brokers: string[];
    readonly topic: string;
    readonly outageMode: 'fail-closed' | 'spool';
    readonly spoolDir: string;
    readonly lingerMs: number;
    /** How long a later-stage event (ResponseStarted/Complete) may wait to travel with a write-ahead batch. */
    readonly deferMs: number;
    readonly maxBatchMessages: number;
    readonly ackTimeoutMs: number;
  };
  /** Master switch for auditing; only the benchmark's baseline turns it off. */
  readonly auditEnabled: boolean;
  /** Tamper evidence: the hash chain over produced events and its signed checkpoints. */
  readonly chain: ChainConfig;
  /** HMAC key for masked values' digests. */
  readonly maskingKey: Buffer;
  readonly maxRequestBodyBytes: number;
  readonly maxRecordedBodyBytes: number;
  readonly cluster: { readonly name: string; readonly arn?: string; readonly region?: string };
  /** How long shutdown waits for in-flight requests. */
  readonly shutdownTimeoutMs: number;
  /** The MCP endpoint (`/mcp/<server>`) and its delegated tokens; absent without `PROXY_MCP_SERVERS`. */
  readonly mcp?: McpConfig;
}

/** Where checkpoint keys live: a local key file (an ephemeral key when none is given) or an AWS KMS key. */
export type CheckpointSignerConfig =
  | { readonly kind: 'file'; readonly keyFile?: string }
  | { readonly kind: 'kms'; readonly keyId: string; readonly region: string; readonly endpoint?: string };

/** The hash chain and checkpoint settings. */
export interface ChainConfig {
  /** Link every produced event into the stream's hash chain and sign checkpoints (off only for the benchmark's baseline). */
  readonly enabled: boolean;
  readonly checkpointsTopic: string;
  /** Sign a checkpoint after this many events (N)... */
  readonly checkpointEveryEvents: number;
  /** ...or after this long (T), whichever comes first; a silent stream still signs a heartbeat every T. */
  readonly checkpointIntervalMs: number;
  readonly signer: CheckpointSignerConfig;
  /** A JWKS file of retired checkpoint public keys, published beside the current one so older checkpoints still verify. */
  readonly previousJwksFile?: string;
}
