import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@opensearch-project/opensearch';
import type { Kafka } from 'kafkajs';
import type { JSONWebKeySet } from 'jose';
import { createKafka, createLogger, createMetricsRegistry, ensureTopics, RenewableProducer, type Env, type SendingProducer } from '@auditgate/shared';
import { kubectl, readKubeCredentials, readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';
import { createApp, type ProxyApp } from '../../../../services/proxy/src/app.js';
import { loadConfig } from '../../../../services/proxy/src/config/load-config.js';
import { createKubeconfigCredentials } from '../../../../services/proxy/src/upstream/index.js';
import { indexerEnv, startInProcess } from '../../indexer/support/indexer-harness.js';
import type { IndexerApp } from '../../../../services/indexer/src/app.js';
import { OPEN_POLICY } from '../../proxy/support/proxy-harness.js';
import { loadFromOpenSearch } from '../../../../services/query/src/evidence/opensearch-evidence.js';
import { runVerify } from '../../../../services/query/src/evidence/run-verify.js';
import type { VerifyReport } from '../../../../services/query/src/evidence/verify-types.js';

const stack = readStackEnv(process.env);
const quiet = createLogger({ name: 'evidence-test', level: 'silent' });

/** Unique Kafka topics and OpenSearch indices of one evidence test run. */
export interface EvidenceNames {
  readonly eventsTopic: string;
  readonly checkpointsTopic: string;
  readonly dlqTopic: string;
  readonly indexPrefix: string;
  readonly checkpointsIndex: string;
  readonly groupId: string;
}

/** A Kafka client of the real broker. */
export function evidenceKafka(): Kafka {
  return createKafka({ brokers: stack.kafkaBrokers, clientId: uniqueName('evidence-test'), logger: quiet });
}

/** Creates the topics of a fresh run (events: 3 partitions, keyed by actor as in production; checkpoints: 1). */
export async function newEvidenceNames(kafka: Kafka): Promise<EvidenceNames> {
  const base = uniqueName('evidence');
  const names = {
    eventsTopic: `${base}.events`, checkpointsTopic: `${base}.checkpoints`, dlqTopic: `${base}.dlq`,
    indexPrefix: `${base}-events`, checkpointsIndex: `${base}-checkpoints`, groupId: `${base}-indexer`,
  };
  await ensureTopics(kafka, [
    { topic: names.eventsTopic, numPartitions: 3, configEntries: [] },
    { topic: names.checkpointsTopic, numPartitions: 1, configEntries: [] },
    { topic: names.dlqTopic, numPartitions: 1, configEntries: [] },
  ]);
  return names;
}

/** A PKCS#8 PEM file with a fresh Ed25519 checkpoint key; returns its path. */
export function writeCheckpointKey(dir: string): string {
  const path = join(dir, `${uniqueName('checkpoint-key')}.pem`);
  writeFileSync(path, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  return path;
}

/** A gateway running in this process, its stream chained and checkpointed to the run's topics. */
export interface Gateway {
  readonly app: ProxyApp;
  readonly httpsPort: number;
  readonly opsPort: number;
  readonly dir: string;
  kubeconfigFor(token: string): string;
  /** The gateway's published checkpoint keys. */
  jwks(): Promise<JSONWebKeySet>;
  stop(): Promise<void>;
}

/** Starts a gateway for `names` (instance `instance`, checkpoints every 5 events or 1 s); `env` overrides. */
export async function startGateway(names: EvidenceNames, options: {
  instance: string; dir?: string; env?: Env; policy?: string;
  /** The gateway's upstream credentials (default: the stack's auditgate-gateway user). */
  upstreamKubeconfig?: string;
  /** The Kafka client the gateway's producer is made from (one whose network can be stalled, say). */
  producerKafka?: Kafka;
  /** Wraps the producer the gateway gets (to make some sends fail, say). */
  producer?: (real: SendingProducer) => SendingProducer;
}): Promise<Gateway> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'auditgate-evidence-'));
  const policyFile = join(dir, 'policy.yaml');
  writeFileSync(policyFile, options.policy ?? OPEN_POLICY);
  const config = loadConfig({
    PROXY_SA_ISSUER_URL: stack.kubeApiserverUrl,
    PROXY_SA_ISSUER_CA_FILE: `${stack.kubeState}/pki/ca.crt`,
    PROXY_UPSTREAM_KUBECONFIG: options.upstreamKubeconfig ?? `${stack.kubeState}/gateway-upstream.kubeconfig`,
    PROXY_POLICY_FILE: policyFile,
    PROXY_MASKING_KEY: randomBytes(32).toString('hex'),
    PROXY_HTTP_PORT: '-1', PROXY_HTTPS_PORT: '0', PROXY_OPS_PORT: '0',
    PROXY_SPOOL_DIR: join(dir, 'spool'),
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    LOG_LEVEL: 'warn', PROXY_SHUTDOWN_TIMEOUT_MS: '3000',
    PROXY_INSTANCE: options.instance,
    PROXY_EVENTS_TOPIC: names.eventsTopic, PROXY_CHECKPOINTS_TOPIC: names.checkpointsTopic,
    PROXY_CHECKPOINT_INTERVAL_MS: '1000', PROXY_CHECKPOINT_EVERY_EVENTS: '5',
    ...options.env,
  });
  const logger = createLogger({ name: 'evidence-gateway', level: config.logLevel });
  const upstream = await createKubeconfigCredentials({ kubeconfigPath: options.upstreamKubeconfig ?? `${stack.kubeState}/gateway-upstream.kubeconfig` });
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: uniqueName('evidence-gw'), logger, retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 } });
  const producerKafka = options.producerKafka ?? kafka;
  const producer = new RenewableProducer(() => producerKafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false }), logger.child({ component: 'kafka-producer' }));
  await producer.connect();
  const app = createApp(config, { logger, registry: createMetricsRegistry('proxy'), upstream, producer: options.producer?.(producer) ?? producer, kafka });
  const addresses = await app.start();
  let stopped: Promise<void> | undefined;
  return {
    app, dir, httpsPort: addresses.https!, opsPort: addresses.ops!,
    kubeconfigFor(token) {
      const path = join(dir, `${uniqueName('kubeconfig')}.yaml`);
      writeFileSync(path, [
        'apiVersion: v1', 'kind: Config',
        `clusters: [{name: gw, cluster: {server: "https://127.0.0.1:${addresses.https}", insecure-skip-tls-verify: true}}]`,
        `users: [{name: agent, user: {token: "${token}"}}]`,
        'contexts: [{name: gw, context: {cluster: gw, user: agent}}]', 'current-context: gw', '',
      ].join('\n'), { mode: 0o600 });
      return path;
    },
    async jwks() {
      const res = await fetch(`http://127.0.0.1:${addresses.ops}/.well-known/jwks.json`);
      return (await res.json()) as JSONWebKeySet;
    },
    stop() {
      stopped ??= (async () => {
        await app.stop();
        await producer.disconnect().catch(() => undefined);
        await upstream.close();
      })();
      return stopped;
    },
  };
}

/** An indexer in this process consuming the run's events and checkpoints. */
export async function startEvidenceIndexer(names: EvidenceNames): Promise<IndexerApp> {
  return startInProcess(indexerEnv({ topic: names.eventsTopic, dlqTopic: names.dlqTopic, indexPrefix: names.indexPrefix, groupId: names.groupId }, {
    INDEXER_CHECKPOINTS_TOPIC: names.checkpointsTopic, INDEXER_CHECKPOINTS_INDEX: names.checkpointsIndex,
  }));
}

/** Waits until every exchange of the run is complete in OpenSearch and each stream's final checkpoint is indexed. */
export async function waitForSettled(os: Client, names: EvidenceNames, finalCheckpoints: number, timeoutMs = 60_000): Promise<void> {
  await waitFor(`${finalCheckpoints} final checkpoints and complete exchanges in ${names.indexPrefix}`, async () => {
    await os.indices.refresh({ index: `${names.indexPrefix}-*,${names.checkpointsIndex}-*`, ignore_unavailable: true, allow_no_indices: true });
    const finals = await os.count({ index: names.checkpointsIndex, ignore_unavailable: true, allow_no_indices: true, body: { query: { term: { final: true } } } });
    const open = await os.count({ index: names.indexPrefix, ignore_unavailable: true, allow_no_indices: true, body: { query: { bool: { must_not: { term: { complete: true } } } } } });
    return (finals.body.count as number) >= finalCheckpoints && (open.body.count as number) === 0 ? true : undefined;
  }, timeoutMs, 300);
}

/** Verifies a window of the run from OpenSearch with `jwks`. */
export function verifyIndexed(os: Client, names: Pick<EvidenceNames, 'indexPrefix' | 'checkpointsIndex'>, jwks: JSONWebKeySet, from: number, to: number): Promise<VerifyReport> {
  return runVerify({
    source: 'opensearch', from, to, now: Date.now(), jwks,
    load: () => loadFromOpenSearch({ client: os, eventsIndex: names.indexPrefix, checkpointsIndex: names.checkpointsIndex, from, to, slackMs: 60_000 }),
  });
}

/**
 * A gateway identity of its own in the real cluster (a cluster-admin service account, as the stack's gateway user is),
 * so the API server's log tells this test's gateway apart from any other using the shared stack. Returns its username
 * and an upstream kubeconfig.
 */
export async function dedicatedUpstream(dir: string): Promise<{ username: string; kubeconfig: string; namespace: string }> {
  const creds = readKubeCredentials(stack);
  const namespace = uniqueName('evidence-gw');
  const admin = (args: string[]) => kubectl(stack, creds.adminKubeconfig, args);
  await admin(['create', 'namespace', namespace]);
  await admin(['-n', namespace, 'create', 'serviceaccount', 'gateway']);
  await admin(['create', 'clusterrolebinding', namespace, '--clusterrole=cluster-admin', `--serviceaccount=${namespace}:gateway`]);
  const token = (await admin(['-n', namespace, 'create', 'token', 'gateway', '--duration', '2h'])).trim();
  const kubeconfig = join(dir, `${namespace}.kubeconfig`);
  writeFileSync(kubeconfig, [
    'apiVersion: v1', 'kind: Config',
    `clusters: [{name: cluster, cluster: {server: "${stack.kubeApiserverUrl}", certificate-authority: "${stack.kubeState}/pki/ca.crt"}}]`,
    `users: [{name: ${namespace}, user: {token: "${token}"}}]`,
    `contexts: [{name: gw, context: {cluster: cluster, user: ${namespace}}}]`, 'current-context: gw', '',
  ].join('\n'), { mode: 0o600 });
  return { username: `system:serviceaccount:${namespace}:gateway`, kubeconfig, namespace };
}
