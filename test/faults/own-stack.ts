/**
 * The fault suite's own Kafka and OpenSearch: the project's stack scripts (test/stack/kafka.sh, opensearch.sh) from the
 * cached installs, on free loopback ports with a state folder of their own, so stopping them disturbs no one. Kafka
 * advertises a relay in front of it (see kafka-relay.ts), so every client goes through the relay. Stopped by the pid
 * their scripts recorded.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../bench/free-port.js';
import { killOnExit, release } from './exit-guard.js';
import { startKafkaRelay, type KafkaRelay } from './kafka-relay.js';

const run = promisify(execFile);
const STACK = new URL('../stack/', import.meta.url).pathname;

/** One component of the own stack, driven by its stack script. */
export interface OwnComponent {
  /** Starts it (idempotent) and waits until it is healthy. */
  up(): Promise<void>;
  /** Stops it by its recorded pid (SIGTERM, SIGKILL after 15 s). */
  down(): Promise<void>;
  /** The pid recorded by the script, if it runs. */
  pid(): number | undefined;
}

/** The suite's own Kafka (behind its relay) and OpenSearch. */
export interface OwnStack {
  readonly dir: string;
  /** Where clients connect: the relay. */
  readonly kafkaBrokers: string[];
  readonly relay: KafkaRelay;
  readonly kafka: OwnComponent;
  readonly opensearchUrl: string;
  readonly opensearch: OwnComponent;
  /** Stops both by pid, closes the relay, removes the state folder. */
  stop(): Promise<void>;
}

function component(name: 'kafka' | 'opensearch', env: NodeJS.ProcessEnv, state: string, timeoutMs: number): OwnComponent {
  const script = (action: string) => run('bash', ['-c', `source "${STACK}${name}.sh" && ${name}_${action}`], { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  const pid = (): number | undefined => {
    try { return Number(readFileSync(join(state, `${name}.pid`), 'utf8').split(' ')[0]) || undefined; } catch { return undefined; }
  };
  return {
    async up() {
      await script('up');
      const p = pid();
      if (p !== undefined) killOnExit(p);
    },
    async down() {
      const p = pid();
      await script('down');
      if (p !== undefined) release(p);
    },
    pid,
  };
}

/**
 * Starts the own Kafka and OpenSearch (in parallel) under `root` (a folder OpenSearch's system user can traverse);
 * `opensearch: false` starts Kafka alone.
 */
export async function startOwnStack(root: string, options: { opensearch?: boolean } = {}): Promise<OwnStack> {
  const dir = join(root, `own-stack-${process.pid}`);
  const state = join(dir, 'state');
  mkdirSync(state, { recursive: true });
  const [kafkaPort, controllerPort, relayPort, osPort, transportPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const relay = await startKafkaRelay(relayPort, kafkaPort);
  const base = { ...process.env, AUDITGATE_STATE: state };
  const kafka = component('kafka', {
    ...base, KAFKA_PORT: String(kafkaPort), KAFKA_CONTROLLER_PORT: String(controllerPort), KAFKA_STATE: join(state, 'kafka'),
    KAFKA_EXTRA_PROPERTIES: `advertised.listeners=PLAINTEXT://127.0.0.1:${relay.port}`,
  }, state, 240_000);
  const opensearch = component('opensearch', {
    ...base, OPENSEARCH_PORT: String(osPort), OPENSEARCH_TRANSPORT_PORT: String(transportPort), OPENSEARCH_CLUSTER_NAME: `auditgate-faults-${process.pid}`,
    OPENSEARCH_DATA: join(dir, 'opensearch-data'), OPENSEARCH_LOGS_DIR: join(dir, 'opensearch-logs'),
    // Its own GC log (the shared runtime's jvm.options would write the other node's logs/gc.log).
    OPENSEARCH_JAVA_OPTS: `-Xms768m -Xmx768m -Xlog:disable -Xlog:all=warning:stderr -Xlog:gc:file=${join(dir, 'opensearch-logs', 'gc.log')}`,
  }, state, 300_000);
  const own: OwnStack = {
    dir, relay, kafka, opensearch,
    kafkaBrokers: [`127.0.0.1:${relay.port}`],
    opensearchUrl: `http://127.0.0.1:${osPort}`,
    async stop() {
      await Promise.allSettled([kafka.down(), opensearch.down()]);
      await relay.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all([kafka.up(), options.opensearch === false ? Promise.resolve() : opensearch.up()]);
  } catch (error) {
    await own.stop();
    throw error;
  }
  return own;
}
