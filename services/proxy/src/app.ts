import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { createSecretKey, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Kafka } from 'kafkajs';
import { CURRENT_SCHEMA_VERSION, createOpsApp, type Logger, type Registry, type SendingProducer } from '@auditgate/shared';
import type { AuditSink } from './audit/audit-sink.js';
import { BatchingProducer } from './audit/batching-producer.js';
import { KafkaAuditSink } from './audit/kafka-audit-sink.js';
import { Spool } from './audit/spool.js';
import { SpoolStats } from './audit/spool-stats.js';
import { createCachedTokenVerifier, createTokenVerifier } from './auth/index.js';
import { createCallerVerifier } from './auth/create-caller-verifier.js';
import type { ProxyConfig } from './config/proxy-config.js';
import type { ExchangeDeps } from './forward/exchange-deps.js';
import { createExchangeHandler } from './forward/exchange-handler.js';
import { createUpstreamClient } from './upstream/upstream-client.js';
import { acceptsUpgrade } from './forward/upgrade-routing.js';
import { createUpgradeHandler } from './forward/upgrade-handler.js';
import { requireUpgradeCallback } from './forward/require-upgrade-callback.js';
import { createClientErrorHandler } from './forward/client-error-handler.js';
import { createConnectHandler } from './forward/connect-handler.js';
import { BufferBudget } from './forward/buffer-budget.js';
import { createProxyMetrics } from './metrics/proxy-metrics.js';
import { registerSpoolMetrics } from './metrics/spool-metrics.js';
import { createSelfSignedCert } from './tls/self-signed-cert.js';
import { createRateLimiter, watchPolicyFile } from './policy/index.js';
import type { UpstreamCredentials } from './upstream/index.js';
import { createMasker } from './masking/index.js';
import { decodeKubernetesProtobuf } from './protobuf/index.js';
import { createEvidence, type Evidence } from './evidence/evidence.js';
import { createMcpGate } from './mcp/create-mcp-gate.js';

/** Memory all masked or converted answers may hold at once (each is also capped on its own). */
const BUFFERED_ANSWERS_BYTES = 256 * 1024 * 1024;

/** What `createApp` needs from the outside world; `main.ts` builds the real ones, tests may pass their own. */
export interface ProxyDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  readonly upstream: UpstreamCredentials;
  /** A connected kafkajs producer (idempotent); undefined only when auditing is off. */
  readonly producer: SendingProducer | undefined;
  /** Kafka client for reading the previous chain stream's head back at start (the spool alone without it). */
  readonly kafka?: Kafka;
  readonly now?: () => number;
  readonly newId?: () => string;
}

/** A running proxy's addresses. */
export interface ProxyAddresses { http?: number; https?: number; ops?: number }

/** The proxy service: `start()` listens, `stop()` drains and closes (safe to call twice). */
export interface ProxyApp {
  start(): Promise<ProxyAddresses>;
  stop(): Promise<void>;
  /** Last resort for an error nothing else caught: logged and counted (each one is a bug), never how errors are handled. */
  onUnhandledError(where: string, error: unknown): void;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server | undefined): Promise<void> {
  if (server === undefined || !server.listening) return Promise.resolve();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Wires the proxy from its validated config and dependencies. */
export function createApp(config: ProxyConfig, deps: ProxyDeps): ProxyApp {
  // Without it Node ignores the servers' shouldUpgradeCallback silently, and any request could take the upgrade path.
  requireUpgradeCallback();
  const now = deps.now ?? Date.now;
  const log = deps.logger;
  const metrics = createProxyMetrics(deps.registry);
  const policyWatcher = watchPolicyFile(config.policyFile, {
    onChange: (_policy, hash) => log.info({ bundleHash: hash }, 'policy reloaded'),
    onError: (error) => log.error({ code: error.code, err: error.message }, 'policy change rejected; the previous policy stays in force'),
    logger: log.child({ component: 'policy' }),
    now,
  });
  let sink: AuditSink | undefined;
  let kafkaSink: KafkaAuditSink | undefined;
  let evidence: Evidence | undefined;
  if (config.auditEnabled) {
    if (deps.producer === undefined) throw new Error('auditing needs a Kafka producer');
    const spool = config.kafka.outageMode === 'spool' ? new Spool(config.kafka.spoolDir) : undefined;
    if (spool !== undefined) registerSpoolMetrics(deps.registry, new SpoolStats(spool, now));
    evidence = !config.chain.enabled ? undefined : createEvidence({
      config: config.chain, instance: config.instance, eventsTopic: config.kafka.topic, producer: deps.producer,
      logger: log.child({ component: 'evidence' }), registry: deps.registry, now,
      ...(deps.kafka === undefined ? {} : { kafka: deps.kafka }), ...(spool === undefined ? {} : { spool }),
    });
    const batching = new BatchingProducer({
      producer: deps.producer, topic: config.kafka.topic, lingerMs: config.kafka.lingerMs, deferMs: config.kafka.deferMs, now,
      maxBatchMessages: config.kafka.maxBatchMessages, ackTimeoutMs: config.kafka.ackTimeoutMs,
      onBatch: (messages) => metrics.kafkaBatchMessages.observe(messages),
    });
    kafkaSink = new KafkaAuditSink({
      producer: batching, mode: config.kafka.outageMode, logger: log.child({ component: 'audit' }),
      ...(spool === undefined ? {} : { spool }),
      ...(evidence === undefined ? {} : { chain: evidence.chain }),
      onSpool: (event, count) => metrics.spool.inc({ event }, count),
      now,
    });
    sink = kafkaSink;
  } else {
    log.warn('AUDITING IS OFF (PROXY_AUDIT_ENABLED=false): requests are forwarded without audit records');
  }
  let closing = false;
  const newId = deps.newId ?? randomUUID;
  const unhandled = (where: string, error: unknown): void => {
    metrics.unhandledErrors.inc({ where });
    log.error({ where, err: (error as Error)?.message ?? String(error), stack: (error as Error)?.stack }, 'unhandled error reached the last-resort handler');
  };
  // The MCP endpoint (/mcp/<server>) shares the audit sink, the hash chain and the policy file with the Kubernetes path.
  const mcp = config.mcp === undefined ? undefined : createMcpGate(config.mcp, {
    sink, policy: () => policyWatcher.current(), maskingKey: config.maskingKey, registry: deps.registry, logger: log, now, newId,
    facts: { instance: config.instance, version: config.version, cluster: config.cluster, schemaVersion: CURRENT_SCHEMA_VERSION },
    closing: () => closing, onError: (error) => unhandled('mcp', error), upstream: deps.upstream,
  });
  const callerVerifier = createCallerVerifier(config, { upstream: deps.upstream, now, logger: log.child({ component: 'auth' }) });
  const exchangeDeps: ExchangeDeps = {
    logger: log.child({ component: 'exchange' }),
    facts: {
      instance: config.instance, version: config.version, cluster: config.cluster, schemaVersion: CURRENT_SCHEMA_VERSION,
      upstream: () => ({ ...deps.upstream.describe(), impersonated: config.impersonate }),
    },
    // Delegated tokens (one MCP tool call's, signed by this gateway) are verified beside the callers' own tokens.
    verifier: mcp === undefined ? callerVerifier : mcp.kubernetesVerifier(callerVerifier),
    onBehalfOfVerifier: config.onBehalfOfIssuer === undefined ? undefined
      : createCachedTokenVerifier(createTokenVerifier({ issuers: [config.onBehalfOfIssuer], now, logger: log.child({ component: 'auth-obo' }) }), { now }),
    policy: () => policyWatcher.current().evaluator,
    rateLimiter: createRateLimiter({ now }),
    masker: createMasker(config.maskingKey),
    decodeProtobuf: (body) => decodeKubernetesProtobuf(body),
    upstream: deps.upstream,
    sink,
    metrics,
    now,
    newId,
    impersonate: config.impersonate,
    maxRequestBodyBytes: config.maxRequestBodyBytes,
    maxRecordedBodyBytes: config.maxRecordedBodyBytes,
    digestKey: createSecretKey(config.maskingKey),
    openExchanges: new WeakMap(),
    bufferBudget: new BufferBudget(BUFFERED_ANSWERS_BYTES),
    closing: () => closing,
  };
  const client = createUpstreamClient(exchangeDeps, { http2StreamsPerConnection: config.upstreamHttp2Streams });
  const onKubernetesRequest = createExchangeHandler(exchangeDeps, client);
  const onRequest: typeof onKubernetesRequest = mcp === undefined ? onKubernetesRequest
    : (req, res) => { if (!mcp.handle(req, res)) onKubernetesRequest(req, res); };
  const onUpgrade = createUpgradeHandler(exchangeDeps, client);
  const onClientError = createClientErrorHandler(exchangeDeps);
  const onConnect = createConnectHandler(exchangeDeps);
  const servers: Server[] = [];
  let ops: Server | undefined;
  let stopped: Promise<void> | undefined;

  return {
    onUnhandledError: unhandled,
    async start() {
      await evidence?.start();
      await kafkaSink?.start();
      const addresses: ProxyAddresses = {};
      const { host, httpPort, httpsPort, opsPort, tlsCertFile, tlsKeyFile } = config.listen;
      if (httpPort >= 0) {
        const server = createHttpServer({ shouldUpgradeCallback: acceptsUpgrade, requireHostHeader: false, requestTimeout: 120_000, headersTimeout: 30_000, keepAliveTimeout: 65_000, maxHeaderSize: 32 * 1024 }, onRequest);
        server.on('upgrade', onUpgrade);
        server.on('connect', onConnect);
        server.on('clientError', onClientError);
        servers.push(server);
        addresses.http = await listen(server, httpPort, host);
      }
      if (httpsPort >= 0) {
        const tls = tlsCertFile !== undefined && tlsKeyFile !== undefined
          ? { cert: readFileSync(tlsCertFile), key: readFileSync(tlsKeyFile) }
          : createSelfSignedCert(['localhost', '127.0.0.1', host]);
        const server = createHttpsServer({ ...tls, shouldUpgradeCallback: acceptsUpgrade, requireHostHeader: false, requestTimeout: 120_000, headersTimeout: 30_000, keepAliveTimeout: 65_000, maxHeaderSize: 32 * 1024 }, onRequest);
        server.on('upgrade', onUpgrade);
        server.on('connect', onConnect);
        server.on('clientError', onClientError);
        servers.push(server as unknown as Server);
        addresses.https = await listen(server as unknown as Server, httpsPort, host);
      }
      const opsApp = createOpsApp(deps.registry, {
        notReady: () => [
          ...(closing ? ['shutting down'] : []),
          ...(sink !== undefined && !sink.healthy() ? ['audit log (Kafka) unavailable in fail-closed mode'] : []),
        ],
      });
      // The public keys of this gateway's checkpoint signatures, for verifiers.
      opsApp.get('/.well-known/jwks.json', (_req, res) => { res.json(evidence?.jwks() ?? { keys: [] }); });
      ops = createHttpServer(opsApp);
      addresses.ops = await listen(ops, opsPort, host);
      log.info({ addresses, upstream: deps.upstream.describe(), audit: config.auditEnabled, outageMode: config.kafka.outageMode }, 'proxy listening');
      return addresses;
    },
    stop() {
      stopped ??= (async () => {
        closing = true;
        const deadline = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownTimeoutMs).unref());
        const drained = Promise.all(servers.map((s) => { s.closeIdleConnections(); return close(s); }));
        await Promise.race([drained, deadline]);
        for (const s of servers) s.closeAllConnections();
        const steps: Array<[string, () => Promise<void>]> = [
          ['audit sink', async () => { await sink?.close(); }],
          ['final checkpoint', async () => { await evidence?.close(); }],
          ['policy watcher', async () => { policyWatcher.close(); }],
          ['token verifiers', async () => { await exchangeDeps.verifier.close(); await exchangeDeps.onBehalfOfVerifier?.close(); }],
          ['MCP endpoint', async () => { await mcp?.close(); }],
          ['upstream connections', async () => { client.close(); }],
          ['ops server', () => close(ops)],
        ];
        for (const [name, step] of steps) {
          try { await step(); } catch (error) { log.error({ step: name, err: (error as Error).message }, 'shutdown step failed'); }
        }
      })();
      return stopped;
    },
  };
}
