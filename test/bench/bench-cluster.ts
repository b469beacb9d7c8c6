/** The benchmark's objects in the real cluster: one namespace with an agent, a small ConfigMap and (on demand) bulk. */
import { Agent } from 'node:https';
import { httpCall, httpOk } from './http-get.js';

/** The bench namespace and the credentials to reach it. */
export interface BenchCluster {
  readonly namespace: string;
  /** Service-account token for audience `auditgate` (what the gateway accepts). */
  readonly agentToken: string;
  /** Path of the small object every throughput and latency run GETs. */
  readonly smallPath: string;
  /** Creates ConfigMaps labelled `bench=bulk` until their data adds up to at least `totalBytes`; returns how many. */
  createBulk(totalBytes: number, perObjectBytes: number): Promise<number>;
  deleteBulk(): Promise<void>;
  /** Deletes the namespace (not waiting for it to go). */
  remove(): Promise<void>;
}

const FILLER = 'The quick brown fox jumps over the lazy dog while the audited gateway watches. ';

/** Creates namespace `namespace` with service account `agent` and ConfigMap `small`, via the API server as admin. */
export async function createBenchCluster(options: { apiserver: string; ca: Buffer; adminToken: string; namespace: string }): Promise<BenchCluster> {
  const agent = new Agent({ keepAlive: true, ca: options.ca, maxSockets: 8 });
  const { apiserver, adminToken: token, namespace } = options;
  const post = (path: string, body: unknown) => httpOk({ url: `${apiserver}${path}`, token, agent, method: 'POST', body });
  const ns = `/api/v1/namespaces/${namespace}`;
  await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { 'auditgate.dev/bench': 'true' } } });
  await post(`${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'agent' } });
  const tokenRequest = await post(`${ns}/serviceaccounts/agent/token`, {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: ['auditgate'], expirationSeconds: 7200 },
  });
  const agentToken = (JSON.parse(tokenRequest.body) as { status: { token: string } }).status.token;
  await post(`${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'small', labels: { bench: 'small' } }, data: { greeting: 'hello', size: 'small' } });
  return {
    namespace, agentToken, smallPath: `${ns}/configmaps/small`,
    async createBulk(totalBytes, perObjectBytes) {
      const value = FILLER.repeat(Math.ceil(perObjectBytes / FILLER.length)).slice(0, perObjectBytes);
      const count = Math.ceil(totalBytes / perObjectBytes);
      for (let i = 0; i < count; i += 4) {
        await Promise.all(Array.from({ length: Math.min(4, count - i) }, (_, j) => post(`${ns}/configmaps`, {
          apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `bulk-${i + j}`, labels: { bench: 'bulk' } }, data: { blob: value },
        })));
      }
      return count;
    },
    async deleteBulk() {
      await httpOk({ url: `${apiserver}${ns}/configmaps?labelSelector=bench%3Dbulk`, token, agent, method: 'DELETE', timeoutMs: 120_000 });
    },
    async remove() {
      await httpCall({ url: `${apiserver}${ns}`, token, agent, method: 'DELETE' }).catch(() => undefined);
      agent.destroy();
    },
  };
}
