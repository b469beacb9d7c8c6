/** Wiring of the proxy process: env → config → dependencies → app → start; SIGTERM/SIGINT → graceful stop. */
import { readFileSync } from 'node:fs';
import { cachingKeyPartitioner, createKafka, createLogger, createMetricsRegistry, RenewableProducer, runService } from '@auditgate/shared';
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

runService('proxy', {
  env: process.env,
  loadConfig,
  async start(config) {
    const logger = createLogger({ name: 'proxy', level: config.logLevel });
    const registry = createMetricsRegistry('proxy');
    const upstream = await createUpstreamCredentials(upstreamOptions(config));
    let producer: RenewableProducer | undefined;
    let kafka: ReturnType<typeof createKafka> | undefined;
    if (config.auditEnabled) {
      const client = createKafka({ brokers: config.kafka.brokers, clientId: `auditgate-proxy-${config.instance}`, logger });
      kafka = client;
      // Events are keyed by actor: the partition of each key is computed once (kafkajs's default, remembered).
      const createPartitioner = cachingKeyPartitioner();
      producer = new RenewableProducer(() => client.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false, createPartitioner }), logger.child({ component: 'kafka-producer' }));
      try {
        await producer.connect();
      } catch (error) {
        if (config.kafka.outageMode === 'fail-closed') throw error;
        logger.warn({ err: (error as Error).message }, 'Kafka unreachable at start; spooling until it returns');
      }
    }
    const app = createApp(config, { logger, registry, upstream, producer, ...(kafka === undefined ? {} : { kafka }) });
    process.on('uncaughtException', (error) => app.onUnhandledError('uncaught-exception', error));
    process.on('unhandledRejection', (error) => app.onUnhandledError('unhandled-rejection', error));
    await app.start();
    return {
      logger,
      async stop() {
        await app.stop();
        await producer?.disconnect().catch((error: unknown) => logger.error({ err: (error as Error).message }, 'Kafka disconnect failed'));
        await upstream.close();
      },
    };
  },
});
