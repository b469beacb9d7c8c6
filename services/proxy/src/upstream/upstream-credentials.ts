/** Where and how the gateway connects to the Kubernetes API server. */
export interface UpstreamTarget {
  /** API server base URL, e.g. `https://10.0.0.1:443`. */
  server: URL;
  /** TLS material for the upstream connection (client cert/key only in client-certificate modes). */
  tls: { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized: boolean; servername?: string };
  /** Human-readable description of the identity the API server will see (never a secret). */
  identityDescription: string;
}

/** What the gateway reports about its own upstream identity (for audit events and logs; never secrets). */
export interface UpstreamDescription {
  mode: string;
  roleArn?: string;
  assumedRoleId?: string;
  identity?: string;
}

/** Credentials the gateway uses toward the API server; the MCP pod never sees them. */
export interface UpstreamCredentials {
  readonly mode: 'kubeconfig' | 'in-cluster' | 'eks';
  /** The upstream server and TLS settings; stable for the life of this object. */
  target(): UpstreamTarget;
  /** The `Authorization` header value (`Bearer …`), or undefined when client certificates authenticate. Cheap: cached. */
  authorization(): Promise<string | undefined>;
  /** The upstream identity, for audit events. */
  describe(): UpstreamDescription;
  /** Stops background refresh; safe to call twice. */
  close(): Promise<void>;
}
