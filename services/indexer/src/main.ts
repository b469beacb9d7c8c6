/** Wiring of the indexer process: env → config → dependencies → app → start; SIGTERM/SIGINT → flush, commit, stop. */
import { Client } from '@opensearch-project/opensearch';
import { createKafka, createLogger, createMetricsRegistry, runService } from '@auditgate/shared';
import { createApp } from './app.js';
import { loadConfig } from './config/load-config.js';
import { createKubeCache } from './kube/create-kube-cache.js';

runService('indexer', {
  env: process.env,
  loadConfig,
  async start(config) {
    const logger = createLogger({ name: 'indexer', level: config.logLevel });
    const registry = createMetricsRegistry('indexer');
    const kafka = createKafka({ brokers: config.kafka.brokers, clientId: `auditgate-indexer-${config.instance}`, logger });
    const opensearch = new Client({ node: config.opensearch.url, requestTimeout: config.opensearch.requestTimeoutMs, maxRetries: 0 });
    const { mode, kubeconfigPath, context, inCluster, resources, maxObjects } = config.kube;
    const kube = config.kube.enabled
      ? createKubeCache({
        ...(mode === 'in-cluster' ? { inCluster: inCluster! } : { kubeconfigPath: kubeconfigPath!, ...(context === undefined ? {} : { context }) }),
        resources, maxObjects, logger: logger.child({ component: 'kube-cache' }),
      })
      : undefined;
    const app = createApp(config, { logger, registry, kafka, opensearch, ...(kube === undefined ? {} : { kube }) });
    await app.start();
    return { logger, stop: () => app.stop() };
  },
});
