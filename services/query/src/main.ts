/** Wiring of the query service process: env → config → dependencies → app → start; SIGTERM/SIGINT → drain, close. */
import { Client } from '@opensearch-project/opensearch';
import { createLogger, createMetricsRegistry, runService } from '@auditgate/shared';
import { createKubeconfigConnection, type ApiServerConnection } from '@auditgate/shared/kube';
import { createApp } from './app.js';
import { loadConfig } from './config/load-config.js';

runService('query', {
  env: process.env,
  loadConfig,
  async start(config) {
    const logger = createLogger({ name: 'query', level: config.logLevel });
    const registry = createMetricsRegistry('query');
    const opensearch = new Client({ node: config.opensearch.url, requestTimeout: config.opensearch.requestTimeoutMs, maxRetries: 1 });
    // Issuers reached through their cluster: the kubeconfig is read (and its credential obtained) once, at start.
    const issuerConnections = new Map<string, ApiServerConnection>();
    for (const issuer of config.auth.issuers) {
      if (issuer.kubeconfig === undefined) continue;
      issuerConnections.set(issuer.issuer, await createKubeconfigConnection({ kubeconfigPath: issuer.kubeconfig, ...(issuer.context === undefined ? {} : { context: issuer.context }) }));
    }
    const app = createApp(config, { logger, registry, opensearch, issuerConnections });
    await app.start();
    return { logger, stop: () => app.stop() };
  },
});
