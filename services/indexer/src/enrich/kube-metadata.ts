/** What the indexer knows about one object of the upstream cluster. */
export interface ObjectMetadata {
  readonly labels: Readonly<Record<string, string>>;
  /** `Kind/name` of the controlling owner (or the first owner), when any. */
  readonly owner?: string;
}

/** A read-only, never-blocking view of cached cluster metadata; a miss is `undefined`. */
export interface KubeMetadataLookup {
  /** The object `resource` (plural, with `.group` for non-core groups) `name` in `namespace` ('' for cluster-scoped). */
  object(resource: string, namespace: string, name: string): ObjectMetadata | undefined;
  /** The namespace's labels. */
  namespaceLabels(namespace: string): Readonly<Record<string, string>> | undefined;
}

/** A lookup that knows nothing: used when the cluster cache is off. */
export const NO_KUBE_METADATA: KubeMetadataLookup = {
  object: () => undefined,
  namespaceLabels: () => undefined,
};
