/**
 * The three services of one fault row, each its own process on the row's topics, groups and indices, with fixed ports
 * so a restarted process takes its predecessor's place (the proxy's HTTPS port is where the traffic goes).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StackEnv } from '@auditgate/shared/testing';
import { freePort } from '../bench/free-port.js';
import { BENCH_POLICY } from '../bench/proxy-process.js';
import type { RowNames } from './row-names.js';
import { startService, type ServiceName, type ServiceProcess } from './service-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Options of {@link RowServices}. */
export interface RowServicesOptions {
  readonly names: RowNames;
  readonly stack: StackEnv;
  readonly kafkaBrokers: readonly string[];
  readonly opensearchUrl: string;
  /** Where the indexer reaches OpenSearch, when not `opensearchUrl` (a relay that watches its bulks). */
  readonly indexerOpensearchUrl?: string;
  readonly dir: string;
  readonly outageMode: 'fail-closed' | 'spool';
  readonly webhookUrl: string;
  readonly rulesDir: string;
}

/** The row's proxy, indexer and detector; `restart` replaces one after a SIGKILL. */
export class RowServices {
  readonly spoolDir: string;
  private readonly current = new Map<ServiceName, ServiceProcess>();
  private readonly envs = new Map<ServiceName, Record<string, string>>();
  private readonly ports = new Map<ServiceName, number>();
  /** Every process started, for the report and the stop at the end. */
  readonly started: ServiceProcess[] = [];
  proxyPort = 0;

  constructor(private readonly o: RowServicesOptions) {
    this.spoolDir = join(o.dir, 'spool');
  }

  /** The running process of `name`. */
  get(name: ServiceName): ServiceProcess {
    const p = this.current.get(name);
    if (p === undefined) throw new Error(`${name} is not running`);
    return p;
  }

  /** Picks ports, writes the env of each service, starts all three. */
  async start(): Promise<void> {
    const { names, stack } = this.o;
    const [https, proxyOps, indexerOps, detectorOps] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    this.proxyPort = https;
    const ca = `${stack.kubeState}/pki/ca.crt`;
    const policy = join(this.o.dir, 'policy.yaml');
    writeFileSync(policy, BENCH_POLICY);
    const common = { KAFKA_BROKERS: this.o.kafkaBrokers.join(','), LOG_LEVEL: 'info', NODE_EXTRA_CA_CERTS: ca };
    this.ports.set('proxy', proxyOps).set('indexer', indexerOps).set('detector', detectorOps);
    this.envs.set('proxy', {
      ...common, PROXY_INSTANCE: names.base, PROXY_HTTP_PORT: '-1', PROXY_HTTPS_PORT: String(https), PROXY_OPS_PORT: String(proxyOps),
      PROXY_SA_ISSUER_URL: stack.kubeApiserverUrl, PROXY_SA_ISSUER_CA_FILE: ca,
      PROXY_UPSTREAM_KUBECONFIG: `${stack.kubeState}/gateway-upstream.kubeconfig`, PROXY_POLICY_FILE: policy,
      PROXY_MASKING_KEY: randomBytes(32).toString('hex'), PROXY_KAFKA_OUTAGE_MODE: this.o.outageMode, PROXY_SPOOL_DIR: this.spoolDir,
      PROXY_EVENTS_TOPIC: names.events, PROXY_CHECKPOINTS_TOPIC: names.checkpoints, PROXY_KAFKA_ACK_TIMEOUT_MS: '5000',
      PROXY_SHUTDOWN_TIMEOUT_MS: '10000',
    });
    this.envs.set('indexer', {
      ...common, OPENSEARCH_URL: this.o.indexerOpensearchUrl ?? this.o.opensearchUrl, INDEXER_OPS_PORT: String(indexerOps),
      INDEXER_EVENTS_TOPIC: names.events, INDEXER_DLQ_TOPIC: names.eventsDlq, INDEXER_GROUP_ID: names.indexerGroup,
      INDEXER_INDEX_PREFIX: names.eventsIndex, INDEXER_CHECKPOINTS_TOPIC: names.checkpoints, INDEXER_CHECKPOINTS_INDEX: names.checkpointsIndex,
      INDEXER_INDEX_REPLICAS: '0', INDEXER_REFRESH_INTERVAL: '1s', INDEXER_SESSION_TIMEOUT_MS: '6000', INDEXER_SHUTDOWN_TIMEOUT_MS: '10000',
      INDEXER_FLUSH_INTERVAL_MS: '1000',
    });
    this.envs.set('detector', {
      ...common, OPENSEARCH_URL: this.o.opensearchUrl, DETECTOR_OPS_PORT: String(detectorOps),
      DETECTOR_EVENTS_TOPIC: names.events, DETECTOR_ALERTS_TOPIC: names.alerts, DETECTOR_ALERTS_DLQ_TOPIC: names.alertsDlq,
      DETECTOR_GROUP_ID: names.detectorGroup, DETECTOR_ALERTS_INDEX_PREFIX: names.alertsIndex, DETECTOR_SESSION_TIMEOUT_MS: '6000',
      DETECTOR_BUILTIN_RULES: 'false', DETECTOR_RULES_DIRS: this.o.rulesDir,
      DETECTOR_WEBHOOK_URL: this.o.webhookUrl, DETECTOR_WEBHOOK_SECRET: randomBytes(16).toString('hex'), DETECTOR_WEBHOOK_MIN_SEVERITY: 'info',
      DETECTOR_SINK_MAX_ATTEMPTS: '100', DETECTOR_SINK_BACKOFF_MS: '200', DETECTOR_SINK_MAX_BACKOFF_MS: '2000', DETECTOR_SHUTDOWN_TIMEOUT_MS: '10000',
      DETECTOR_QUERY_URL: 'http://127.0.0.1:1',
    });
    await Promise.all((['indexer', 'detector', 'proxy'] as const).map((n) => this.launch(n)));
  }

  /** Starts (again) `name` with its env and ports, once the previous process is gone. */
  async launch(name: ServiceName): Promise<ServiceProcess> {
    const proc = await startService(name, this.envs.get(name)!, this.ports.get(name)!, join(this.o.dir, `${name}.log`));
    this.current.set(name, proc);
    this.started.push(proc);
    return proc;
  }

  /** SIGKILLs `name` and starts a new process in its place; returns when the new one is ready. */
  async killAndRestart(name: ServiceName, between?: () => Promise<void>): Promise<{ killedAt: number; readyAt: number }> {
    await this.get(name).kill();
    const killedAt = Date.now();
    await between?.();
    await this.launch(name);
    return { killedAt, readyAt: Date.now() };
  }

  /** Stops every process still running (SIGTERM, SIGKILL after the grace period). */
  async stop(): Promise<void> {
    await Promise.all(this.started.map((p) => p.stop()));
  }

  /** The service's log file. */
  logFile(name: ServiceName): string { return join(this.o.dir, `${name}.log`); }

  /** Root of the repository (where the services run from). */
  static get root(): string { return ROOT; }
}
