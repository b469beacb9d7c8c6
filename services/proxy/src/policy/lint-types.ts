/**
 * What `lintPolicy` reports: requests a policy leaves open although one of its deny (or mask) rules says the data
 * behind them is protected.
 */

/** `error` fails `auditgate policy lint`; `warning` fails it only under `--strict`. */
export type LintSeverity = 'error' | 'warning';

/**
 * Which check found the path: `indirect-path` (exec/attach/portforward, pods/services/nodes proxy, ephemeral
 * containers, service-account tokens next to protected Secrets), `pod-spec` (creating or changing pods and pod-owning
 * workloads where Secrets are protected), `verb-bypass` (another verb of the same resource), `cluster-wide` (a
 * list/watch without a namespace that returns the protected namespaces' objects).
 */
export type LintCheck = 'indirect-path' | 'pod-spec' | 'verb-bypass' | 'cluster-wide';

/** The requests left open, grouped: every verb listed is open in every namespace listed. */
export interface LintPath {
  /** Kubernetes verbs, in the order get, list, watch, create, update, patch, delete, deletecollection. */
  readonly verbs: readonly string[];
  /** API group; `""` is the core group. */
  readonly apiGroup: string;
  /** `resource` or `resource/subresource`; a `*` part stands for any value the policy does not name. */
  readonly resource: string;
  /**
   * Namespaces as the policy names them: a literal, a glob (probed with one matching value), `*` for any namespace
   * the policy does not name, and `""` for a cluster-scoped resource or a list/watch across all namespaces.
   */
  readonly namespaces: readonly string[];
}

/** One leak: which protection it defeats, the open path, what opens it, and how to close it. */
export interface LintFinding {
  readonly severity: LintSeverity;
  readonly check: LintCheck;
  /** The deny (or mask) rule whose protection the path gets around. */
  readonly ruleId: string;
  /** The rule that lets the path through, or `default` when no rule matches it. */
  readonly openedBy: string;
  readonly path: LintPath;
  /** One line: what is protected, what stays open, and why that matters. */
  readonly message: string;
  /** One line: how to close it. */
  readonly hint: string;
}
