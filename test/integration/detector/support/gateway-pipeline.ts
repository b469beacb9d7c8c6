import { readFileSync } from 'node:fs';
import type { Kafka } from 'kafkajs';
import { parseDocument } from 'yaml';
import { kubectl, readKubeCredentials, readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';
import type { Alert } from '../../../../services/detector/src/engine/alert.js';
import { startProxy, type ProxyHarness } from '../../proxy/support/proxy-harness.js';
import { detectorEnv, newTestNames, startDetector, startReceiver, testKafka, type Receiver, type TestNames } from './detector-harness.js';

const stack = readStackEnv(process.env);
const creds = readKubeCredentials(stack);
const EXAMPLE_POLICY = new URL('../../../../services/proxy/policy/example-policy.yaml', import.meta.url);
const WEBHOOK_SECRET = 'gateway-pipeline-webhook-secret';

/** Runs kubectl as the cluster admin (setup and cleanup, never through the gateway). */
export const admin = (args: readonly string[], input?: string): Promise<string> => kubectl(stack, creds.adminKubeconfig, args, input);

/**
 * The shipped example policy with `rules` put first (YAML mappings, e.g. a rule that lets one test caller impersonate):
 * the policy the sessions ran under, plus what a test needs.
 */
export function examplePolicyWith(rules: ReadonlyArray<Record<string, unknown>> = []): string {
  const doc = parseDocument(readFileSync(EXAMPLE_POLICY, 'utf8'));
  const existing = doc.get('rules') as { items: unknown[] };
  existing.items.unshift(...rules.map((r) => doc.createNode(r)));
  return doc.toString();
}

/** A service account of the test namespace, with a kubeconfig that reaches the cluster through the gateway. */
export interface Agent {
  readonly name: string;
  readonly username: string;
  readonly kubeconfig: string;
  /** kubectl through the gateway as this agent; rejects when kubectl fails (a refusal included). */
  kubectl(args: readonly string[], input?: string): Promise<string>;
  /** kubectl through the gateway as this agent, resolving either way (a refused attempt is the point). */
  attempt(args: readonly string[], input?: string): Promise<{ ok: boolean; out: string }>;
}

/** Gateway (real kube-apiserver behind it) → Kafka → detector → webhook receiver, each on names of its own. */
export interface GatewayPipeline {
  readonly kafka: Kafka;
  readonly names: TestNames;
  readonly proxy: ProxyHarness;
  readonly hook: Receiver;
  /** The namespace the agents live in (created for the test). */
  readonly namespace: string;
  /** Creates service accounts `names` in the test namespace and mints their gateway tokens. */
  agents<N extends string>(...names: N[]): Promise<Record<N, Agent>>;
  /** Every alert the webhook received for `actor`. */
  alertsOf(actor: string): Alert[];
  /** The rules of every alert the webhook received for `actor`. */
  rulesOf(actor: string): string[];
  /**
   * Proves the detector saw everything `agents` sent before: each sends a permission probe, whose alert (same actor,
   * same partition) comes after the rest, and the webhook's delivery group is caught up. A negative case stands on it.
   */
  settle(...agents: Agent[]): Promise<void>;
  /** Waits until the webhook received an alert of `rule` for `actor`, and returns it. */
  waitAlert(actor: string, rule: string, timeoutMs?: number): Promise<Alert>;
  /** Waits until the webhook's delivery group committed everything on the alerts topic (all produced alerts are posted). */
  waitDelivered(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Options of {@link startGatewayPipeline}. */
export interface PipelineOptions {
  /** The gateway policy (YAML); `examplePolicyWith()` when absent. */
  readonly policy?: (namespace: string) => string;
  /** The webhook sink's routing threshold (`info`: every alert). */
  readonly webhookMinSeverity?: string;
  readonly detectorEnv?: Record<string, string>;
  /** More gateway settings (e.g. `PROXY_IMPERSONATE: 'true'`, so the API server's RBAC judges each caller). */
  readonly proxyEnv?: Record<string, string>;
}

/** Starts a gateway, a detector with a webhook sink and a receiver, on a fresh events topic and namespace. */
export async function startGatewayPipeline(options: PipelineOptions = {}): Promise<GatewayPipeline> {
  const kafka = testKafka();
  const names = await newTestNames(kafka);
  const namespace = uniqueName('det-gw');
  await admin(['create', 'namespace', namespace]);
  const hook = await startReceiver();
  const detector = await startDetector(detectorEnv(names, {
    DETECTOR_WEBHOOK_URL: `${hook.url}/hook`, DETECTOR_WEBHOOK_SECRET: WEBHOOK_SECRET,
    DETECTOR_WEBHOOK_MIN_SEVERITY: options.webhookMinSeverity ?? 'info', ...options.detectorEnv,
  }));
  const proxy = await startProxy({ policy: (options.policy ?? (() => examplePolicyWith()))(namespace), env: { PROXY_EVENTS_TOPIC: names.eventsTopic, ...options.proxyEnv } });
  const alertsOf = (actor: string): Alert[] => hook.received.map((r) => r.body as Alert).filter((a) => a.actor === actor);
  const waitAlert = (actor: string, rule: string, timeoutMs = 60_000): Promise<Alert> =>
    waitFor(`${rule} for ${actor} at the webhook`, async () => alertsOf(actor).find((a) => a.rule === rule), timeoutMs);
  const deliveryGroup = `${names.groupId}-delivery.webhook`;
  const pipeline: GatewayPipeline = {
    kafka, names, proxy, hook, namespace,
    async agents(...agentNames) {
      await admin(['-n', namespace, 'apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: agentNames.map((name) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } })) }));
      const out = {} as Record<(typeof agentNames)[number], Agent>;
      for (const name of agentNames) {
        const token = (await admin(['-n', namespace, 'create', 'token', name, '--audience', 'auditgate', '--duration', '1h'])).trim();
        const kubeconfig = proxy.kubeconfigFor(token);
        const run = (args: readonly string[], input?: string) => kubectl(stack, kubeconfig, args, input);
        out[name] = {
          name, username: `system:serviceaccount:${namespace}:${name}`, kubeconfig, kubectl: run,
          attempt: (args, input) => run(args, input).then((o) => ({ ok: true, out: o }), (e: Error) => ({ ok: false, out: e.message })),
        };
      }
      return out;
    },
    alertsOf,
    rulesOf: (actor) => alertsOf(actor).map((a) => a.rule),
    waitAlert,
    async settle(...agents) {
      for (const agent of agents) await agent.kubectl(['auth', 'can-i', 'get', 'pods']);
      for (const agent of agents) await waitAlert(agent.username, 'PERMISSION_PROBE');
      await pipeline.waitDelivered();
    },
    async waitDelivered(timeoutMs = 60_000) {
      const adminClient = kafka.admin();
      await adminClient.connect();
      try {
        await waitFor(`the webhook delivery group to catch up on ${names.alertsTopic}`, async () => {
          const ends = await adminClient.fetchTopicOffsets(names.alertsTopic);
          const [committed] = await adminClient.fetchOffsets({ groupId: deliveryGroup, topics: [names.alertsTopic] });
          const at = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
          return ends.every((e) => Number(e.high) === 0 || (at.get(e.partition) ?? -1) >= Number(e.high)) ? true : undefined;
        }, timeoutMs, 250);
      } finally {
        await adminClient.disconnect();
      }
    },
    async stop() {
      await proxy.stop().catch(() => undefined);
      await detector.stop().catch(() => undefined);
      await hook.close();
      await admin(['delete', 'namespace', namespace, '--wait=false']).catch(() => undefined);
    },
  };
  return pipeline;
}
