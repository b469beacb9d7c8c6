/** Runs the real proxy (services/proxy/src/main.ts) as its own process, so its RSS and CPU are its own. */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackEnv } from '@auditgate/shared/testing';
import { spawnOwned, waitUntil, type OwnedProcess } from './child-process.js';

/** Allow everything, record everything at RequestResponse, no rate or size limits (the policy defaults are 0 = off). */
export const BENCH_POLICY = `apiVersion: auditgate.dev/v1
kind: GatewayPolicy
defaultAction: allow
limits:
  ratePerActorPerSecond: 0
  maxResponseBytes: 0
  allowClusterWideLists: true
rules: []
auditLevels:
  - level: RequestResponse
`;

/** How one proxy process is started. */
export interface ProxyProcessOptions {
  readonly name: string;
  readonly root: string;
  readonly dir: string;
  readonly stack: StackEnv;
  readonly httpsPort: number;
  readonly opsPort: number;
  readonly auditEnabled: boolean;
  readonly topic: string;
  /** A compiled entry point (see compile-proxy.ts); without it the sources run through tsx. */
  readonly entry?: string;
  /** NODE_OPTIONS for the proxy (the deployment's, see deployed-node-options.ts). */
  readonly nodeOptions?: string;
  /** Extra proxy settings (PROXY_CHAIN_ENABLED=false for the chain's cost, say). */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra node flags before the entry (`--inspect=127.0.0.1:<port>` so the benchmark can force a GC, say). */
  readonly nodeFlags?: readonly string[];
}

/** A running proxy process. */
export interface ProxyProcess extends OwnedProcess {
  readonly url: string;
}

/** Starts the proxy with HTTPS (its own self-signed certificate) and waits for its /readyz. */
export async function startProxyProcess(options: ProxyProcessOptions): Promise<ProxyProcess> {
  const policyFile = join(options.dir, `${options.name}-policy.yaml`);
  writeFileSync(policyFile, BENCH_POLICY);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root',
    NODE_EXTRA_CA_CERTS: `${options.stack.kubeState}/pki/ca.crt`, KAFKAJS_NO_PARTITIONER_WARNING: '1',
    NODE_ENV: 'production',
    ...(options.nodeOptions ? { NODE_OPTIONS: options.nodeOptions } : {}),
    PROXY_INSTANCE: `bench-${options.name}`,
    PROXY_SA_ISSUER_URL: options.stack.kubeApiserverUrl,
    PROXY_SA_ISSUER_CA_FILE: `${options.stack.kubeState}/pki/ca.crt`,
    PROXY_UPSTREAM_KUBECONFIG: `${options.stack.kubeState}/gateway-upstream.kubeconfig`,
    PROXY_POLICY_FILE: policyFile,
    PROXY_MASKING_KEY: randomBytes(32).toString('hex'),
    PROXY_HTTP_PORT: '-1', PROXY_HTTPS_PORT: String(options.httpsPort), PROXY_OPS_PORT: String(options.opsPort),
    PROXY_SPOOL_DIR: join(options.dir, `${options.name}-spool`),
    PROXY_AUDIT_ENABLED: String(options.auditEnabled),
    PROXY_EVENTS_TOPIC: options.topic,
    KAFKA_BROKERS: options.stack.kafkaBrokers.join(','),
    LOG_LEVEL: 'warn',
    PROXY_SHUTDOWN_TIMEOUT_MS: '2000',
    ...options.env,
  };
  // Plain node on the compiled entry, or node --import tsx (not `npx tsx`, which forks a second node): either way the
  // pid we hold is the server itself.
  const program = options.entry === undefined ? ['--import', 'tsx', 'services/proxy/src/main.ts'] : [options.entry];
  const proc = spawnOwned(process.execPath, [...(process.env['BENCH_PROXY_NODE_FLAGS'] ?? '').split(' ').filter(Boolean), ...(options.nodeFlags ?? []), ...program], {
    env, cwd: options.root, logFile: join(options.dir, `${options.name}.log`),
  });
  try {
    await waitUntil(`proxy ${options.name}`, proc, async () => {
      const res = await fetch(`http://127.0.0.1:${options.opsPort}/readyz`, { signal: AbortSignal.timeout(2000) });
      return res.ok;
    }, 60_000);
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return { ...proc, url: `https://127.0.0.1:${options.httpsPort}` };
}
