import type { LintCheck, LintFinding, LintSeverity } from './lint-types.js';
import type { PolicyAction } from './policy-types.js';

/** One open probe request, before grouping. */
export interface LintHit {
  readonly check: LintCheck;
  readonly severity: LintSeverity;
  /** The protecting rule and what it does (`mask` only for Secrets). */
  readonly ruleId: string;
  readonly ruleAction: PolicyAction;
  /** The verbs the protecting rule was seen to deny or mask (what the bypass goes around). */
  readonly protectedVerbs: readonly string[];
  /** The namespace label where the protecting rule applied. */
  readonly protectedNamespace: string;
  readonly openedBy: string;
  readonly openedAction: PolicyAction;
  readonly verb: string;
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource: string;
  /** The open request's namespace label; `""` when it has none. */
  readonly namespace: string;
  /** Why the open path matters, one clause. */
  readonly why: string;
}

interface Group {
  readonly first: LintHit;
  readonly verbs: Set<string>;
  readonly namespaces: Set<string>;
  readonly protectedVerbs: Set<string>;
  readonly protectedNamespaces: Set<string>;
}

const VERB_ORDER = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const CHECK_ORDER: readonly LintCheck[] = ['indirect-path', 'verb-bypass', 'cluster-wide', 'pod-spec'];

/**
 * Groups open probe requests into findings: one per (check, severity, protecting rule, opening rule, resource), with
 * the verbs and namespaces merged. `findings()` lists errors first, then by the protecting rule's position.
 */
export class FindingCollector {
  readonly #groups = new Map<string, Group>();
  readonly #ruleOrder: ReadonlyMap<string, number>;

  /** `ruleIds` in policy order, to sort findings by rule. */
  constructor(ruleIds: readonly string[]) {
    this.#ruleOrder = new Map(ruleIds.map((id, index) => [id, index]));
  }

  /** Records one open request. */
  add(hit: LintHit): void {
    const key = [hit.check, hit.severity, hit.ruleId, hit.openedBy, hit.apiGroup, hit.resource, hit.subresource].join('\0');
    let group = this.#groups.get(key);
    if (group === undefined) {
      group = { first: hit, verbs: new Set(), namespaces: new Set(), protectedVerbs: new Set(), protectedNamespaces: new Set() };
      this.#groups.set(key, group);
    }
    group.verbs.add(hit.verb);
    group.namespaces.add(hit.namespace);
    for (const verb of hit.protectedVerbs) group.protectedVerbs.add(verb);
    group.protectedNamespaces.add(hit.protectedNamespace);
  }

  /** The grouped findings. */
  findings(): LintFinding[] {
    const rank = (group: Group): number[] => [
      group.first.severity === 'error' ? 0 : 1, this.#ruleOrder.get(group.first.ruleId) ?? -1, CHECK_ORDER.indexOf(group.first.check),
    ];
    const groups = [...this.#groups.values()].sort((a, b) => compareRanks(rank(a), rank(b)));
    return groups.map(toFinding);
  }
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

function toFinding(group: Group): LintFinding {
  const hit = group.first;
  const verbs = ordered(group.verbs);
  const namespaces = [...group.namespaces];
  const resource = hit.subresource === '' ? hit.resource : `${hit.resource}/${hit.subresource}`;
  const ref = hit.apiGroup === '' ? resource : `${hit.resource}.${hit.apiGroup}${hit.subresource === '' ? '' : `/${hit.subresource}`}`;
  const protectedIn = describeNamespaces([...group.protectedNamespaces]);
  const does = hit.ruleAction === 'mask' ? 'masks' : 'denies';
  const open = hit.openedBy === 'default' ? 'is allowed by the default action'
    : hit.openedAction === 'mask' ? `is only masked by "${hit.openedBy}" (mask does not close it)` : `is let through by "${hit.openedBy}"`;
  const where = namespaces.length === 1 && namespaces[0] === '' ? '' : ` in ${describeNamespaces(namespaces)}`;
  let message: string;
  let hint: string;
  switch (hit.check) {
    case 'indirect-path':
    case 'pod-spec': {
      const scope = where === '' ? ' (cluster-scoped)' : describeNamespaces(namespaces) === protectedIn ? ' there' : where;
      message = `"${hit.ruleId}" ${does} Secrets in ${protectedIn}, but ${verbs.join('/')} ${ref}${scope} ${open}: ${hit.why}`;
      const nsClause = where === '' ? 'no namespaces (it is cluster-scoped: a rule with namespaces never matches it)'
        : namespaces.includes('*') ? 'no namespaces (every namespace)' : `namespaces [${namespaces.join(', ')}]`;
      const verbClause = hit.check === 'pod-spec' ? `verbs [${verbs.join(', ')}]` : 'no verbs (every verb)';
      const rule = `apiGroups [${JSON.stringify(hit.apiGroup)}], resources [${resource}], ${verbClause}, ${nsClause}`;
      hint = hit.openedBy === 'default' ? `add a deny rule with ${rule}`
        : `add a deny rule before "${hit.openedBy}" with ${rule}${hit.openedAction === 'mask' ? '' : `, or narrow "${hit.openedBy}"`}`;
      if (hit.check === 'pod-spec') hint += ' (or accept that pods created there can mount those Secrets)';
      break;
    }
    case 'verb-bypass':
      message = `"${hit.ruleId}" ${does} ${ordered(group.protectedVerbs).join('/')} ${ref}${where}, but ${verbs.join('/')} ${open}: ${hit.why}`;
      hint = `make "${hit.ruleId}" cover ${verbs.join(', ')} as well (its verbs or names leave them out)`
        + (hit.openedBy === 'default' || hit.openedBy === hit.ruleId ? '' : `, or deny them before "${hit.openedBy}"`);
      break;
    case 'cluster-wide':
      message = `"${hit.ruleId}" ${does} ${ordered(group.protectedVerbs).join('/')} ${ref} in ${protectedIn}, but ${verbs.join('/')} `
        + `across all namespaces ${open}: ${hit.why}`;
      hint = `set limits.allowClusterWideLists: false${hit.openedBy === 'default' ? '' : ` on "${hit.openedBy}"`} (or policy-wide), `
        + `or deny list/watch of ${ref} with namespaces [""]${hit.openedBy === 'default' ? '' : ` before "${hit.openedBy}"`}`;
      break;
  }
  return {
    severity: hit.severity, check: hit.check, ruleId: hit.ruleId, openedBy: hit.openedBy,
    path: { verbs, apiGroup: hit.apiGroup, resource, namespaces }, message, hint,
  };
}

function ordered(verbs: ReadonlySet<string>): string[] {
  return [...verbs].sort((a, b) => rankVerb(a) - rankVerb(b) || a.localeCompare(b));
}

function rankVerb(verb: string): number {
  const index = VERB_ORDER.indexOf(verb);
  return index < 0 ? VERB_ORDER.length : index;
}

/** Namespace labels for a sentence: `*` reads "any other namespace", `""` "no namespace". */
export function describeNamespaces(labels: readonly string[]): string {
  return labels.map((label) => (label === '*' ? 'any other namespace' : label === '' ? 'no namespace' : label)).join(', ');
}
