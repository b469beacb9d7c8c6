/** Wiring of the indexer process: env → config → dependencies → app → start; SIGTERM/SIGINT → flush, commit, stop. */
import { Client } from '@opensearch-project/opensearch';
import { createKafka, createLogger, createMetricsRegistry, isAppError } from '@auditgate/shared';
import { createApp } from './app.js';
import { loadConfig } from './config/load-config.js';
import type { IndexerConfig } from './config/indexer-config.js';
import { createKubeCache } from './kube/create-kube-cache.js';

async function main(): Promise<void> {
  let config: IndexerConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    process.stderr.write(`auditgate indexer: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const logger = createLogger({ name: 'indexer', level: config.logLevel });
  const registry = createMetricsRegistry('indexer');
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: `auditgate-indexer-${config.instance}`, logger });
  const opensearch = new Client({ node: config.opensearch.url, requestTimeout: config.opensearch.requestTimeoutMs, maxRetries: 0 });
  const kube = config.kube.enabled ? createKubeCache({ ...config.kube, kubeconfigPath: config.kube.kubeconfigPath!, logger: logger.child({ component: 'kube-cache' }) }) : undefined;
  const app = createApp(config, { logger, registry, kafka, opensearch, ...(kube === undefined ? {} : { kube }) });
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: flushing and committing');
    const hardExit = setTimeout(() => { logger.error('shutdown deadline passed; exiting'); process.exit(1); }, config.shutdownTimeoutMs + 10_000);
    hardExit.unref();
    await app.stop();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  await app.start();
}

main().catch((error: unknown) => {
  const code = isAppError(error) ? error.code : 'AUDITGATE_E_INTERNAL';
  process.stderr.write(`auditgate indexer failed to start [${code}]: ${(error as Error).message}\n`);
  process.exit(1);
});
