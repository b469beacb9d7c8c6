import { hostname } from 'node:os';
import { EnvReader, EVENTS_LAYOUT_DEFAULTS, mcpIndexFor, Topics, type Env, type SettingObserver } from '@auditgate/shared';
import type { IndexerConfig } from './indexer-config.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const DEFAULT_KUBE_RESOURCES = ['v1/pods', 'v1/configmaps', 'v1/secrets', 'v1/serviceaccounts', 'apps/v1/deployments'];
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function readInCluster(reader: EnvReader): NonNullable<IndexerConfig['kube']['inCluster']> {
  const host = reader.optional('KUBERNETES_SERVICE_HOST');
  const port = reader.int('KUBERNETES_SERVICE_PORT', 443, { min: 1, max: 65535 });
  if (host === undefined) reader.problem('INDEXER_KUBE_MODE=in-cluster needs KUBERNETES_SERVICE_HOST (set in every pod); outside a cluster set INDEXER_KUBECONFIG');
  return {
    tokenPath: reader.str('INDEXER_INCLUSTER_TOKEN_PATH', `${SA_DIR}/token`),
    caPath: reader.str('INDEXER_INCLUSTER_CA_PATH', `${SA_DIR}/ca.crt`),
    host: host ?? '',
    port,
  };
}

/**
 * Reads and validates the indexer's configuration from `env`; throws one error listing every bad key.
 * `observe` hears each read (the README's settings tables are generated from it).
 */
export function loadConfig(env: Env, observe?: SettingObserver): IndexerConfig {
  const reader = new EnvReader(env, observe);
  const arn = reader.optional('CLUSTER_ARN');
  const arnParts = arn?.split(':');
  if (arn !== undefined && (arnParts === undefined || arnParts.length < 6 || arnParts[0] !== 'arn')) reader.problem(`CLUSTER_ARN must be an ARN, got "${arn}"`);
  const region = reader.optional('CLUSTER_REGION') ?? (arnParts?.[3] || undefined);
  const account = reader.optional('CLUSTER_ACCOUNT') ?? (arnParts?.[4] || undefined);
  const kubeconfigPath = reader.optional('INDEXER_KUBECONFIG') ?? reader.optional('KUBECONFIG');
  const context = reader.optional('INDEXER_KUBE_CONTEXT');
  const kubeEnabled = reader.bool('INDEXER_KUBE_ENABLED', false);
  const kubeMode = reader.oneOf('INDEXER_KUBE_MODE', ['kubeconfig', 'in-cluster'], kubeconfigPath === undefined ? 'in-cluster' : 'kubeconfig');
  const inCluster = kubeEnabled && kubeMode === 'in-cluster' ? readInCluster(reader) : undefined;
  const indexPrefix = reader.str('INDEXER_INDEX_PREFIX', EVENTS_LAYOUT_DEFAULTS.indexPrefix);
  const checkpointsIndex = reader.str('INDEXER_CHECKPOINTS_INDEX', 'auditgate-checkpoints');
  const mcpIndexPrefix = reader.str('INDEXER_MCP_INDEX_PREFIX', mcpIndexFor(indexPrefix));
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(mcpIndexPrefix) || mcpIndexPrefix.startsWith(`${indexPrefix}-`)) {
    reader.problem(`INDEXER_MCP_INDEX_PREFIX must be a lower-case index name outside ${indexPrefix}-*, got "${mcpIndexPrefix}"`);
  }
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(checkpointsIndex)) reader.problem(`INDEXER_CHECKPOINTS_INDEX must be a lower-case index name, got "${checkpointsIndex}"`);
  const checkpointsTopic = reader.bool('INDEXER_CHECKPOINTS_ENABLED', true) ? reader.str('INDEXER_CHECKPOINTS_TOPIC', Topics.checkpoints) : undefined;
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(indexPrefix)) reader.problem(`INDEXER_INDEX_PREFIX must be a lower-case index name, got "${indexPrefix}"`);
  const config: IndexerConfig = {
    instance: reader.str('INDEXER_INSTANCE', hostname()),
    logLevel: reader.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    kafka: {
      brokers: reader.list('KAFKA_BROKERS', ['127.0.0.1:9092']),
      topic: reader.str('INDEXER_EVENTS_TOPIC', Topics.events),
      dlqTopic: reader.str('INDEXER_DLQ_TOPIC', Topics.eventsDlq),
      groupId: reader.str('INDEXER_GROUP_ID', 'auditgate-indexer'),
      sessionTimeoutMs: reader.int('INDEXER_SESSION_TIMEOUT_MS', 30_000, { min: 6000, max: 300_000 }),
      fromBeginning: reader.bool('INDEXER_FROM_BEGINNING', true),
      maxBytesPerPartition: reader.int('INDEXER_MAX_BYTES_PER_PARTITION', 4 * 1024 * 1024, { min: 1024 }),
      maxBytesPerFetch: reader.int('INDEXER_MAX_BYTES_PER_FETCH', 24 * 1024 * 1024, { min: 1024 }),
      partitionsConsumedConcurrently: reader.int('INDEXER_PARTITIONS_CONCURRENCY', 6, { min: 1, max: 128 }),
      ...opt('checkpointsTopic', checkpointsTopic),
    },
    opensearch: {
      url: reader.url('OPENSEARCH_URL', 'http://127.0.0.1:9200'),
      indexPrefix,
      mcpIndexPrefix,
      refreshInterval: reader.str('INDEXER_REFRESH_INTERVAL', EVENTS_LAYOUT_DEFAULTS.refreshInterval),
      shards: reader.int('INDEXER_INDEX_SHARDS', EVENTS_LAYOUT_DEFAULTS.shards, { min: 1, max: 64 }),
      replicas: reader.int('INDEXER_INDEX_REPLICAS', EVENTS_LAYOUT_DEFAULTS.replicas, { min: 0, max: 8 }),
      retentionDays: reader.int('INDEXER_RETENTION_DAYS', 90, { min: 1 }),
      requestTimeoutMs: reader.int('INDEXER_OPENSEARCH_TIMEOUT_MS', 30_000, { min: 100 }),
      checkpointsIndex,
    },
    bulk: {
      maxDocs: reader.int('INDEXER_BULK_MAX_DOCS', 2000, { min: 1, max: 100_000 }),
      maxBytes: reader.int('INDEXER_BULK_MAX_BYTES', 8 * 1024 * 1024, { min: 1024 }),
      flushIntervalMs: reader.int('INDEXER_FLUSH_INTERVAL_MS', 500, { min: 1, max: 60_000 }),
      maxInFlight: reader.int('INDEXER_BULKS_IN_FLIGHT', 3, { min: 1, max: 16 }),
      retryInitialMs: reader.int('INDEXER_RETRY_INITIAL_MS', 200, { min: 1 }),
      retryMaxMs: reader.int('INDEXER_RETRY_MAX_MS', 10_000, { min: 1 }),
    },
    cluster: { name: reader.str('CLUSTER_NAME', 'local'), ...opt('arn', arn), ...opt('region', region), ...opt('account', account) },
    kube: {
      enabled: kubeEnabled,
      mode: kubeMode,
      ...opt('kubeconfigPath', kubeconfigPath),
      ...opt('context', context),
      ...opt('inCluster', inCluster),
      resources: reader.list('INDEXER_KUBE_RESOURCES', DEFAULT_KUBE_RESOURCES),
      maxObjects: reader.int('INDEXER_KUBE_CACHE_MAX_OBJECTS', 50_000, { min: 1 }),
    },
    listen: {
      host: reader.str('INDEXER_LISTEN_HOST', '127.0.0.1'),
      opsPort: reader.int('INDEXER_OPS_PORT', 9465, { min: 0, max: 65535 }),
    },
    shutdownTimeoutMs: reader.int('INDEXER_SHUTDOWN_TIMEOUT_MS', 20_000, { min: 0 }),
  };
  for (const r of config.kube.resources) {
    if (!/^([a-z0-9.-]+\/)?v[0-9a-z]+\/[a-z0-9]+$/.test(r)) reader.problem(`INDEXER_KUBE_RESOURCES: "${r}" is not [group/]version/resource`);
  }
  if (kubeEnabled && kubeMode === 'kubeconfig' && kubeconfigPath === undefined) reader.problem('INDEXER_KUBE_MODE=kubeconfig needs INDEXER_KUBECONFIG (or KUBECONFIG)');
  if (config.bulk.retryMaxMs < config.bulk.retryInitialMs) reader.problem('INDEXER_RETRY_MAX_MS must be >= INDEXER_RETRY_INITIAL_MS');
  reader.finish();
  return config;
}
