/** Built-in resources that are cluster-scoped; a list of any other resource without a namespace is cluster-wide. */
const CLUSTER_SCOPED = new Set([
  'namespaces', 'nodes', 'persistentvolumes', 'componentstatuses', 'clusterroles', 'clusterrolebindings',
  'storageclasses', 'csidrivers', 'csinodes', 'volumeattachments', 'customresourcedefinitions', 'apiservices',
  'certificatesigningrequests', 'priorityclasses', 'runtimeclasses', 'ingressclasses', 'validatingwebhookconfigurations',
  'mutatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings',
  'mutatingadmissionpolicies', 'mutatingadmissionpolicybindings', 'flowschemas', 'prioritylevelconfigurations',
  'tokenreviews', 'selfsubjectreviews', 'selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'subjectaccessreviews',
  'ipaddresses', 'servicecidrs', 'deviceclasses', 'resourceslices', 'clustertrustbundles', 'volumeattributesclasses',
  'storageversions', 'storageversionmigrations', 'leasecandidates',
]);

/** True for list/watch across all namespaces of a namespaced resource (the `cw` of RULES.md). */
export function isClusterWide(verb: string, resource: string, namespace: string, isResourceRequest: boolean): boolean {
  return isResourceRequest && namespace === '' && (verb === 'list' || verb === 'watch') && !CLUSTER_SCOPED.has(resource);
}
