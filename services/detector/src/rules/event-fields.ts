import { isClusterWide, resourceKey } from '@auditgate/shared/kube';
import type { AuditEvent, UserInfo } from '@auditgate/shared';
import { byPath, csrDecision, hasWildcardRules, isPrivilegedPodSpec, riskyGrants } from './request-object-facts.js';
import { requestBodyView } from './request-body-view.js';
import type { FieldLookup } from './rule.js';


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

/** Requests the API machinery makes for itself inside any tool call (permission self-checks): never beyond a scope. */
const SELF_REVIEWS = new Set(['selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'selfsubjectreviews']);

/**
 * What a tool call's Kubernetes request does beyond what the call's arguments said (their Kubernetes meaning, carried
 * verified in the call's delegated token): `namespace` (another namespace, all namespaces, or a cluster-scoped
 * resource when the call named one namespace), `resource` (another resource than the one it named), or undefined.
 * Only verified MCP correlation counts; discovery and permission self-checks never exceed a scope.
 */
export function mcpScopeExcess(event: AuditEvent): Array<'namespace' | 'resource'> | undefined {
  const mcp = event.auditgate.mcp;
  const scope = mcp?.scope;
  const ref = event.objectRef;
  if (mcp?.caller !== 'verified' || scope === undefined || ref?.resource === undefined || SELF_REVIEWS.has(ref.resource)) return undefined;
  const out: Array<'namespace' | 'resource'> = [];
  const namespace = ref.namespace ?? '';
  const itsOwnNamespace = ref.resource === 'namespaces' && ref.name === scope.namespace;
  if (scope.namespace !== undefined && namespace !== scope.namespace && !itsOwnNamespace) out.push('namespace');
  if (scope.resource !== undefined && ref.resource !== scope.resource && !itsOwnNamespace) out.push('resource');
  return out.length === 0 ? undefined : out;
}

function derive(event: AuditEvent, name: string, body: () => unknown): unknown {
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
    // The gateway's own classification (one definition, shared); events from before it was recorded are classified alike.
    case 'clusterWide': return event.auditgate.classification?.clusterWide ?? isClusterWide({ verb: event.verb, ...ref });
    case 'resourceKey': return event.auditgate.classification?.resourceKey ?? resourceKey({ verb: event.verb, ...ref });
    case 'objectKey': return ref?.resource === undefined ? undefined : `${ref.namespace ?? ''}/${ref.name ?? ''}`;
    case 'actor': return event.auditgate.actor.username;
    case 'onBehalfOf': return event.auditgate.onBehalfOf?.username;
    case 'anonymous': return event.user.username === 'system:anonymous' || (event.user.groups ?? []).includes('system:unauthenticated')
      || event.auditgate.actor.tokenKind === 'anonymous';
    case 'probePath': return PROBE_PATHS.some((p) => path === p || path.startsWith(`${p}/`));
    case 'command': { const parts = queryValues(event.requestURI, 'command'); return parts.length === 0 ? undefined : parts.join(' '); }
    case 'privileged': return isPrivilegedPodSpec(body());
    case 'roleRefName': return byPath(body(), 'roleRef.name');
    case 'wildcardRules': return hasWildcardRules(body());
    case 'riskyGrants': return riskyGrants(body());
    case 'csrDecision': return csrDecision(body());
    case 'outcome': return outcomeOf(event);
    case 'impersonatedUser': return impersonation(event)?.user.username;
    case 'impersonatedGroups': return impersonation(event)?.user.groups;
    case 'impersonationStripped': { const i = impersonation(event); return i === undefined ? undefined : i.stripped; }
    case 'mcpScopeExceeded': return mcpScopeExcess(event) !== undefined;
    case 'mcpScopeExcess': return mcpScopeExcess(event)?.join(',');
    default: return undefined;
  }
}

/** The fields `derived.*` offers to rules, besides the event's own dotted paths. */
export const DERIVED_FIELDS: readonly string[] = [
  'path', 'uri', 'status', 'ok', 'deny', 'allowed', 'coreGroup', 'clusterWide', 'resourceKey', 'objectKey', 'actor',
  'onBehalfOf', 'anonymous', 'probePath', 'command', 'privileged', 'roleRefName', 'wildcardRules', 'riskyGrants',
  'csrDecision', 'outcome', 'impersonatedUser', 'impersonatedGroups', 'impersonationStripped', 'mcpScopeExceeded', 'mcpScopeExcess',
];

/**
 * A memoizing field lookup over one event: dotted paths into the event, `derived.<name>` for computed facts. Body facts
 * read the request body's view: patches (JSON, merge, strategic merge) as the partial objects they write.
 */
export function eventFields(event: AuditEvent): FieldLookup {
  const cache = new Map<string, unknown>();
  let view: { value: unknown } | undefined;
  const body = (): unknown => (view ??= { value: requestBodyView(event.requestObject) }).value;
  return (path) => {
    if (cache.has(path)) return cache.get(path);
    const value = path.startsWith('derived.') ? derive(event, path.slice('derived.'.length), body) : byPath(event, path);
    cache.set(path, value);
    return value;
  };
}
