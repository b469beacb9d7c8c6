/**
 * The audit event: a valid Kubernetes `audit.k8s.io/v1` Event, so tools that read API-server audit logs read ours
 * unchanged, with Auditgate's own facts under the single extension key `auditgate`.
 */

/** The schema version this library writes. Readers accept every version in {@link SUPPORTED_SCHEMA_VERSIONS}. */
export const CURRENT_SCHEMA_VERSION = 3;
/**
 * Schema versions the validator accepts (1: first release; 2: adds `mcp.caller` and `stream`; 3: adds MCP events
 * (`McpEvent`, see mcp-event.ts) and verified MCP correlation on Kubernetes events: `mcp.caller: verified` with the
 * server, call id, agent and scope taken from a delegated token the gateway signed).
 */
export const SUPPORTED_SCHEMA_VERSIONS: readonly number[] = [1, 2, 3];

export const AUDIT_LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'] as const;
/** How much of an exchange is recorded, as in the API server's audit policy. */
export type AuditLevel = (typeof AUDIT_LEVELS)[number];

export const AUDIT_STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] as const;
/** When in the exchange the event was produced. */
export type AuditStage = (typeof AUDIT_STAGES)[number];

/** `authentication.k8s.io/v1` UserInfo. */
export interface UserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** `audit.k8s.io/v1` ObjectReference. */
export interface ObjectReference {
  resource?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiGroup?: string;
  apiVersion?: string;
  resourceVersion?: string;
  subresource?: string;
}

/** `meta/v1` Status, as recorded in `responseStatus`. */
export interface ResponseStatus {
  metadata?: Record<string, unknown>;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
}

/** The authenticated caller, as verified by the gateway. */
export interface ActorInfo {
  issuer: string;
  subject: string;
  username: string;
  groups: string[];
  tokenKind: 'serviceaccount' | 'oidc' | 'anonymous';
  /** The cluster's TokenReview of the caller's token, when the gateway asked for one (service-account tokens). */
  review?: TokenReviewInfo;
}

/** What the cluster answered when the gateway confirmed a token with a TokenReview (additive, schema version 2). */
export interface TokenReviewInfo {
  /** Always true: the cluster was asked, for this request or within the review cache time. */
  checked: true;
  /** False when the cluster refused the token (deleted service account or pod, revoked). */
  authenticated: boolean;
  /** When the cluster answered (RFC 3339). */
  at: string;
  /** True when the answer was reused from the gateway's review cache. */
  cached: boolean;
}

/** What is known of a recorded request or response body. */
export interface BodyInfo {
  /** Bytes seen in full. */
  bytes: number;
  /**
   * Hex digest of the full body as it crossed the gateway: HMAC-SHA256 keyed with the masking key when `digest` is
   * `hmac-sha256` (every body since the gateway keyed them), plain SHA-256 in older events.
   */
  sha256: string;
  /** How `sha256` was computed; absent means plain SHA-256. */
  digest?: 'sha256' | 'hmac-sha256';
  /** True when the recorded object was cut to the configured bound. */
  truncated: boolean;
  /** JSON paths whose values were masked before the event was produced. */
  maskedPaths: string[];
  contentType?: string;
}

/** Auditgate's extension of the Kubernetes audit event. */
export interface AuditgateExtension {
  schemaVersion: number;
  gateway: { instance: string; version: string };
  actor: ActorInfo;
  onBehalfOf?: ActorInfo;
  /**
   * MCP correlation: `caller: supplied` when read from headers the caller chose to send (unverified); `verified` when
   * read from the delegated token the gateway minted for one tool call (schema version 3), which also names the MCP
   * server, the call, the agent and the call's scope.
   */
  mcp?: {
    sessionId?: string; toolName?: string; requestId?: string; caller?: 'supplied' | 'verified';
    server?: string; callId?: string; agent?: string;
    scope?: { namespace?: string; resource?: string; apiGroup?: string; name?: string };
  };
  /**
   * What the request reaches, recorded by the gateway from its RequestInfo classification (one definition, in
   * `@auditgate/shared/kube`): a list or watch across all namespaces, and the `group/resource[/subresource]` key.
   */
  classification?: { clusterWide: boolean; resourceKey?: string };
  cluster: { name: string; arn?: string; region?: string };
  upstream?: { mode: string; roleArn?: string; assumedRoleId?: string; identity?: string; impersonated?: boolean };
  policy?: { bundleHash: string; ruleId?: string; decision: 'allow' | 'deny' | 'mask'; reason?: string };
  body?: { request?: BodyInfo; response?: BodyInfo };
  stream?: { events: number; bytes: number; durationMs: number };
  chain?: { stream: string; seq: number; prevHash: string; hash: string };
  /** Client-supplied forwarding chain, recorded as untrusted. */
  forwardedFor?: string[];
  /** Why the exchange failed inside the gateway, when it did (an `AUDITGATE_E_*` code). */
  errorCode?: string;
  enrichment?: Record<string, unknown>;
}

/** One audit record. */
export interface AuditEvent {
  apiVersion: 'audit.k8s.io/v1';
  kind: 'Event';
  level: AuditLevel;
  auditID: string;
  stage: AuditStage;
  requestURI: string;
  verb: string;
  user: UserInfo;
  impersonatedUser?: UserInfo;
  sourceIPs?: string[];
  userAgent?: string;
  objectRef?: ObjectReference;
  responseStatus?: ResponseStatus;
  requestObject?: unknown;
  responseObject?: unknown;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
  auditgate: AuditgateExtension;
}
