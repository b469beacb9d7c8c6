import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createKafka, createLogger, createMetricsRegistry, RenewableProducer, type Env } from '@auditgate/shared';
import { readKubeCredentials, readStackEnv, uniqueName, kubectl } from '@auditgate/shared/testing';
import { createApp, type ProxyApp } from '../../../../services/proxy/src/app.js';
import { loadConfig } from '../../../../services/proxy/src/config/load-config.js';
import { createKubeconfigCredentials } from '../../../../services/proxy/src/upstream/index.js';

/** A proxy running in this process against the real stack, and what tests need to talk through it. */
export interface ProxyHarness {
  readonly app: ProxyApp;
  readonly httpsPort: number;
  readonly opsPort: number;
  readonly dir: string;
  /** Writes a kubeconfig for `token` that points at this proxy; returns its path. */
  kubeconfigFor(token: string): string;
  stop(): Promise<void>;
}

/** Permissive test policy: allow, audit at RequestResponse; tests pass their own YAML to change it. */
export const OPEN_POLICY = `apiVersion: auditgate.dev/v1
kind: GatewayPolicy
defaultAction: allow
rules: []
auditLevels:
  - level: RequestResponse
`;

/** Starts a proxy on ephemeral ports with the stack's cluster (or `env.PROXY_UPSTREAM_KUBECONFIG`'s) as upstream and its SA issuer trusted. */
export async function startProxy(options: { policy?: string; env?: Env } = {}): Promise<ProxyHarness> {
  const stack = readStackEnv(process.env);
  const dir = mkdtempSync(join(tmpdir(), 'auditgate-proxy-test-'));
  const policyFile = join(dir, 'policy.yaml');
  writeFileSync(policyFile, options.policy ?? OPEN_POLICY);
  const config = loadConfig({
    PROXY_SA_ISSUER_URL: stack.kubeApiserverUrl,
    PROXY_SA_ISSUER_CA_FILE: `${stack.kubeState}/pki/ca.crt`,
    PROXY_UPSTREAM_KUBECONFIG: `${stack.kubeState}/gateway-upstream.kubeconfig`,
    PROXY_POLICY_FILE: policyFile,
    PROXY_MASKING_KEY: randomBytes(32).toString('hex'),
    PROXY_HTTP_PORT: '-1', PROXY_HTTPS_PORT: '0', PROXY_OPS_PORT: '0',
    PROXY_TLS_CERT_FILE: '', PROXY_SPOOL_DIR: join(dir, 'spool'),
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    LOG_LEVEL: 'warn',
    PROXY_SHUTDOWN_TIMEOUT_MS: '3000',
    ...options.env,
  });
  const logger = createLogger({ name: 'proxy-test', level: config.logLevel });
  const upstream = await createKubeconfigCredentials({ kubeconfigPath: options.env?.['PROXY_UPSTREAM_KUBECONFIG'] ?? `${stack.kubeState}/gateway-upstream.kubeconfig` });
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: uniqueName('proxy-test'), logger, retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 } });
  const producer = new RenewableProducer(() => kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false }), logger.child({ component: 'kafka-producer' }));
  await producer.connect();
  const app = createApp(config, { logger, registry: createMetricsRegistry('proxy'), upstream, producer });
  const addresses = await app.start();
  return {
    app, dir, httpsPort: addresses.https!, opsPort: addresses.ops!,
    kubeconfigFor(token: string): string {
      const path = join(dir, `${uniqueName('kubeconfig')}.yaml`);
      writeFileSync(path, [
        'apiVersion: v1', 'kind: Config',
        `clusters: [{name: gw, cluster: {server: "https://127.0.0.1:${addresses.https}", insecure-skip-tls-verify: true}}]`,
        `users: [{name: agent, user: {token: "${token}"}}]`,
        'contexts: [{name: gw, context: {cluster: gw, user: agent}}]', 'current-context: gw', '',
      ].join('\n'), { mode: 0o600 });
      return path;
    },
    async stop() {
      await app.stop();
      await producer.disconnect().catch(() => undefined);
      await upstream.close();
    },
  };
}

/** Creates a namespace and a service account in the real cluster and mints its token for audience `auditgate`. */
export async function createAgent(prefix: string): Promise<{ namespace: string; name: string; username: string; token: string }> {
  const stack = readStackEnv(process.env);
  const creds = readKubeCredentials(stack);
  const namespace = uniqueName(prefix);
  await kubectl(stack, creds.adminKubeconfig, ['create', 'namespace', namespace]);
  await kubectl(stack, creds.adminKubeconfig, ['-n', namespace, 'create', 'serviceaccount', 'agent']);
  const token = (await kubectl(stack, creds.adminKubeconfig, ['-n', namespace, 'create', 'token', 'agent', '--audience', 'auditgate', '--duration', '1h'])).trim();
  return { namespace, name: 'agent', username: `system:serviceaccount:${namespace}:agent`, token };
}
