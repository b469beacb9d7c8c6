// Facts read from an exchange's request body (`requestObject`), as the gateway recorded it: JSON whatever kubectl sent
// (JSON, YAML or Kubernetes protobuf are decoded by the gateway before they are recorded). Callers pass the body's
// view (request-body-view.ts), so patches are read as the partial objects they write.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const SENSITIVE_HOST_PATHS = ['/', '/etc', '/root', '/proc', '/sys', '/boot', '/var/run', '/run', '/var/lib/kubelet', '/var/lib/docker', '/var/lib/containerd', '/home', '/dev'];
/** Verbs that let a role holder give itself more: RBAC's own escalation verbs. */
const ESCALATION_VERBS = ['escalate', 'bind', 'impersonate'];

/** The value at a dotted path; through arrays, the values of every element. */
export function byPath(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const part of path.split('.')) {
    if (Array.isArray(cur)) cur = cur.flatMap((item) => (isObj(item) ? [item[part]] : []));
    else if (isObj(cur)) cur = cur[part];
    else return undefined;
  }
  return cur;
}

/**
 * The pod specs an object (or the partial object a patch writes) holds: a Pod's `spec`, a PodTemplate's
 * `template.spec`, a workload's `spec.template.spec`, a CronJob's `spec.jobTemplate.spec.template.spec`.
 */
function podSpecsOf(object: unknown): Obj[] {
  return [byPath(object, 'spec'), byPath(object, 'template.spec'), byPath(object, 'spec.template.spec'), byPath(object, 'spec.jobTemplate.spec.template.spec')]
    .filter(isObj);
}

function isSensitiveHostPath(path: unknown): boolean {
  if (typeof path !== 'string') return false;
  const clean = path.replace(/\/+$/, '') || '/';
  return SENSITIVE_HOST_PATHS.some((p) => clean === p || (p !== '/' && clean.startsWith(`${p}/`))) || /\.sock$/.test(clean);
}

/**
 * True when a pod (or pod template) spec asks for privileged, host namespaces or a sensitive hostPath. Reads whole
 * objects and the partial objects patches write (a patch that only adds `hostPID: true` counts).
 */
export function isPrivilegedPodSpec(object: unknown): boolean {
  return podSpecsOf(object).some((spec) => {
    if (spec['hostPID'] === true || spec['hostNetwork'] === true || spec['hostIPC'] === true) return true;
    const containers = [...arr(spec['containers']), ...arr(spec['initContainers']), ...arr(spec['ephemeralContainers'])];
    if (containers.some((c) => byPath(c, 'securityContext.privileged') === true)) return true;
    return arr(spec['volumes']).some((v) => isSensitiveHostPath(byPath(v, 'hostPath.path')));
  });
}

/** True when any RBAC rule of a Role/ClusterRole body has `*` among its verbs, resources or API groups. */
export function hasWildcardRules(object: unknown): boolean {
  return arr(byPath(object, 'rules')).some((r) => ['verbs', 'resources', 'apiGroups'].some((k) => arr(byPath(r, k)).includes('*')));
}

/** The resources (and API groups) an escalation verb acts on: through a `*` verb, only rules over these grant it. */
const ESCALATION_TARGETS: Readonly<Record<string, { groups: string[]; resources: string[] }>> = {
  escalate: { groups: ['rbac.authorization.k8s.io'], resources: ['roles', 'clusterroles'] },
  bind: { groups: ['rbac.authorization.k8s.io'], resources: ['roles', 'clusterroles'] },
  impersonate: { groups: ['', 'authentication.k8s.io'], resources: ['users', 'groups', 'serviceaccounts', 'uids', 'userextras/*'] },
};

/**
 * What a Role/ClusterRole body grants that lets its holder escalate: `escalate`, `bind`, `impersonate` (named, or
 * through `*` verbs over the resources they act on), and `secrets:*` (every verb on core Secrets, also through `*`
 * resources). Sorted, without duplicates; undefined when none.
 */
export function riskyGrants(object: unknown): string[] | undefined {
  const found = new Set<string>();
  for (const rule of arr(byPath(object, 'rules'))) {
    const verbs = arr(byPath(rule, 'verbs'));
    const resources = arr(byPath(rule, 'resources'));
    const groups = arr(byPath(rule, 'apiGroups'));
    const covers = (target: { groups: string[]; resources: string[] }): boolean =>
      (groups.includes('*') || target.groups.some((g) => groups.includes(g)))
      && (resources.includes('*') || target.resources.some((r) => resources.includes(r)));
    for (const verb of ESCALATION_VERBS) {
      if (verbs.includes(verb) || (verbs.includes('*') && covers(ESCALATION_TARGETS[verb]!))) found.add(verb);
    }
    if (verbs.includes('*') && covers({ groups: [''], resources: ['secrets'] })) found.add('secrets:*');
  }
  return found.size === 0 ? undefined : [...found].sort();
}

/** The decision a CertificateSigningRequest approval body records: `Approved`, `Denied`, or undefined. */
export function csrDecision(object: unknown): string | undefined {
  const types = arr(byPath(object, 'status.conditions')).map((c) => byPath(c, 'type'));
  if (types.includes('Approved')) return 'Approved';
  if (types.includes('Denied')) return 'Denied';
  return undefined;
}
