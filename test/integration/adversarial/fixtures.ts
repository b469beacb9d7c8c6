/** The run's objects in the real cluster, made with the admin kubeconfig: namespace, agents, two Secrets with random values. */
import { randomBytes } from 'node:crypto';
import { kubectl, readKubeCredentials, type StackEnv } from '@auditgate/shared/testing';
import type { Targets } from './hostile-case.js';

/** One caller: a service account of the run's namespace with a token for audience `auditgate`. */
export interface Agent {
  readonly username: string;
  readonly token: string;
}

/** What the run created, and how to remove it. */
export interface Fixtures extends Targets {
  readonly agents: readonly Agent[];
  /** Every value of both Secrets, as created (plain text; their base64 is what the API server serves). */
  readonly secretValues: readonly string[];
  /** The username the API server sees for the gateway's own credentials. */
  readonly gatewayUsername: string;
  readonly adminUsername: string;
  remove(): Promise<void>;
}

/** Random printable value; alphanumeric, so no encoding (JSON, YAML, URL) can disguise it. */
function secretValue(): string {
  return randomBytes(36).toString('base64').replace(/[^a-zA-Z0-9]/g, '').slice(0, 40);
}

/** Creates the fixtures; `agentCount` service accounts share the run's namespace. */
export async function createFixtures(stack: StackEnv, tag: string, agentCount: number): Promise<Fixtures> {
  const creds = readKubeCredentials(stack);
  const admin = (args: string[]): Promise<string> => kubectl(stack, creds.adminKubeconfig, args);
  const gatewayUsername = (await kubectl(stack, `${stack.kubeState}/gateway-upstream.kubeconfig`, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).trim();
  const adminUsername = (await admin(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).trim();
  const ns = tag;
  const deniedNs = 'kube-system';
  const maskedSecret = `${tag}-masked`;
  const deniedSecret = `${tag}-denied`;
  const values = Array.from({ length: 6 }, secretValue);
  await admin(['create', 'namespace', ns]);
  await admin(['-n', ns, 'create', 'secret', 'generic', maskedSecret, `--from-literal=password=${values[0]}`, `--from-literal=token=${values[1]}`, `--from-literal=key=${values[2]}`]);
  await admin(['-n', deniedNs, 'create', 'secret', 'generic', deniedSecret, `--from-literal=password=${values[3]}`, `--from-literal=token=${values[4]}`, `--from-literal=key=${values[5]}`]);
  const agents = await Promise.all(Array.from({ length: agentCount }, async (_, i) => {
    const name = `agent-${i}`;
    await admin(['-n', ns, 'create', 'serviceaccount', name]);
    const token = (await admin(['-n', ns, 'create', 'token', name, '--audience', 'auditgate', '--duration', '1h'])).trim();
    return { username: `system:serviceaccount:${ns}:${name}`, token };
  }));
  return {
    tag, ns, deniedNs, maskedSecret, deniedSecret, agents, secretValues: values, gatewayUsername, adminUsername,
    async remove() {
      await admin(['-n', deniedNs, 'delete', 'secret', deniedSecret, '--ignore-not-found', '--wait=false']).catch(() => undefined);
      await admin(['delete', 'namespace', ns, '--ignore-not-found', '--wait=false']).catch(() => undefined);
    },
  };
}
