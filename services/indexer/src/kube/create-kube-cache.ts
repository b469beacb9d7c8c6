import { request } from 'node:https';
import { KubeConfig, ListWatch, Watch, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { AppError, ErrorCodes, type Logger } from '@auditgate/shared';
import { createInClusterKubeConfig, type InClusterKubeOptions } from './in-cluster-kube-config.js';
import type { KubeCache } from './kube-cache.js';
import { MetadataStore } from './metadata-store.js';

/** Options of {@link createKubeCache}. */
export interface KubeCacheOptions {
  /** Kubeconfig mode: the file, and optionally its context. Exactly one of `kubeconfigPath` and `inCluster`. */
  readonly kubeconfigPath?: string;
  readonly context?: string;
  /** In-cluster mode: the pod's own service account (mounted token and CA, KUBERNETES_SERVICE_HOST/PORT). */
  readonly inCluster?: InClusterKubeOptions;
  /** Wait before a failed list or watch restarts, in ms (default 5 s). */
  readonly retryDelayMs?: number;
  /** `[group/]version/resource` entries; namespaces are always cached. */
  readonly resources: readonly string[];
  readonly maxObjects: number;
  readonly logger: Logger;
}

// Only metadata crosses the wire: Secret data and ConfigMap contents never reach the indexer.
const META_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
const META_ONE = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

function apiPath(spec: string): { path: string; key: string } {
  const parts = spec.split('/');
  if (parts.length === 2) return { path: `/api/${parts[0]}/${parts[1]}`, key: parts[1]! };
  return { path: `/apis/${parts[0]}/${parts[1]}/${parts[2]}`, key: `${parts[2]}.${parts[0]}` };
}

async function listMetadata(kc: KubeConfig, path: string): Promise<KubernetesListObject<KubernetesObject>> {
  const url = new URL(kc.getCurrentCluster()!.server + path);
  const options: Parameters<typeof request>[1] = { method: 'GET', headers: { Accept: META_LIST } };
  await kc.applyToHTTPSOptions(options);
  (options.headers as Record<string, string>)['Accept'] = META_LIST;
  return new Promise((resolve, reject) => {
    const req = request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) { reject(new Error(`list ${path}: HTTP ${res.statusCode}`)); return; }
        try { resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as KubernetesListObject<KubernetesObject>); } catch (e) { reject(e as Error); }
      });
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`list ${path}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * A bounded, never-blocking cache of object and namespace metadata of the upstream cluster, fed by
 * `@kubernetes/client-node` informers (ListWatch) over metadata-only lists and watches. Lookups before the first
 * list completes, or for objects beyond the bound, are misses.
 */
export function createKubeCache(o: KubeCacheOptions): KubeCache {
  const kc = kubeConfigOf(o);
  const retryDelayMs = o.retryDelayMs ?? 5000;
  // Aborting a watch on stop() surfaces as an error: without this flag the restart timer would revive it.
  let stopped = false;
  const metaConfig = {
    getCurrentCluster: () => kc.getCurrentCluster(),
    applySecurityAuthentication: async (ctx: { setHeaderParam(k: string, v: string): void }) => {
      // A ListWatch may still be restarting when stop() runs: no new watch after that.
      if (stopped) throw new Error('cluster cache stopped');
      await kc.applySecurityAuthentication(ctx as never);
      ctx.setHeaderParam('Accept', META_ONE);
    },
  } as unknown as KubeConfig;
  const store = new MetadataStore(o.maxObjects);
  const informers: Array<ListWatch<KubernetesObject>> = [];
  return {
    object: (resource, namespace, name) => store.object(resource, namespace, name),
    namespaceLabels: (namespace) => store.namespaceLabels(namespace),
    async start() {
      stopped = false;
      for (const spec of ['v1/namespaces', ...o.resources]) {
        const { path, key } = apiPath(spec);
        const list = (): Promise<KubernetesListObject<KubernetesObject>> => (stopped ? Promise.reject(new Error('cluster cache stopped')) : listMetadata(kc, path));
        const informer = new ListWatch<KubernetesObject>(path, new Watch(metaConfig), list, false);
        informer.on('add', (obj) => store.put(key, obj));
        informer.on('update', (obj) => store.put(key, obj));
        informer.on('delete', (obj) => store.remove(key, obj));
        informer.on('error', (err) => {
          if (stopped) return;
          o.logger.warn({ resource: spec, err: (err as Error | undefined)?.message, retryDelayMs }, 'cluster cache watch failed; restarting (lookups keep answering from the cache)');
          setTimeout(() => { if (!stopped) informer.start().catch(() => undefined); }, retryDelayMs).unref();
        });
        informers.push(informer);
        // Never block start-up on the cluster: the first list fills the cache in the background.
        informer.start().catch((err: unknown) => o.logger.warn({ resource: spec, err: (err as Error).message }, 'cluster cache list failed'));
      }
      o.logger.info({ server: kc.getCurrentCluster()?.server, mode: o.inCluster === undefined ? 'kubeconfig' : 'in-cluster', resources: ['v1/namespaces', ...o.resources], maxObjects: o.maxObjects }, 'cluster metadata cache started');
    },
    async stop() {
      stopped = true;
      await Promise.all(informers.splice(0).map((i) => i.stop().catch(() => undefined)));
    },
  };
}

function kubeConfigOf(o: KubeCacheOptions): KubeConfig {
  if ((o.kubeconfigPath === undefined) === (o.inCluster === undefined)) {
    throw new AppError('the cluster cache needs exactly one of a kubeconfig path and in-cluster options', { code: ErrorCodes.CONFIG_INVALID });
  }
  if (o.inCluster !== undefined) {
    return createInClusterKubeConfig({
      onTokenReloadError: (err) => o.logger.warn({ err: err.message }, 'service-account token re-read failed; keeping the previous token'),
      ...o.inCluster,
    });
  }
  const kc = new KubeConfig();
  kc.loadFromFile(o.kubeconfigPath!);
  if (o.context !== undefined) kc.setCurrentContext(o.context);
  return kc;
}
