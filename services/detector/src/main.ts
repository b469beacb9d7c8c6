/** Wiring of the detector process: env → config → dependencies → app → start; SIGTERM/SIGINT → graceful stop. */
import { Client } from '@opensearch-project/opensearch';
import { createKafka, createLogger, createMetricsRegistry, runService } from '@auditgate/shared';
import { createApp } from './app.js';
import { loadConfig } from './config/load-config.js';

runService('detector', {
  env: process.env,
  loadConfig,
  async start(config) {
    const logger = createLogger({ name: 'detector', level: config.logLevel });
    const registry = createMetricsRegistry('detector');
    const kafka = createKafka({ brokers: config.kafka.brokers, clientId: `auditgate-detector-${config.instance}`, logger });
    const opensearch = config.opensearch === undefined ? undefined
      : new Client({ node: config.opensearch.url, requestTimeout: config.opensearch.requestTimeoutMs, maxRetries: 0 });
    const app = createApp(config, { logger, registry, kafka, ...(opensearch === undefined ? {} : { opensearch }) });
    await app.start();
    return {
      logger,
      async stop() {
        await app.stop();
        await opensearch?.close().catch(() => undefined);
      },
    };
  },
});
