/**
 * One definition of what a Kubernetes request reaches, for every service: the proxy records these facts on each event
 * (`auditgate.classification`), and the indexer, detector and query read them instead of recomputing their own.
 */

/** Built-in resources that are cluster-scoped (a request for them never names a namespace). */
export const CLUSTER_SCOPED_RESOURCES: ReadonlySet<string> = new Set([
  'namespaces', 'nodes', 'persistentvolumes', 'componentstatuses', 'clusterroles', 'clusterrolebindings',
  'storageclasses', 'csidrivers', 'csinodes', 'volumeattachments', 'customresourcedefinitions', 'apiservices',
  'certificatesigningrequests', 'priorityclasses', 'runtimeclasses', 'ingressclasses', 'validatingwebhookconfigurations',
  'mutatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings',
  'mutatingadmissionpolicies', 'mutatingadmissionpolicybindings', 'flowschemas', 'prioritylevelconfigurations',
  'tokenreviews', 'selfsubjectreviews', 'selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'subjectaccessreviews',
  'ipaddresses', 'servicecidrs', 'deviceclasses', 'resourceslices', 'clustertrustbundles', 'volumeattributesclasses',
  'storageversions', 'storageversionmigrations', 'leasecandidates',
]);

/** What a request names, as RequestInfo classifies it. */
export interface RequestScopeInput {
  readonly verb: string;
  readonly resource?: string | undefined;
  readonly subresource?: string | undefined;
  readonly namespace?: string | undefined;
  readonly apiGroup?: string | undefined;
  readonly isResourceRequest?: boolean | undefined;
}

/**
 * Cluster-wide (RULES.md's `cw`): a list or watch across every namespace of a namespaced resource — one answer that
 * holds what every namespace has. A get, a write, or a list of a cluster-scoped resource (nodes) is not cluster-wide.
 */
export function isClusterWide(request: RequestScopeInput): boolean {
  const resource = request.resource ?? '';
  return (request.isResourceRequest ?? resource !== '') && resource !== '' && (request.subresource ?? '') === ''
    && (request.namespace ?? '') === '' && (request.verb === 'list' || request.verb === 'watch')
    && !CLUSTER_SCOPED_RESOURCES.has(resource);
}

/** The resource key `group/resource[/subresource]` (core group empty: `/secrets`, `apps/deployments/scale`). */
export function resourceKey(request: RequestScopeInput): string | undefined {
  const resource = request.resource ?? '';
  if (resource === '') return undefined;
  const sub = request.subresource ?? '';
  return `${request.apiGroup ?? ''}/${resource}${sub === '' ? '' : `/${sub}`}`;
}
