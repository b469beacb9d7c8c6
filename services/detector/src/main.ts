/** Wiring of the detector process: env → config → dependencies → app → start; SIGTERM/SIGINT → graceful stop. */
import { Client } from '@opensearch-project/opensearch';
import { createKafka, createLogger, createMetricsRegistry, isAppError } from '@auditgate/shared';
import { createApp } from './app.js';
import { loadConfig } from './config/load-config.js';
import type { DetectorConfig } from './config/detector-config.js';

async function main(): Promise<void> {
  let config: DetectorConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    process.stderr.write(`auditgate detector: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const logger = createLogger({ name: 'detector', level: config.logLevel });
  const registry = createMetricsRegistry('detector');
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: `auditgate-detector-${config.instance}`, logger });
  const opensearch = config.opensearch === undefined ? undefined
    : new Client({ node: config.opensearch.url, requestTimeout: config.opensearch.requestTimeoutMs, maxRetries: 0 });
  const app = createApp(config, { logger, registry, kafka, ...(opensearch === undefined ? {} : { opensearch }) });
  await app.start();
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing the in-flight batch, draining sinks');
    const hardExit = setTimeout(() => { logger.error('shutdown deadline passed; exiting'); process.exit(1); }, config.shutdownTimeoutMs + 10_000);
    hardExit.unref();
    await app.stop();
    await opensearch?.close().catch(() => undefined);
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  const code = isAppError(error) ? error.code : 'AUDITGATE_E_INTERNAL';
  process.stderr.write(`auditgate detector failed to start [${code}]: ${(error as Error).message}\n`);
  process.exit(1);
});
