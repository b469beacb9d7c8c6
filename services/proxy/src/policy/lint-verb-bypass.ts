import type { FindingCollector, LintHit } from './lint-findings.js';
import { isClusterScoped, sampleGlob, type LintProbes, type Probe, type ProbeRequest } from './lint-probes.js';
import type { ProbeEvaluator } from './lint-secret-paths.js';
import type { GatewayPolicy, PolicyDecision, PolicyRule } from './policy-types.js';
import { carriesName } from './secret-side-paths.js';

interface Target {
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource: string;
  /** How the rule names them (`*` parts kept). */
  readonly labels: { readonly resource: string; readonly subresource: string };
}

/** Verbs that reach the same data, so denying one but not another is a bypass. */
const READ = ['get', 'list', 'watch'];
const MODIFY = ['update', 'patch'];
const DELETE = ['delete', 'deletecollection'];
const STREAM = ['get', 'create'];
const PROXY = ['get', 'create', 'update', 'patch', 'delete'];
const WHY: Readonly<Record<string, string>> = {
  read: 'get, list and watch return the same objects',
  modify: 'update and patch make the same changes',
  delete: 'delete and deletecollection remove the same objects',
  stream: 'the stream opens with a WebSocket GET as well as a POST',
  proxy: 'every HTTP method reaches the same backend',
};
const CLUSTER_WIDE_WHY = 'a list or watch without a namespace returns the objects of every namespace';
/** The group of resources the lint knows, so a rule without apiGroups is probed where the resource lives. */
const KNOWN_GROUPS: Readonly<Record<string, string>> = {
  pods: '', secrets: '', configmaps: '', services: '', serviceaccounts: '', nodes: '', namespaces: '', events: '',
  endpoints: '', persistentvolumeclaims: '', persistentvolumes: '', replicationcontrollers: '',
  deployments: 'apps', daemonsets: 'apps', statefulsets: 'apps', replicasets: 'apps', jobs: 'batch', cronjobs: 'batch',
};

/**
 * The verb-bypass check for deny rules on any resource but Secrets (the Secret check covers those with error
 * severity). Where a deny rule decides one verb of a class (read: get/list/watch; modify: update/patch; delete:
 * delete/deletecollection; streams: get/create; proxies: every HTTP verb) for a probe caller, object name and
 * namespace, every other verb of the class must be denied too; and where it denies a read in a namespace, a list/watch
 * across all namespaces must be denied (`cluster-wide`). Both are warnings.
 */
export function checkVerbBypass(policy: GatewayPolicy, evaluate: ProbeEvaluator, probes: LintProbes, out: FindingCollector): void {
  for (const rule of policy.rules) {
    if (rule.action !== 'deny' || rule.match.nonResourceURLs.length > 0) continue;
    for (const target of targetsOf(rule)) {
      if (target.apiGroup === '' && target.resource === 'secrets' && target.subresource === '') continue;
      const namespaces: readonly Probe[] = isClusterScoped(target.resource) ? [{ value: '', label: '' }] : probes.namespaces;
      for (const caller of probes.actors) {
        const readDeniedIn = new Map<string, Set<string>>();
        for (const namespace of namespaces) {
          for (const [className, verbs] of classesOf(target.subresource)) {
            for (const name of probes.names) {
              const requests = verbs.map((verb): ProbeRequest => ({
                apiGroup: target.apiGroup, resource: target.resource, subresource: target.subresource, verb, namespace: namespace.value, name: carriesName(verb, target.subresource) ? name.value : '',
              }));
              const decisions = requests.map((request) => evaluate(caller, request));
              const denied = requests.filter((_, i) => decisions[i]?.ruleId === rule.id && decisions[i]?.action === 'deny').map((r) => r.verb);
              if (denied.length === 0) continue;
              if (className === 'read') {
                const seen = readDeniedIn.get(namespace.label) ?? new Set<string>();
                for (const verb of denied) seen.add(verb);
                readDeniedIn.set(namespace.label, seen);
              }
              decisions.forEach((decision, i) => {
                if (decision.action === 'deny') return;
                out.add(bypass('verb-bypass', rule, target, denied, namespace.label, decision, (requests[i] as ProbeRequest).verb, namespace.label, WHY[className] ?? ''));
              });
            }
          }
        }
        if (target.subresource !== '' || isClusterScoped(target.resource)) continue;
        for (const [label, deniedVerbs] of readDeniedIn) {
          for (const verb of ['list', 'watch']) {
            const request: ProbeRequest = { apiGroup: target.apiGroup, resource: target.resource, subresource: '', verb, namespace: '', name: '' };
            const decision = evaluate(caller, request);
            if (decision.action !== 'deny') out.add(bypass('cluster-wide', rule, target, [...deniedVerbs], label, decision, verb, '', CLUSTER_WIDE_WHY));
          }
        }
      }
    }
  }
}

/** The (group, resource, subresource) values a rule's match names, globs sampled. */
function targetsOf(rule: PolicyRule): Target[] {
  const { apiGroups, resources } = rule.match;
  const out = new Map<string, Target>();
  for (const entry of resources.length === 0 ? ['*'] : resources) {
    const [resourcePattern = '*', subPattern = ''] = entry.split('/');
    const resource = sampleGlob(resourcePattern);
    const subresource = sampleGlob(subPattern);
    const known = KNOWN_GROUPS[resource];
    const groups = apiGroups.length === 0 || apiGroups.includes('*') ? [known ?? ''] : apiGroups.map(sampleGlob)
      .filter((group) => known === undefined || group === known);
    for (const apiGroup of groups) out.set(`${apiGroup}/${resource}/${subresource}`, { apiGroup, resource, subresource, labels: { resource: resourcePattern, subresource: subPattern } });
  }
  return [...out.values()];
}

function classesOf(subresource: string): Array<[string, readonly string[]]> {
  if (subresource === '') return [['read', READ], ['modify', MODIFY], ['delete', DELETE]];
  if (subresource === 'exec' || subresource === 'attach' || subresource === 'portforward') return [['stream', STREAM]];
  if (subresource === 'proxy') return [['proxy', PROXY]];
  return [['modify', MODIFY]];
}

function bypass(check: 'verb-bypass' | 'cluster-wide', rule: PolicyRule, target: Target, protectedVerbs: readonly string[],
  protectedNamespace: string, decision: PolicyDecision, verb: string, namespace: string, why: string): LintHit {
  return {
    check, severity: 'warning', ruleId: rule.id, ruleAction: rule.action, protectedVerbs, protectedNamespace,
    openedBy: decision.ruleId, openedAction: decision.action, verb, apiGroup: target.apiGroup,
    resource: target.labels.resource, subresource: check === 'cluster-wide' ? '' : target.labels.subresource, namespace, why,
  };
}
