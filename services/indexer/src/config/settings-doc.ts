import type { SettingsDoc } from '@auditgate/shared';

/** The indexer's settings as the README's table shows them; defaults come from `load-config.ts` itself. */
export const indexerSettingsDoc: SettingsDoc = {
  probes: [{}, { INDEXER_KUBE_ENABLED: 'true' }, { INDEXER_KUBECONFIG: '/kubeconfig' }],
  rows: [
    { keys: ['KAFKA_BROKERS'], meaning: 'bootstrap brokers' },
    { keys: ['INDEXER_EVENTS_TOPIC', 'INDEXER_DLQ_TOPIC', 'INDEXER_GROUP_ID'], meaning: 'where it reads, where bad records go, and its consumer group' },
    {
      keys: ['INDEXER_SESSION_TIMEOUT_MS', 'INDEXER_FROM_BEGINNING', 'INDEXER_MAX_BYTES_PER_PARTITION', 'INDEXER_MAX_BYTES_PER_FETCH', 'INDEXER_PARTITIONS_CONCURRENCY'],
      meaning: 'the consumer: group session timeout, where a new group starts, bytes fetched per partition and per fetch, partitions consumed at once',
    },
    { keys: ['OPENSEARCH_URL', 'INDEXER_OPENSEARCH_TIMEOUT_MS'], meaning: 'OpenSearch, and how long one request may take' },
    {
      keys: ['INDEXER_INDEX_PREFIX', 'INDEXER_REFRESH_INTERVAL', 'INDEXER_INDEX_SHARDS', 'INDEXER_INDEX_REPLICAS', 'INDEXER_RETENTION_DAYS'],
      meaning: 'index layout: daily indices `<prefix>-YYYY.MM.DD` behind the alias `<prefix>`, and how long they are kept',
    },
    {
      keys: ['INDEXER_MCP_INDEX_PREFIX'],
      meaning: 'MCP events (schema version 3, `kind: McpEvent`) go to their own daily indices `<prefix>-YYYY.MM.DD` behind the alias `<prefix>`, one document per JSON-RPC message (its stages merged like an exchange\'s); the default is the events prefix with `-events` → `-mcp`',
    },
    {
      keys: ['INDEXER_BULK_MAX_DOCS', 'INDEXER_BULK_MAX_BYTES', 'INDEXER_FLUSH_INTERVAL_MS', 'INDEXER_BULKS_IN_FLIGHT'],
      meaning: 'bulk size caps, how long a bulk waits for company (a bulk with records behind it on Kafka goes at once), and how many bulks go at once; fetching goes on while up to twice the documents of the bulks in flight await OpenSearch',
    },
    { keys: ['INDEXER_RETRY_INITIAL_MS', 'INDEXER_RETRY_MAX_MS'], meaning: 'backoff while OpenSearch refuses or is away' },
    {
      keys: ['INDEXER_KUBE_ENABLED', 'INDEXER_KUBE_RESOURCES', 'INDEXER_KUBE_CACHE_MAX_OBJECTS'],
      meaning: 'the metadata-only informer cache used for label enrichment: on or off, the `[group/]version/resource` list it watches, its size cap',
    },
    {
      keys: ['INDEXER_KUBE_MODE'], defaults: { INDEXER_KUBE_MODE: '`kubeconfig` when `INDEXER_KUBECONFIG`/`KUBECONFIG` is set, else `in-cluster`' },
      meaning: 'how the cache reaches the cluster: a kubeconfig, or the pod\'s own service account (the projected token is re-read every 60 s)',
    },
    { keys: ['INDEXER_KUBECONFIG', 'KUBECONFIG', 'INDEXER_KUBE_CONTEXT'], meaning: 'kubeconfig mode: the kubeconfig (`INDEXER_KUBECONFIG` first) and its context' },
    {
      keys: ['INDEXER_INCLUSTER_TOKEN_PATH', 'INDEXER_INCLUSTER_CA_PATH', 'KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT'],
      meaning: 'in-cluster mode: the pod\'s mounted service account and the API server\'s address (`KUBERNETES_SERVICE_HOST` is set in every pod and needed in this mode)',
    },
    { keys: ['CLUSTER_NAME', 'CLUSTER_ARN', 'CLUSTER_REGION', 'CLUSTER_ACCOUNT'], meaning: 'cluster facts added to every document (region and account default to the ARN\'s)' },
    {
      keys: ['INDEXER_CHECKPOINTS_ENABLED', 'INDEXER_CHECKPOINTS_TOPIC', 'INDEXER_CHECKPOINTS_INDEX'],
      meaning: 'signed checkpoints indexed into `<index>-YYYY.MM` (the JWS kept whole)',
    },
    { keys: ['INDEXER_INSTANCE'], meaning: 'this indexer\'s name in its Kafka client id' },
    { keys: ['INDEXER_LISTEN_HOST', 'INDEXER_OPS_PORT'], meaning: '`/healthz`, `/readyz`, `/metrics`' },
    { keys: ['INDEXER_SHUTDOWN_TIMEOUT_MS'], meaning: 'deadline for a clean stop after SIGTERM (last bulk flushed, offsets committed)' },
    { keys: ['LOG_LEVEL'], meaning: 'pino level' },
  ],
};
