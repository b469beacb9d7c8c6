import type { AuditEvent, UserInfo } from '@auditgate/shared';
import { byPath, csrDecision, hasWildcardRules, isPrivilegedPodSpec, riskyGrants } from './request-object-facts.js';
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
const STRIPPED_IMPERSONATION = 'auditgate.dev/stripped-impersonation';
function statusCode(event: AuditEvent): number | undefined {
  return event.responseStatus?.code;
}

/** How an exchange ended, as alerts report it. */
export type Outcome = 'allowed' | 'refused' | 'forbidden' | 'failed' | 'pending';

/**
 * `refused`: our policy denied it; `forbidden`: the API server (RBAC) or authentication refused it (401/403);
 * `allowed`: answered below 400 (101 for exec and watch included); `failed`: any other error; `pending`: no answer yet.
 */
export function outcomeOf(event: AuditEvent): Outcome {
  if (event.auditgate.policy?.decision === 'deny') return 'refused';
  const code = statusCode(event);
  if (code === 401 || code === 403 || event.annotations?.['authorization.k8s.io/decision'] === 'forbid') return 'forbidden';
  if (code === undefined) return 'pending';
  return code < 400 ? 'allowed' : 'failed';
}

/** The identity the caller asked to impersonate: forwarded (`impersonatedUser`) or stripped by policy (annotation). */
function impersonation(event: AuditEvent): { user: Partial<UserInfo>; stripped: boolean } | undefined {
  if (event.impersonatedUser !== undefined) return { user: event.impersonatedUser, stripped: false };
  const note = event.annotations?.[STRIPPED_IMPERSONATION];
  if (note === undefined) return undefined;
  try {
    const user = JSON.parse(note) as Partial<UserInfo>;
    return typeof user === 'object' && user !== null ? { user, stripped: true } : undefined;
  } catch {
    return undefined;
  }
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
    case 'wildcardRules': return hasWildcardRules(event.requestObject);
    case 'riskyGrants': return riskyGrants(event.requestObject);
    case 'csrDecision': return csrDecision(event.requestObject);
    case 'outcome': return outcomeOf(event);
    case 'impersonatedUser': return impersonation(event)?.user.username;
    case 'impersonatedGroups': return impersonation(event)?.user.groups;
    case 'impersonationStripped': { const i = impersonation(event); return i === undefined ? undefined : i.stripped; }
    default: return undefined;
  }
}

/** The fields `derived.*` offers to rules, besides the event's own dotted paths. */
export const DERIVED_FIELDS: readonly string[] = [
  'path', 'uri', 'status', 'ok', 'deny', 'allowed', 'coreGroup', 'clusterWide', 'resourceKey', 'objectKey', 'actor',
  'onBehalfOf', 'anonymous', 'probePath', 'command', 'privileged', 'roleRefName', 'wildcardRules', 'riskyGrants',
  'csrDecision', 'outcome', 'impersonatedUser', 'impersonatedGroups', 'impersonationStripped',
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
