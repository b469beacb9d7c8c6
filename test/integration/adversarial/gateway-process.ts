/** The gateway under test as its own process (as `npm start` runs it), so a crash is observed and counted, then restarted. */
import { randomBytes } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackEnv } from '@auditgate/shared/testing';
import { spawnOwned, waitUntil, type OwnedProcess } from '../../bench/child-process.js';

/** How the gateway is started. */
export interface GatewayOptions {
  readonly root: string;
  readonly dir: string;
  readonly stack: StackEnv;
  readonly httpsPort: number;
  readonly opsPort: number;
  readonly topic: string;
  /** The policy to copy (read from disk now, so today's edits count). */
  readonly policySource: string;
}

/** The running gateway; `restart()` starts a new process on the same ports after a crash. */
export interface GatewayProcess {
  readonly httpsPort: number;
  readonly opsPort: number;
  readonly logFile: string;
  current(): OwnedProcess;
  /** True when the process is alive and /readyz answers 200 within `timeoutMs`. */
  healthy(timeoutMs?: number): Promise<boolean>;
  /**
   * The current process's `auditgate_proxy_unhandled_errors_total` (errors its last-resort handlers swallowed), read
   * from its /metrics; undefined when the metrics cannot be read or do not declare that counter.
   */
  unhandledErrors(): Promise<UnhandledErrors | undefined>;
  restart(): Promise<void>;
  /** The last `lines` lines of its log. */
  logTail(lines: number): string;
  stop(): Promise<void>;
}

/** A scrape of the last-resort counter: its sum over every label set, and each `where` with its count. */
export interface UnhandledErrors {
  readonly total: number;
  readonly byWhere: ReadonlyMap<string, number>;
}

/** Starts the proxy from source with the example policy and waits for its /readyz. */
export async function startGateway(options: GatewayOptions): Promise<GatewayProcess> {
  const policyFile = join(options.dir, 'policy.yaml');
  copyFileSync(options.policySource, policyFile);
  const logFile = join(options.dir, 'gateway.log');
  // One masking key for every restart, so masked values stay comparable across a crash.
  const maskingKey = randomBytes(32).toString('hex');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root',
    NODE_EXTRA_CA_CERTS: `${options.stack.kubeState}/pki/ca.crt`, KAFKAJS_NO_PARTITIONER_WARNING: '1',
    NODE_OPTIONS: '--max-semi-space-size=8',
    PROXY_INSTANCE: 'adversarial',
    PROXY_UPSTREAM_MODE: 'kubeconfig',
    PROXY_UPSTREAM_KUBECONFIG: `${options.stack.kubeState}/gateway-upstream.kubeconfig`,
    PROXY_SA_ISSUER_URL: options.stack.kubeApiserverUrl,
    PROXY_SA_ISSUER_CA_FILE: `${options.stack.kubeState}/pki/ca.crt`,
    PROXY_POLICY_FILE: policyFile,
    PROXY_MASKING_KEY: maskingKey,
    PROXY_HTTP_PORT: '-1', PROXY_HTTPS_PORT: String(options.httpsPort), PROXY_OPS_PORT: String(options.opsPort),
    PROXY_KAFKA_OUTAGE_MODE: 'spool', PROXY_SPOOL_DIR: join(options.dir, 'spool'),
    PROXY_EVENTS_TOPIC: options.topic,
    KAFKA_BROKERS: options.stack.kafkaBrokers.join(','),
    CLUSTER_NAME: 'local',
    LOG_LEVEL: 'warn',
    PROXY_SHUTDOWN_TIMEOUT_MS: '2000',
  };
  const spawn = async (): Promise<OwnedProcess> => {
    const proc = spawnOwned(process.execPath, ['--import', 'tsx', 'services/proxy/src/main.ts'], { env, cwd: options.root, logFile });
    try {
      await waitUntil('gateway', proc, () => readyz(options.opsPort, 2000), 90_000);
    } catch (error) {
      await proc.stop();
      throw error;
    }
    return proc;
  };
  let proc = await spawn();
  return {
    httpsPort: options.httpsPort, opsPort: options.opsPort, logFile,
    current: () => proc,
    async healthy(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!proc.exited()) {
        if (await readyz(options.opsPort, 1000)) return true;
        if (Date.now() > deadline) return false;
        await new Promise((r) => setTimeout(r, 200));
      }
      return false;
    },
    unhandledErrors: () => scrapeUnhandledErrors(options.opsPort, 3000),
    async restart() {
      await proc.stop(2000);
      proc = await spawn();
    },
    logTail(lines) {
      try { return readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n'); } catch { return ''; }
    },
    stop: () => proc.stop(5000),
  };
}

async function readyz(port: number, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

const UNHANDLED = 'auditgate_proxy_unhandled_errors_total';

/** Parses the counter out of a Prometheus text exposition; undefined when the exposition does not declare it. */
export function parseUnhandledErrors(exposition: string): UnhandledErrors | undefined {
  // A labelled counter that was never incremented has only its HELP/TYPE lines: that is 0, while no TYPE line at all
  // means the counter is gone (renamed?), which must not read as "no errors".
  if (!exposition.split('\n').some((l) => l.startsWith(`# TYPE ${UNHANDLED} counter`))) return undefined;
  const byWhere = new Map<string, number>();
  let total = 0;
  for (const line of exposition.split('\n')) {
    const m = /^auditgate_proxy_unhandled_errors_total(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (m === null) continue;
    const value = Number(m[2]);
    if (!Number.isFinite(value)) return undefined;
    const where = /(?:^|,)where="([^"]*)"/.exec(m[1] ?? '')?.[1] ?? '';
    byWhere.set(where, (byWhere.get(where) ?? 0) + value);
    total += value;
  }
  return { total, byWhere };
}

async function scrapeUnhandledErrors(port: number, timeoutMs: number): Promise<UnhandledErrors | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    return res.status === 200 ? parseUnhandledErrors(text) : undefined;
  } catch {
    return undefined;
  }
}
