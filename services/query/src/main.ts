/** Wiring of the query service process: env → config → dependencies → app → start; SIGTERM/SIGINT → drain, close. */
import { Client } from '@opensearch-project/opensearch';
import { createLogger, createMetricsRegistry, runService } from '@auditgate/shared';
import { createApp } from './app.js';
import { loadConfig } from './config/load-config.js';

runService('query', {
  env: process.env,
  loadConfig,
  async start(config) {
    const logger = createLogger({ name: 'query', level: config.logLevel });
    const registry = createMetricsRegistry('query');
    const opensearch = new Client({ node: config.opensearch.url, requestTimeout: config.opensearch.requestTimeoutMs, maxRetries: 1 });
    const app = createApp(config, { logger, registry, opensearch });
    await app.start();
    return { logger, stop: () => app.stop() };
  },
});
