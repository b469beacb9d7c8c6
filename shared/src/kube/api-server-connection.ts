/** TLS settings of a connection to a Kubernetes API server, as a kubeconfig or a pod's mount gives them. */
export interface ApiServerTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
  servername?: string;
}

/** Where a Kubernetes API server is and how its TLS is checked. */
export interface ApiServerTarget {
  /** API server base URL, e.g. `https://10.0.0.1:443`. */
  server: URL;
  tls: ApiServerTls;
  /** Human-readable description of the identity the API server will see (never a secret). */
  identityDescription: string;
}

/** A Kubernetes API server and the credentials to call it with (a kubeconfig context, a pod's service account, EKS). */
export interface ApiServerConnection {
  /** The server and TLS settings; stable for the life of this object. */
  target(): ApiServerTarget;
  /** The `Authorization` header value, or undefined when a client certificate authenticates. Cheap: cached. */
  authorization(): Promise<string | undefined>;
}
