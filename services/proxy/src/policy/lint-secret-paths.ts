import type { FindingCollector, LintHit } from './lint-findings.js';
import type { ActorProbe, LintProbes, ProbeRequest } from './lint-probes.js';
import type { GatewayPolicy, PolicyAction, PolicyDecision } from './policy-types.js';
import { carriesName, SECRET_SIDE_PATHS, type SecretSidePath } from './secret-side-paths.js';

/** Evaluates one probe request from one probe caller with the real evaluator. */
export type ProbeEvaluator = (caller: ActorProbe, request: ProbeRequest) => PolicyDecision;

interface Protection { readonly ruleId: string; readonly action: PolicyAction; readonly verbs: readonly string[] }

const READ_VERBS = ['get', 'list', 'watch'];
const SECRET = { apiGroup: '', resource: 'secrets', subresource: '' } as const;
const READ_WHY = 'list and watch return every Secret of the namespace, get returns one, and all carry the values';
const PATCH_WHY = 'a patch response (even for an empty patch) carries the whole Secret';
const CLUSTER_WIDE_WHY = 'a list or watch without a namespace returns the Secrets of every namespace';

/**
 * The Secret check. For every caller and namespace probe where a policy rule denies or masks reading a Secret (the
 * "protecting" rule, found by evaluating get/list/watch, so shadowed rules protect nothing), it evaluates the other
 * ways to the value and reports each one the policy does not deny: the other read verbs and patch (`verb-bypass`;
 * error when plainly allowed, warning when a `deny` is downgraded to `mask`), a list/watch across all namespaces
 * (`cluster-wide`, same severities), the side paths of `SECRET_SIDE_PATHS` in that namespace and nodes/proxy
 * (`indirect-path` errors under a deny, warnings under a mask; `pod-spec` warnings; only `deny` closes these). The `default` action is
 * not a protecting rule: the lint holds a policy to what its rules say.
 */
export function checkSecretPaths(policy: GatewayPolicy, evaluate: ProbeEvaluator, probes: LintProbes, out: FindingCollector): void {
  const ruleActions = new Map(policy.rules.map((rule) => [rule.id, rule.action]));
  for (const caller of probes.actors) {
    const protectedNamespaces = new Map<string, { protection: Protection; labels: Set<string> }>();
    for (const namespace of probes.namespaces) {
      const inNamespace = new Map<string, Protection>();
      for (const name of probes.names) {
        const requests = [
          secret('get', namespace.value, name.value), secret('list', namespace.value, ''), secret('watch', namespace.value, ''),
          secret('patch', namespace.value, name.value),
        ];
        const decisions = requests.map((request) => evaluate(caller, request));
        const protection = protectionOf(requests, decisions, ruleActions);
        if (protection === undefined) continue;
        inNamespace.set(protection.ruleId, protection);
        requests.forEach((request, index) => {
          const decision = decisions[index] as PolicyDecision;
          if (closesSecretRead(decision.action, protection.action)) return;
          out.add(hit('verb-bypass', decision.action === 'allow' ? 'error' : 'warning', protection, namespace.label, decision,
            request, namespace.label, request.verb === 'patch' ? PATCH_WHY : READ_WHY));
        });
      }
      for (const protection of inNamespace.values()) {
        const entry = protectedNamespaces.get(protection.ruleId) ?? { protection, labels: new Set<string>() };
        entry.labels.add(namespace.label);
        protectedNamespaces.set(protection.ruleId, entry);
        for (const path of SECRET_SIDE_PATHS) {
          if (path.clusterScoped) continue;
          for (const [request, decision] of sidePathDecisions(evaluate, caller, path, namespace.value, probes)) {
            if (decision.action === 'deny') continue;
            out.add(hit(path.check, sidePathSeverity(path.check, protection), protection, namespace.label, decision,
              request, namespace.label, path.why));
          }
        }
      }
    }
    // Without a namespace: nodes/proxy on any node, and a list/watch of Secrets across all namespaces.
    for (const { protection, labels } of protectedNamespaces.values()) {
      const open: Array<[LintHit['check'], LintHit['severity'], ProbeRequest, PolicyDecision, string]> = [];
      for (const path of SECRET_SIDE_PATHS) {
        if (!path.clusterScoped) continue;
        for (const [request, decision] of sidePathDecisions(evaluate, caller, path, '', probes)) {
          if (decision.action !== 'deny') open.push([path.check, sidePathSeverity(path.check, protection), request, decision, path.why]);
        }
      }
      for (const verb of ['list', 'watch']) {
        const request = secret(verb, '', '');
        const decision = evaluate(caller, request);
        if (!closesSecretRead(decision.action, protection.action)) {
          open.push(['cluster-wide', decision.action === 'allow' ? 'error' : 'warning', request, decision, CLUSTER_WIDE_WHY]);
        }
      }
      for (const label of labels) {
        for (const [check, severity, request, decision, why] of open) out.add(hit(check, severity, protection, label, decision, request, '', why));
      }
    }
  }
}

/**
 * An open side path is an error where a rule denies the Secret (the deny promises the value stays out of reach), a
 * warning where a rule only masks it (a mask promises what the API returns and records, not what a shell in a pod
 * that mounts the Secret can read). Pod-spec writes take a second step, so they warn either way.
 */
function sidePathSeverity(check: LintHit['check'], protection: Protection): LintHit['severity'] {
  return check === 'pod-spec' || protection.action === 'mask' ? 'warning' : 'error';
}

function secret(verb: string, namespace: string, name: string): ProbeRequest {
  return { ...SECRET, verb, namespace, name };
}

/** The rule that denies (preferred) or masks one of the read requests, if it is a policy rule. */
function protectionOf(requests: readonly ProbeRequest[], decisions: readonly PolicyDecision[],
  ruleActions: ReadonlyMap<string, PolicyAction>): Protection | undefined {
  const reads = decisions.filter((decision, index) => READ_VERBS.includes(requests[index]?.verb ?? '')
    && ruleActions.has(decision.ruleId) && decision.action !== 'allow');
  const chosen = reads.find((decision) => decision.action === 'deny') ?? reads[0];
  if (chosen === undefined) return undefined;
  const verbs = requests.filter((request, index) => READ_VERBS.includes(request.verb)
    && decisions[index]?.ruleId === chosen.ruleId && decisions[index]?.action === chosen.action).map((request) => request.verb);
  return { ruleId: chosen.ruleId, action: chosen.action, verbs };
}

/** A deny closes a read; a mask closes it only when the protection itself is a mask. */
function closesSecretRead(action: PolicyAction, protection: PolicyAction): boolean {
  return action === 'deny' || (action === 'mask' && protection === 'mask');
}

function sidePathDecisions(evaluate: ProbeEvaluator, caller: ActorProbe, path: SecretSidePath, namespace: string,
  probes: LintProbes): Array<[ProbeRequest, PolicyDecision]> {
  const out: Array<[ProbeRequest, PolicyDecision]> = [];
  for (const verb of path.verbs) {
    const names = carriesName(verb, path.subresource) ? probes.names.map((name) => name.value) : [''];
    for (const name of names) {
      const request: ProbeRequest = { verb, apiGroup: path.apiGroup, resource: path.resource, subresource: path.subresource, namespace, name };
      out.push([request, evaluate(caller, request)]);
    }
  }
  return out;
}

function hit(check: LintHit['check'], severity: LintHit['severity'], protection: Protection, protectedNamespace: string,
  decision: PolicyDecision, request: ProbeRequest, namespace: string, why: string): LintHit {
  return {
    check, severity, ruleId: protection.ruleId, ruleAction: protection.action, protectedVerbs: protection.verbs,
    protectedNamespace, openedBy: decision.ruleId, openedAction: decision.action, verb: request.verb,
    apiGroup: request.apiGroup, resource: request.resource, subresource: request.subresource, namespace, why,
  };
}
