/**
 * The gateway policy's data model: what `parsePolicy` returns (normalized, frozen, defaults filled in) and what the
 * evaluator consumes. Every list is "any of"; an empty list means "no constraint" (matches everything).
 */
import type { AuditLevel } from '@auditgate/shared';
import type { McpPolicy } from './mcp-policy-types.js';

/** What a rule does with a request it matches; `mask` forwards it and masks the response. */
export type PolicyAction = 'allow' | 'deny' | 'mask';

/** Limits applied to a request; 0 means unlimited. */
export interface EffectiveLimits {
  /** Largest response body forwarded, in bytes; 0 = unlimited. */
  readonly maxResponseBytes: number;
  /** Sustained requests per second per actor; 0 = unlimited. */
  readonly ratePerActorPerSecond: number;
  /** Token-bucket size per actor; 0 = ceil(rate), at least 1. */
  readonly burst: number;
  /** Whether list/watch across all namespaces is allowed. */
  readonly allowClusterWideLists: boolean;
}

/** Per-rule limit overrides; an omitted field inherits the policy-wide value. */
export type LimitOverrides = { readonly [K in keyof EffectiveLimits]?: EffectiveLimits[K] };

/** Who a rule applies to; all present constraints must hold. */
export interface ActorMatch {
  /** Globs against the caller's username. */
  readonly usernames: readonly string[];
  /** Globs; the caller matches when any of its groups matches any of them. */
  readonly groups: readonly string[];
  /** Claim name (a dotted path reaches nested claims) → globs; every listed claim must match (arrays: any element). */
  readonly claims: Readonly<Record<string, readonly string[]>>;
  /** Constraints on the verified on-behalf-of identity. */
  readonly onBehalfOf: OnBehalfOfMatch;
}

/** Constraints on the on-behalf-of identity; non-empty `usernames`/`groups` imply `present: true`. */
export interface OnBehalfOfMatch {
  readonly usernames: readonly string[];
  readonly groups: readonly string[];
  /** true: an on-behalf-of identity is required; false: it must be absent; omitted: either. */
  readonly present?: boolean;
}

/**
 * What a rule matches. `resources` uses RBAC forms: `pods` (no subresource), `pods/exec`, `pods/*` (any subresource),
 * `*` + `/status` (the status of any resource), `*` (everything). Namespace `""` is a cluster-scoped or all-namespaces request; glob `*` matches any
 * namespace including `""`. A rule with `nonResourceURLs` matches only non-resource requests; a rule with any of
 * `apiGroups`, `resources`, `namespaces`, `names` matches only resource requests.
 */
export interface RuleMatch {
  readonly actors: ActorMatch;
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly namespaces: readonly string[];
  readonly names: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

/** One rule; rules are tried in order and the first match decides. */
export interface PolicyRule {
  readonly id: string;
  readonly action: PolicyAction;
  readonly reason: string;
  readonly match: RuleMatch;
  readonly limits: LimitOverrides;
  /** Overrides the policy-wide `impersonation.allowClientImpersonation` when set. */
  readonly allowClientImpersonation?: boolean;
}

/** One entry of `auditLevels`, shaped like the API server's audit policy rule; the first match wins. */
export interface AuditLevelRule {
  readonly level: AuditLevel;
  readonly users: readonly string[];
  readonly userGroups: readonly string[];
  readonly verbs: readonly string[];
  readonly resources: readonly AuditGroupResources[];
  readonly namespaces: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

/** Resources of one API group in an audit-level rule; empty `resources` / `resourceNames` mean all. */
export interface AuditGroupResources {
  readonly group: string;
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
}

/** A validated gateway policy (`apiVersion: auditgate.dev/v1`, `kind: GatewayPolicy`). */
export interface GatewayPolicy {
  readonly apiVersion: 'auditgate.dev/v1';
  readonly kind: 'GatewayPolicy';
  readonly defaultAction: 'allow' | 'deny';
  readonly requireOnBehalfOf: boolean;
  readonly allowClientImpersonation: boolean;
  readonly limits: EffectiveLimits;
  readonly rules: readonly PolicyRule[];
  readonly auditLevels: readonly AuditLevelRule[];
  /** Rules on tool calls through the MCP endpoint; absent: every tool call is allowed, without a budget. */
  readonly mcp?: McpPolicy;
  /** sha256 hex of the canonical JSON of the fields above. */
  readonly bundleHash: string;
  /** Where the policy was loaded from (file path or a label). */
  readonly source: string;
  /** Non-fatal findings at load (clamped audit levels, unreachable rules). */
  readonly warnings: readonly string[];
}

/** The outcome of one evaluation; decisions are shared frozen objects, never mutate them. */
export interface PolicyDecision {
  readonly action: PolicyAction;
  readonly ruleId: string;
  readonly reason: string;
  readonly bundleHash: string;
  readonly limits: EffectiveLimits;
  readonly auditLevel: AuditLevel;
  readonly allowClientImpersonation: boolean;
}

/** A classified request, as the evaluator sees it. */
export interface PolicyInput {
  readonly actor: { readonly username: string; readonly groups: readonly string[]; readonly claims: Readonly<Record<string, unknown>> };
  /** Present only when a verified on-behalf-of token was presented. */
  readonly onBehalfOf?: { readonly username: string; readonly groups: readonly string[] } | undefined;
  readonly verb: string;
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
  readonly isResourceRequest: boolean;
  /** The URL path without the query string. */
  readonly path: string;
  /** True for list/watch across all namespaces of a namespaced resource. */
  readonly clusterWide: boolean;
}
