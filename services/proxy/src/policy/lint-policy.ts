import { createPolicyEvaluator } from './create-policy-evaluator.js';
import { FindingCollector } from './lint-findings.js';
import { buildLintProbes, probeInput } from './lint-probes.js';
import { checkSecretPaths, type ProbeEvaluator } from './lint-secret-paths.js';
import type { LintFinding } from './lint-types.js';
import { checkVerbBypass } from './lint-verb-bypass.js';
import type { GatewayPolicy } from './policy-types.js';

/**
 * Finds requests a policy leaves open although its own deny (or mask) rules say the data behind them is protected.
 * Pure: it builds the real evaluator and evaluates synthetic requests (callers, namespaces and names sampled from the
 * policy's own patterns), so first-match order, subresource forms, namespace globs, the `""` namespace of cluster-scoped
 * resources and `allowClusterWideLists` count exactly as they do at runtime.
 *
 * Severities: **error** — a path that hands over a Secret the policy denies or masks: its other read verbs (or patch)
 * plainly allowed, a plain list/watch across all namespaces, or one of the indirect paths (pods/exec, attach,
 * portforward, pods/proxy, services/proxy, pods/ephemeralcontainers, serviceaccounts/token in the same namespaces;
 * nodes/proxy on any node) not denied (`mask` does not close them). **warning** — creating or changing pods and
 * pod-owning workloads where Secrets are protected (a new pod can mount them, but reading them back takes a second
 * step); a denied Secret that another verb only masks; and, for deny rules on any other resource, another verb of
 * the same class (get/list/watch, update/patch, delete/deletecollection, …) or a cluster-wide list left open.
 */
export function lintPolicy(policy: GatewayPolicy): LintFinding[] {
  const evaluator = createPolicyEvaluator(policy);
  const evaluate: ProbeEvaluator = (caller, request) => evaluator.evaluate(probeInput(caller, request));
  const probes = buildLintProbes(policy);
  const collector = new FindingCollector(policy.rules.map((rule) => rule.id));
  checkSecretPaths(policy, evaluate, probes, collector);
  checkVerbBypass(policy, evaluate, probes, collector);
  return collector.findings();
}
