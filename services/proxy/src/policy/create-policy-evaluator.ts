import { AUDIT_LEVELS, type AuditLevel } from '@auditgate/shared';
import { createAuditLevelResolver } from './audit-level-resolver.js';
import { compileGlobList, matchesAny, type StringMatcher } from './glob.js';
import { compileResourceList, type ResourceMatcher } from './resource-matcher.js';
import type {
  EffectiveLimits, GatewayPolicy, PolicyAction, PolicyDecision, PolicyInput, PolicyRule,
} from './policy-types.js';

/** Evaluates requests against one loaded policy. */
export interface PolicyEvaluator {
  /** The decision for one request; returns a shared frozen object (no per-call allocation). */
  evaluate(input: PolicyInput): PolicyDecision;
  /** The policy this evaluator was built from. */
  readonly policy: GatewayPolicy;
}

type Decisions = Readonly<Record<AuditLevel, PolicyDecision>>;

interface ClaimMatcher { readonly name: string; readonly path: readonly string[]; readonly matcher: StringMatcher }

interface CompiledRule {
  readonly usernames: StringMatcher | undefined;
  readonly groups: StringMatcher | undefined;
  readonly claims: readonly ClaimMatcher[];
  readonly oboPresent: boolean | undefined;
  readonly oboUsernames: StringMatcher | undefined;
  readonly oboGroups: StringMatcher | undefined;
  readonly verbs: StringMatcher | undefined;
  readonly apiGroups: StringMatcher | undefined;
  readonly resources: ResourceMatcher | undefined;
  readonly namespaces: StringMatcher | undefined;
  readonly names: StringMatcher | undefined;
  readonly nonResourceURLs: StringMatcher | undefined;
  readonly resourceOnly: boolean;
  readonly decisions: Decisions;
  /** Set when the rule permits but its effective limits forbid cluster-wide list/watch. */
  readonly clusterWideDenial: Decisions | undefined;
}

const CLUSTER_WIDE_REASON = 'list/watch across all namespaces is not allowed by the effective limits';

/**
 * Precompiles a policy into an evaluator. Order of checks: `requireOnBehalfOf` (ruleId `require-on-behalf-of`), then
 * the rules in file order where the FIRST matching rule decides, else `defaultAction` (ruleId `default`). A permitted
 * cluster-wide list/watch is then denied when the effective `allowClusterWideLists` is false; its ruleId names where
 * that limit came from (the rule, or `global-limits`). The audit level comes from `auditLevels` independently.
 */
export function createPolicyEvaluator(policy: GatewayPolicy): PolicyEvaluator {
  const resolveLevel = createAuditLevelResolver(policy.auditLevels);
  const decide = (action: PolicyAction, ruleId: string, reason: string, limits: EffectiveLimits, impersonation: boolean): Decisions =>
    decisionsByLevel({ action, ruleId, reason, bundleHash: policy.bundleHash, limits, allowClientImpersonation: impersonation });
  const global = policy.limits;
  const globalImpersonation = policy.allowClientImpersonation;
  const clusterWideFor = (action: PolicyAction, limits: EffectiveLimits, source: string, impersonation: boolean): Decisions | undefined =>
    action === 'deny' || limits.allowClusterWideLists ? undefined : decide('deny', source, CLUSTER_WIDE_REASON, limits, impersonation);

  const rules = policy.rules.map((rule): CompiledRule => {
    const limits: EffectiveLimits = Object.freeze({ ...global, ...rule.limits });
    const impersonation = rule.allowClientImpersonation ?? globalImpersonation;
    const limitSource = rule.limits.allowClusterWideLists === undefined ? 'global-limits' : rule.id;
    return {
      ...compileMatch(rule),
      decisions: decide(rule.action, rule.id, rule.reason, limits, impersonation),
      clusterWideDenial: clusterWideFor(rule.action, limits, limitSource, impersonation),
    };
  });
  const defaultReason = `no rule matched; default action ${policy.defaultAction}`;
  const defaults = decide(policy.defaultAction, 'default', defaultReason, global, globalImpersonation);
  const defaultClusterWide = clusterWideFor(policy.defaultAction, global, 'global-limits', globalImpersonation);
  const requireObo = policy.requireOnBehalfOf
    ? decide('deny', 'require-on-behalf-of', 'a verified on-behalf-of identity is required', global, globalImpersonation)
    : undefined;

  return {
    policy,
    evaluate(input) {
      const level = resolveLevel(input);
      if (requireObo !== undefined && input.onBehalfOf === undefined) return requireObo[level];
      const isClusterWideList = input.clusterWide && (input.verb === 'list' || input.verb === 'watch');
      for (let i = 0; i < rules.length; i++) {
        const rule = rules[i] as CompiledRule;
        if (!ruleMatches(rule, input)) continue;
        return isClusterWideList && rule.clusterWideDenial !== undefined ? rule.clusterWideDenial[level] : rule.decisions[level];
      }
      return isClusterWideList && defaultClusterWide !== undefined ? defaultClusterWide[level] : defaults[level];
    },
  };
}

function decisionsByLevel(base: Omit<PolicyDecision, 'auditLevel'>): Decisions {
  const out = {} as Record<AuditLevel, PolicyDecision>;
  for (const auditLevel of AUDIT_LEVELS) out[auditLevel] = Object.freeze({ ...base, auditLevel });
  return Object.freeze(out);
}

function compileMatch(rule: PolicyRule): Omit<CompiledRule, 'decisions' | 'clusterWideDenial'> {
  const { match } = rule;
  const { actors } = match;
  return {
    usernames: compileGlobList(actors.usernames),
    groups: compileGlobList(actors.groups),
    claims: Object.entries(actors.claims).map(([name, values]) => ({
      name, path: name.split('.'), matcher: compileGlobList(values) ?? (() => false),
    })),
    oboPresent: actors.onBehalfOf.usernames.length > 0 || actors.onBehalfOf.groups.length > 0 ? true : actors.onBehalfOf.present,
    oboUsernames: compileGlobList(actors.onBehalfOf.usernames),
    oboGroups: compileGlobList(actors.onBehalfOf.groups),
    verbs: compileGlobList(match.verbs),
    apiGroups: compileGlobList(match.apiGroups),
    resources: compileResourceList(match.resources),
    namespaces: compileGlobList(match.namespaces),
    names: compileGlobList(match.names),
    nonResourceURLs: compileGlobList(match.nonResourceURLs),
    resourceOnly: [match.apiGroups, match.resources, match.namespaces, match.names].some((list) => list.length > 0),
  };
}

function ruleMatches(rule: CompiledRule, input: PolicyInput): boolean {
  if (rule.verbs && !rule.verbs(input.verb)) return false;
  if (rule.nonResourceURLs) {
    if (input.isResourceRequest || !rule.nonResourceURLs(input.path)) return false;
  } else if (rule.resourceOnly) {
    if (!input.isResourceRequest) return false;
    if (rule.apiGroups && !rule.apiGroups(input.apiGroup)) return false;
    if (rule.resources && !rule.resources(input.resource, input.subresource)) return false;
    if (rule.namespaces && !rule.namespaces(input.namespace)) return false;
    if (rule.names && !rule.names(input.name)) return false;
  }
  const { actor, onBehalfOf } = input;
  if (rule.usernames && !rule.usernames(actor.username)) return false;
  if (rule.groups && !matchesAny(rule.groups, actor.groups)) return false;
  for (let i = 0; i < rule.claims.length; i++) {
    if (!claimMatches(rule.claims[i] as ClaimMatcher, actor.claims)) return false;
  }
  if (rule.oboPresent !== undefined && rule.oboPresent !== (onBehalfOf !== undefined)) return false;
  if (onBehalfOf !== undefined) {
    if (rule.oboUsernames && !rule.oboUsernames(onBehalfOf.username)) return false;
    if (rule.oboGroups && !matchesAny(rule.oboGroups, onBehalfOf.groups)) return false;
  }
  return true;
}

function claimMatches(claim: ClaimMatcher, claims: Readonly<Record<string, unknown>>): boolean {
  let value: unknown = claims[claim.name];
  if (value === undefined && claim.path.length > 1) {
    value = claims;
    for (let i = 0; i < claim.path.length && value !== undefined && value !== null; i++) {
      value = typeof value === 'object' ? (value as Record<string, unknown>)[claim.path[i] as string] : undefined;
    }
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (scalarMatches(claim.matcher, value[i])) return true;
    return false;
  }
  return scalarMatches(claim.matcher, value);
}

function scalarMatches(matcher: StringMatcher, value: unknown): boolean {
  if (typeof value === 'string') return matcher(value);
  if (typeof value === 'number' || typeof value === 'boolean') return matcher(String(value));
  return false;
}
