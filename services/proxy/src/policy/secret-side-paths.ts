import type { LintCheck } from './lint-types.js';

/** A way to a Secret's value other than reading the Secret, and the verbs that take it. */
export interface SecretSidePath {
  readonly check: Extract<LintCheck, 'indirect-path' | 'pod-spec'>;
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource: string;
  readonly verbs: readonly string[];
  /** True for nodes/proxy and authority writes: probed once without a namespace, whichever namespace's Secrets are protected. */
  readonly clusterScoped: boolean;
  readonly why: string;
}

/** Every verb the API server derives from an HTTP method on a connect or proxy subresource. */
const HTTP_VERBS = ['get', 'create', 'update', 'patch', 'delete'];
/** Streams (exec, attach, port-forward) open with a POST (SPDY: `create`) or a WebSocket GET (`get`). */
const STREAM_VERBS = ['get', 'create'];
const POD_SPEC_VERBS = ['create', 'update', 'patch'];
const POD_SPEC_WHY = 'a new or changed pod spec can mount any Secret of its namespace (and run as any of its service accounts)';

const indirect = (resource: string, subresource: string, verbs: readonly string[], why: string, clusterScoped = false): SecretSidePath =>
  ({ check: 'indirect-path', apiGroup: '', resource, subresource, verbs, clusterScoped, why });
/** Writes that hand out authority over Secrets: probed once without a namespace, like nodes/proxy. */
const authority = (apiGroup: string, resource: string, subresource: string, why: string): SecretSidePath =>
  ({ check: 'indirect-path', apiGroup, resource, subresource, verbs: AUTHORITY_VERBS, clusterScoped: true, why });
const AUTHORITY_VERBS = ['create', 'update', 'patch'];
const RBAC_WHY = 'an RBAC write can grant some identity the right to read the Secret, and that identity needs no gateway';
const ADMISSION_WHY = 'an admission policy can take the Secret as its param and echo its value in a denial message; a webhook receives objects';
const podSpec = (apiGroup: string, resource: string): SecretSidePath =>
  ({ check: 'pod-spec', apiGroup, resource, subresource: '', verbs: POD_SPEC_VERBS, clusterScoped: false, why: POD_SPEC_WHY });

/**
 * The paths to a protected Secret that do not read the Secret object. `indirect-path` ones (issue #13's list) hand the
 * caller the value, a shell next to it or a credential that reads it, so an open one is an error. `pod-spec` ones
 * need a second step (the pod must print or send the value), and creating workloads is everyday work, so an open one
 * is a warning. Pod-creating custom resources (Argo, Tekton, …) are not known here.
 */
export const SECRET_SIDE_PATHS: readonly SecretSidePath[] = [
  indirect('pods', 'exec', STREAM_VERBS, 'a shell in a pod reads the Secrets mounted into it'),
  indirect('pods', 'attach', STREAM_VERBS, 'attaching to a container reads what it prints and writes to its stdin'),
  indirect('pods', 'portforward', STREAM_VERBS, 'a port-forward reaches whatever a pod serves, its Secrets included'),
  indirect('pods', 'proxy', HTTP_VERBS, 'HTTP through the API server reaches whatever a pod serves, its Secrets included'),
  indirect('services', 'proxy', HTTP_VERBS, 'HTTP through the API server reaches whatever a service\'s pods serve'),
  indirect('pods', 'ephemeralcontainers', ['update', 'patch'], 'an ephemeral container joins a running pod and mounts its Secret volumes'),
  indirect('serviceaccounts', 'token', ['create'], 'a minted token carries the service account\'s own access to Secrets, outside this gateway'),
  indirect('nodes', 'proxy', HTTP_VERBS, 'the kubelet API runs commands in any pod on the node, whatever its namespace', true),
  authority('rbac.authorization.k8s.io', 'roles', '', RBAC_WHY),
  authority('rbac.authorization.k8s.io', 'rolebindings', '', RBAC_WHY),
  authority('rbac.authorization.k8s.io', 'clusterroles', '', RBAC_WHY),
  authority('rbac.authorization.k8s.io', 'clusterrolebindings', '', RBAC_WHY),
  authority('admissionregistration.k8s.io', 'validatingadmissionpolicies', '', ADMISSION_WHY),
  authority('admissionregistration.k8s.io', 'validatingadmissionpolicybindings', '', ADMISSION_WHY),
  authority('admissionregistration.k8s.io', 'mutatingadmissionpolicies', '', ADMISSION_WHY),
  authority('admissionregistration.k8s.io', 'mutatingadmissionpolicybindings', '', ADMISSION_WHY),
  authority('admissionregistration.k8s.io', 'validatingwebhookconfigurations', '', ADMISSION_WHY),
  authority('admissionregistration.k8s.io', 'mutatingwebhookconfigurations', '', ADMISSION_WHY),
  authority('apiregistration.k8s.io', 'apiservices', '', 'an APIService routes a group of the API to a server of the caller\'s choosing'),
  authority('certificates.k8s.io', 'certificatesigningrequests', '', 'a signed client certificate is a credential that works without the gateway'),
  authority('certificates.k8s.io', 'certificatesigningrequests', 'approval', 'approving a request signs a credential that works without the gateway'),
  podSpec('', 'pods'),
  podSpec('', 'replicationcontrollers'),
  podSpec('apps', 'deployments'),
  podSpec('apps', 'daemonsets'),
  podSpec('apps', 'statefulsets'),
  podSpec('apps', 'replicasets'),
  podSpec('batch', 'jobs'),
  podSpec('batch', 'cronjobs'),
];

/** True when a request with this verb on this (sub)resource names an object (everything but list/watch and top-level create). */
export function carriesName(verb: string, subresource: string): boolean {
  if (subresource !== '') return true;
  return verb !== 'create' && verb !== 'list' && verb !== 'watch' && verb !== 'deletecollection';
}
