import type { KubeMetadataLookup, ObjectMetadata } from '../enrich/kube-metadata.js';

/** The slim part of an object the cache keeps. */
export interface SlimObject {
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly ownerReferences?: ReadonlyArray<{ kind: string; name: string; controller?: boolean }>;
  };
}

/** A bounded map of object metadata: at most `maxObjects` entries, the oldest-written evicted first. */
export class MetadataStore implements KubeMetadataLookup {
  private readonly objects = new Map<string, ObjectMetadata>();
  constructor(private readonly maxObjects: number) {}

  /** Number of cached entries. */
  get size(): number { return this.objects.size; }

  /** Records (or refreshes) `obj` of `resource` (`plural[.group]`). */
  put(resource: string, obj: SlimObject): void {
    const m = obj.metadata;
    if (m?.name === undefined) return;
    const key = `${resource}|${m.namespace ?? ''}|${m.name}`;
    const owners = m.ownerReferences ?? [];
    const owner = owners.find((o) => o.controller === true) ?? owners[0];
    this.objects.delete(key);
    this.objects.set(key, { labels: { ...(m.labels ?? {}) }, ...(owner === undefined ? {} : { owner: `${owner.kind}/${owner.name}` }) });
    while (this.objects.size > this.maxObjects) this.objects.delete(this.objects.keys().next().value!);
  }

  /** Forgets a deleted object. */
  remove(resource: string, obj: SlimObject): void {
    const m = obj.metadata;
    if (m?.name !== undefined) this.objects.delete(`${resource}|${m.namespace ?? ''}|${m.name}`);
  }

  object(resource: string, namespace: string, name: string): ObjectMetadata | undefined {
    return this.objects.get(`${resource}|${namespace}|${name}`);
  }

  namespaceLabels(namespace: string): Readonly<Record<string, string>> | undefined {
    return this.objects.get(`namespaces||${namespace}`)?.labels;
  }
}
