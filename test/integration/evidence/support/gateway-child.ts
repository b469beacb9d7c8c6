import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { readStackEnv } from '@auditgate/shared/testing';
import { spawnOwned, waitUntil, type OwnedProcess } from '../../../bench/child-process.js';
import { OPEN_POLICY } from '../../proxy/support/proxy-harness.js';
import type { EvidenceNames } from './evidence-harness.js';

const stack = readStackEnv(process.env);

/** A free TCP port on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A gateway running as its own process (`services/proxy/src/main.ts`), so it can be killed without a word. */
export interface GatewayChild {
  readonly httpsPort: number;
  readonly opsPort: number;
  readonly process: OwnedProcess;
  kubeconfigFor(token: string): string;
  jwks(): Promise<JSONWebKeySet>;
  /** SIGKILL: no shutdown, no final checkpoint; resolves once the process is gone. */
  kill(): Promise<void>;
}

/** Starts a gateway process for `names` (instance `instance`); `env` overrides; waits for its /readyz. */
export async function startGatewayChild(names: EvidenceNames, options: { instance: string; dir: string; env?: Record<string, string> }): Promise<GatewayChild> {
  const [httpsPort, opsPort] = [await freePort(), await freePort()];
  const policyFile = join(options.dir, 'policy.yaml');
  writeFileSync(policyFile, OPEN_POLICY);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/root',
    NODE_EXTRA_CA_CERTS: `${stack.kubeState}/pki/ca.crt`, KAFKAJS_NO_PARTITIONER_WARNING: '1',
    PROXY_INSTANCE: options.instance,
    PROXY_UPSTREAM_KUBECONFIG: `${stack.kubeState}/gateway-upstream.kubeconfig`,
    PROXY_SA_ISSUER_URL: stack.kubeApiserverUrl, PROXY_SA_ISSUER_CA_FILE: `${stack.kubeState}/pki/ca.crt`,
    PROXY_POLICY_FILE: policyFile, PROXY_MASKING_KEY: randomBytes(32).toString('hex'),
    PROXY_HTTP_PORT: '-1', PROXY_HTTPS_PORT: String(httpsPort), PROXY_OPS_PORT: String(opsPort),
    PROXY_SPOOL_DIR: join(options.dir, 'spool'), KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    PROXY_EVENTS_TOPIC: names.eventsTopic, PROXY_CHECKPOINTS_TOPIC: names.checkpointsTopic,
    LOG_LEVEL: 'warn', PROXY_SHUTDOWN_TIMEOUT_MS: '2000',
    ...options.env,
  };
  const child = spawnOwned(process.execPath, ['--import', 'tsx', 'services/proxy/src/main.ts'], { env, cwd: process.cwd(), logFile: join(options.dir, 'gateway.log') });
  const ready = async (): Promise<boolean> => (await fetch(`http://127.0.0.1:${opsPort}/readyz`, { signal: AbortSignal.timeout(2000) })).status === 200;
  try {
    await waitUntil('gateway process', child, ready, 90_000);
  } catch (error) {
    await child.stop(1000);
    throw error;
  }
  return {
    httpsPort, opsPort, process: child,
    kubeconfigFor(token) {
      const path = join(options.dir, `kubeconfig-${randomBytes(4).toString('hex')}.yaml`);
      writeFileSync(path, [
        'apiVersion: v1', 'kind: Config',
        `clusters: [{name: gw, cluster: {server: "https://127.0.0.1:${httpsPort}", insecure-skip-tls-verify: true}}]`,
        `users: [{name: agent, user: {token: "${token}"}}]`,
        'contexts: [{name: gw, context: {cluster: gw, user: agent}}]', 'current-context: gw', '',
      ].join('\n'), { mode: 0o600 });
      return path;
    },
    async jwks() {
      return (await (await fetch(`http://127.0.0.1:${opsPort}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
    },
    async kill() {
      if (!child.exited()) process.kill(child.pid, 'SIGKILL');
      await child.stop(1000);
    },
  };
}
