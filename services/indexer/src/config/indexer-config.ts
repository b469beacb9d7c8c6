/** The indexer's validated configuration (see `load-config.ts` for the environment variables). */
export interface IndexerConfig {
  readonly instance: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly kafka: {
    readonly brokers: string[];
    readonly topic: string;
    readonly dlqTopic: string;
    readonly groupId: string;
    readonly sessionTimeoutMs: number;
    readonly fromBeginning: boolean;
    readonly maxBytesPerPartition: number;
    /** Bytes one fetch may carry over all partitions. */
    readonly maxBytesPerFetch: number;
    readonly partitionsConsumedConcurrently: number;
    /** The signed checkpoints topic, indexed beside the events; undefined when off. */
    readonly checkpointsTopic?: string;
  };
  readonly opensearch: {
    readonly url: string;
    /** Daily indices are `<prefix>-YYYY.MM.DD`; the alias is `<prefix>`. */
    readonly indexPrefix: string;
    /** Daily indices of MCP events (the gateway's MCP endpoint) are `<mcpIndexPrefix>-YYYY.MM.DD`, alias `<mcpIndexPrefix>`. */
    readonly mcpIndexPrefix: string;
    readonly refreshInterval: string;
    readonly shards: number;
    readonly replicas: number;
    readonly retentionDays: number;
    readonly requestTimeoutMs: number;
    /** Monthly checkpoint indices are `<checkpointsIndex>-YYYY.MM`; the alias is `<checkpointsIndex>`. */
    readonly checkpointsIndex: string;
  };
  readonly bulk: {
    readonly maxDocs: number;
    readonly maxBytes: number;
    readonly flushIntervalMs: number;
    /** Bulks sent to OpenSearch at once. */
    readonly maxInFlight: number;
    readonly retryInitialMs: number;
    readonly retryMaxMs: number;
  };
  readonly cluster: { readonly name: string; readonly arn?: string; readonly region?: string; readonly account?: string };
  readonly kube: {
    readonly enabled: boolean;
    /** `kubeconfig`: a kubeconfig file; `in-cluster`: the pod's own service account. */
    readonly mode: 'kubeconfig' | 'in-cluster';
    readonly kubeconfigPath?: string;
    readonly context?: string;
    /** In-cluster mode (when enabled): the mounted token and CA, and the API server's address. */
    readonly inCluster?: { readonly tokenPath: string; readonly caPath: string; readonly host: string; readonly port: number };
    /** Resources whose object metadata is cached, as `[group/]version/resource` (e.g. `v1/configmaps`, `apps/v1/deployments`). */
    readonly resources: string[];
    readonly maxObjects: number;
  };
  readonly listen: { readonly host: string; readonly opsPort: number };
  readonly shutdownTimeoutMs: number;
}
