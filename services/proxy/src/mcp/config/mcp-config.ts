import type { TrustedIssuer } from '../../auth/index.js';

/** One MCP server the gateway fronts at `/mcp/<name>`. */
export interface McpServerConfig {
  /** The path segment and the name in every record (a DNS label). */
  readonly name: string;
  /** Its Streamable HTTP endpoint (e.g. `http://kubernetes-mcp:8080/mcp`). */
  readonly url: string;
  /** `aud` of the delegated tokens minted for it (its `oauth_audience`); default `auditgate-mcp:<name>`. */
  readonly audience: string;
  /** Whether its delegated tokens are accepted on the gateway's Kubernetes path (default true). */
  readonly kubernetes: boolean;
  /** PEM bundle trusted for an `https` url (default: the system CAs). */
  readonly caFile?: string;
}

/** An issuer of MCP callers' tokens; `trustUpstream`: a cluster's service-account issuer reached through the upstream API server. */
export type McpIssuerConfig = TrustedIssuer & { readonly trustUpstream?: boolean };

/** The MCP endpoint's settings (`PROXY_MCP_*`); absent when no MCP server is configured. */
export interface McpConfig {
  readonly servers: readonly McpServerConfig[];
  /** Issuers whose OAuth 2.1 bearer tokens MCP clients may present (the people behind the agents). */
  readonly issuers: readonly McpIssuerConfig[];
  /** The gateway's public base URL (`https://gateway:8443`): the resource in RFC 9728 metadata, the issuer's base. */
  readonly publicUrl: string;
  /** Issuer of the delegated tokens (`<publicUrl>/mcp-delegation` by default); its discovery and JWKS are served. */
  readonly delegationIssuer: string;
  /** PKCS#8 PEM or JWK private key (P-256 → ES256) signing delegated tokens; a key made at start when absent. */
  readonly delegationKeyFile?: string;
  /** A tool call's lifetime: its delegated token expires after this, and the call is answered with an error. */
  readonly callTimeoutMs: number;
  /** Largest message body a client may POST. */
  readonly maxMessageBytes: number;
  /** Largest JSON answer read from an MCP server (SSE streams are relayed, each message bounded by this). */
  readonly maxResponseBytes: number;
  /** Arguments and results larger than this (masked JSON) are recorded cut down, with their size and digest. */
  readonly maxRecordedBytes: number;
  /** Scopes listed in the protected-resource metadata. */
  readonly scopes: readonly string[];
  /** Browser origins (`scheme://host[:port]`, normalized) allowed on `/mcp/<server>`; a request with any other `Origin` gets 403. */
  readonly allowedOrigins: readonly string[];
}
