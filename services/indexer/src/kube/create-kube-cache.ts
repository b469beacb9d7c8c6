import { request } from 'node:https';
import { KubeConfig, ListWatch, Watch, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '@auditgate/shared';
import type { KubeCache } from '../app.js';
import { MetadataStore } from './metadata-store.js';

/** Options of {@link createKubeCache}. */
export interface KubeCacheOptions {
  readonly kubeconfigPath: string;
  readonly context?: string;
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
  const kc = new KubeConfig();
  kc.loadFromFile(o.kubeconfigPath);
  if (o.context !== undefined) kc.setCurrentContext(o.context);
  const metaConfig = {
    getCurrentCluster: () => kc.getCurrentCluster(),
    applySecurityAuthentication: async (ctx: { setHeaderParam(k: string, v: string): void }) => {
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
      for (const spec of ['v1/namespaces', ...o.resources]) {
        const { path, key } = apiPath(spec);
        const informer = new ListWatch<KubernetesObject>(path, new Watch(metaConfig), () => listMetadata(kc, path), false);
        informer.on('add', (obj) => store.put(key, obj));
        informer.on('update', (obj) => store.put(key, obj));
        informer.on('delete', (obj) => store.remove(key, obj));
        informer.on('error', (err) => {
          o.logger.warn({ resource: spec, err: (err as Error | undefined)?.message }, 'cluster cache watch failed; restarting in 5s (lookups keep answering from the cache)');
          setTimeout(() => { informer.start().catch(() => undefined); }, 5000).unref();
        });
        informers.push(informer);
        // Never block start-up on the cluster: the first list fills the cache in the background.
        informer.start().catch((err: unknown) => o.logger.warn({ resource: spec, err: (err as Error).message }, 'cluster cache list failed'));
      }
      o.logger.info({ resources: ['v1/namespaces', ...o.resources], maxObjects: o.maxObjects }, 'cluster metadata cache started');
    },
    async stop() { await Promise.all(informers.map((i) => i.stop().catch(() => undefined))); },
  };
}
