import type { AuditEvent } from '@auditgate/shared';
import type { FieldLookup } from './rule.js';

/** Built-in cluster-scoped resources: a list of anything else with namespace "" is cluster-wide. */
const CLUSTER_SCOPED = new Set([
  'namespaces', 'nodes', 'persistentvolumes', 'clusterroles', 'clusterrolebindings', 'storageclasses', 'csidrivers',
  'csinodes', 'customresourcedefinitions', 'apiservices', 'mutatingwebhookconfigurations', 'validatingwebhookconfigurations',
  'validatingadmissionpolicies', 'validatingadmissionpolicybindings', 'priorityclasses', 'runtimeclasses', 'ingressclasses',
  'volumeattachments', 'certificatesigningrequests', 'componentstatuses', 'selfsubjectrulesreviews',
  'selfsubjectaccessreviews', 'subjectaccessreviews', 'tokenreviews', 'selfsubjectreviews', 'flowschemas',
  'prioritylevelconfigurations', 'ipaddresses', 'servicecidrs', 'deviceclasses',
]);
const PROBE_PATHS = ['/healthz', '/livez', '/readyz', '/version'];
const SENSITIVE_HOST_PATHS = ['/', '/etc', '/root', '/proc', '/sys', '/boot', '/var/run', '/run', '/var/lib/kubelet', '/var/lib/docker', '/var/lib/containerd', '/home', '/dev'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function byPath(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const part of path.split('.')) {
    if (Array.isArray(cur)) cur = cur.flatMap((item) => (isObj(item) ? [item[part]] : []));
    else if (isObj(cur)) cur = cur[part];
    else return undefined;
  }
  return cur;
}

function podSpecOf(object: unknown): Obj | undefined {
  if (!isObj(object)) return undefined;
  const spec = object['spec'];
  if (!isObj(spec)) return undefined;
  if (Array.isArray(spec['containers'])) return spec;
  const template = byPath(spec, 'template.spec') ?? byPath(spec, 'jobTemplate.spec.template.spec');
  return isObj(template) ? template : undefined;
}

function isSensitiveHostPath(path: unknown): boolean {
  if (typeof path !== 'string') return false;
  const clean = path.replace(/\/+$/, '') || '/';
  return SENSITIVE_HOST_PATHS.some((p) => clean === p || (p !== '/' && clean.startsWith(`${p}/`))) || /\.sock$/.test(clean);
}

/** True when a pod (or pod template) spec asks for privileged, host namespaces or a sensitive hostPath. */
export function isPrivilegedPodSpec(object: unknown): boolean {
  const spec = podSpecOf(object);
  if (spec === undefined) return false;
  if (spec['hostPID'] === true || spec['hostNetwork'] === true || spec['hostIPC'] === true) return true;
  const containers = [...arr(spec['containers']), ...arr(spec['initContainers']), ...arr(spec['ephemeralContainers'])];
  if (containers.some((c) => byPath(c, 'securityContext.privileged') === true)) return true;
  return arr(spec['volumes']).some((v) => isSensitiveHostPath(byPath(v, 'hostPath.path')));
}

function statusCode(event: AuditEvent): number | undefined {
  return event.responseStatus?.code;
}

function isDenied(event: AuditEvent): boolean {
  const code = statusCode(event);
  return code === 401 || code === 403 || event.annotations?.['authorization.k8s.io/decision'] === 'forbid'
    || event.auditgate.policy?.decision === 'deny';
}

function queryValues(uri: string, name: string): string[] {
  const q = uri.indexOf('?');
  return q < 0 ? [] : new URLSearchParams(uri.slice(q + 1)).getAll(name);
}

function derive(event: AuditEvent, name: string): unknown {
  const ref = event.objectRef;
  const code = statusCode(event);
  const path = event.requestURI.split('?')[0] ?? '';
  switch (name) {
    case 'path': return path;
    case 'uri': return event.requestURI;
    case 'status': return code;
    case 'ok': return code !== undefined && code >= 200 && code < 300;
    case 'deny': return isDenied(event);
    case 'allowed': return !isDenied(event) && (event.annotations?.['authorization.k8s.io/decision'] === 'allow' || (code !== undefined && code < 400));
    case 'coreGroup': return ref !== undefined && (ref.apiGroup === undefined || ref.apiGroup === '');
    case 'clusterWide': return ref?.resource !== undefined && !CLUSTER_SCOPED.has(ref.resource) && (ref.namespace ?? '') === '';
    case 'resourceKey': return ref?.resource === undefined ? undefined : `${ref.apiGroup ?? ''}/${ref.resource}${ref.subresource === undefined ? '' : `/${ref.subresource}`}`;
    case 'objectKey': return ref?.resource === undefined ? undefined : `${ref.namespace ?? ''}/${ref.name ?? ''}`;
    case 'actor': return event.auditgate.actor.username;
    case 'onBehalfOf': return event.auditgate.onBehalfOf?.username;
    case 'anonymous': return event.user.username === 'system:anonymous' || (event.user.groups ?? []).includes('system:unauthenticated')
      || event.auditgate.actor.tokenKind === 'anonymous';
    case 'probePath': return PROBE_PATHS.some((p) => path === p || path.startsWith(`${p}/`));
    case 'command': { const parts = queryValues(event.requestURI, 'command'); return parts.length === 0 ? undefined : parts.join(' '); }
    case 'privileged': return isPrivilegedPodSpec(event.requestObject);
    case 'roleRefName': return byPath(event.requestObject, 'roleRef.name');
    case 'wildcardRules': return arr(byPath(event.requestObject, 'rules')).some((r) =>
      ['verbs', 'resources', 'apiGroups'].some((k) => arr(byPath(r, k)).includes('*')));
    default: return undefined;
  }
}

/** The fields `derived.*` offers to rules, besides the event's own dotted paths. */
export const DERIVED_FIELDS: readonly string[] = [
  'path', 'uri', 'status', 'ok', 'deny', 'allowed', 'coreGroup', 'clusterWide', 'resourceKey', 'objectKey', 'actor',
  'onBehalfOf', 'anonymous', 'probePath', 'command', 'privileged', 'roleRefName', 'wildcardRules',
];

/** A memoizing field lookup over one event: dotted paths into the event, `derived.<name>` for computed facts. */
export function eventFields(event: AuditEvent): FieldLookup {
  const cache = new Map<string, unknown>();
  return (path) => {
    if (cache.has(path)) return cache.get(path);
    const value = path.startsWith('derived.') ? derive(event, path.slice('derived.'.length)) : byPath(event, path);
    cache.set(path, value);
    return value;
  };
}
