/** Wiring of the proxy process: env → config → dependencies → app → start; SIGTERM/SIGINT → graceful stop. */
import { readFileSync } from 'node:fs';
import type { Producer } from 'kafkajs';
import { createKafka, createLogger, createMetricsRegistry, isAppError } from '@auditgate/shared';
import { createApp } from './app.js';
import { loadConfig } from './config/load-config.js';
import { createUpstreamCredentials, type UpstreamConfig } from './upstream/create-upstream-credentials.js';
import type { ProxyConfig } from './config/proxy-config.js';

function upstreamOptions(config: ProxyConfig): UpstreamConfig {
  const u = config.upstream;
  if (u.mode === 'kubeconfig') return { mode: 'kubeconfig', kubeconfigPath: u.kubeconfigPath, ...(u.context === undefined ? {} : { context: u.context }) };
  if (u.mode === 'in-cluster') return { mode: 'in-cluster', tokenPath: u.tokenPath, caPath: u.caPath, host: u.host, port: u.port };
  return {
    mode: 'eks', clusterName: u.clusterName, region: u.region, roleArn: u.roleArn, server: new URL(u.server),
    ...(u.caFile === undefined ? {} : { ca: readFileSync(u.caFile) }),
    ...(u.stsEndpoint === undefined ? {} : { stsEndpoint: u.stsEndpoint }),
  };
}

async function main(): Promise<void> {
  let config: ProxyConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    process.stderr.write(`auditgate proxy: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const logger = createLogger({ name: 'proxy', level: config.logLevel });
  const registry = createMetricsRegistry('proxy');
  const upstream = await createUpstreamCredentials(upstreamOptions(config));
  let producer: Producer | undefined;
  if (config.auditEnabled) {
    const kafka = createKafka({ brokers: config.kafka.brokers, clientId: `auditgate-proxy-${config.instance}`, logger });
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false });
    try {
      await producer.connect();
    } catch (error) {
      if (config.kafka.outageMode === 'fail-closed') throw error;
      logger.warn({ err: (error as Error).message }, 'Kafka unreachable at start; spooling until it returns');
    }
  }
  const app = createApp(config, { logger, registry, upstream, producer });
  await app.start();
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: draining in-flight requests');
    const hardExit = setTimeout(() => { logger.error('shutdown deadline passed; exiting'); process.exit(1); }, config.shutdownTimeoutMs + 10_000);
    hardExit.unref();
    await app.stop();
    await producer?.disconnect().catch((error: unknown) => logger.error({ err: (error as Error).message }, 'Kafka disconnect failed'));
    await upstream.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  const code = isAppError(error) ? error.code : 'AUDITGATE_E_INTERNAL';
  process.stderr.write(`auditgate proxy failed to start [${code}]: ${(error as Error).message}\n`);
  process.exit(1);
});
