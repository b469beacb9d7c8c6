import type { KubeMetadataLookup } from '../enrich/kube-metadata.js';

/** A started cluster-metadata cache: a lookup with a lifecycle. */
export interface KubeCache extends KubeMetadataLookup {
  start(): Promise<void>;
  stop(): Promise<void>;
}
