import { isClusterWide } from '@auditgate/shared/kube';
import type { ActorMatch, GatewayPolicy, PolicyInput } from './policy-types.js';

/** One probed value and how the policy names it (the literal itself, the glob it samples, or `*` for "any other"). */
export interface Probe {
  readonly value: string;
  readonly label: string;
}

/** A synthetic caller: the actor and, when present, a verified on-behalf-of identity. */
export interface ActorProbe {
  readonly actor: PolicyInput['actor'];
  readonly onBehalfOf: PolicyInput['onBehalfOf'];
}

/** The callers, namespaces and object names the lint tries; all are derived from the policy's own patterns. */
export interface LintProbes {
  readonly actors: readonly ActorProbe[];
  readonly namespaces: readonly Probe[];
  /** Object names for requests that carry one; a rule's `names` only constrain these. */
  readonly names: readonly Probe[];
}

/** What a glob's `*` becomes in a probe value. */
const FILL = 'lint';
/** A namespace no rule names: stands for "every other namespace" (labelled `*`). */
export const OTHER_NAMESPACE: Probe = { value: 'auditgate-lint-other', label: '*' };
const OTHER_NAME: Probe = { value: 'auditgate-lint', label: '*' };
const SOMEONE = 'auditgate-lint:someone';
const SOMEONE_HUMAN = 'auditgate-lint:human';

/** A value the glob matches (`team-*` → `team-lint`); a literal is returned as is. */
export function sampleGlob(pattern: string): string {
  return pattern.replaceAll('*', FILL);
}

/**
 * The probes for a policy: every namespace and name its rules mention (a glob sampled once) plus one nobody mentions,
 * and callers built from each rule's actor constraints (one per username pattern, with that rule's groups, claims and
 * on-behalf-of), plus callers carrying every group and claim at once, so rules that key on different attributes of
 * one caller meet. The actor side is a heuristic: it finds what the policy's own patterns can reach.
 */
export function buildLintProbes(policy: GatewayPolicy): LintProbes {
  const actors = new Map<string, ActorProbe>();
  const add = (probe: ActorProbe): void => { actors.set(JSON.stringify(probe), probe); };
  const all = policy.rules.map((rule) => rule.match.actors);
  const everyGroup = unique(all.flatMap((a) => a.groups.map(sampleGlob)));
  const everyClaim = Object.fromEntries(all.flatMap((a) => Object.entries(a.claims).map(([k, v]) => [k, sampleGlob(v[0] ?? '')])));
  const everyHumanGroup = unique(all.flatMap((a) => a.onBehalfOf.groups.map(sampleGlob)));
  const humans = unique([SOMEONE_HUMAN, ...all.flatMap((a) => a.onBehalfOf.usernames.map(sampleGlob))]);
  for (const username of unique([SOMEONE, ...all.flatMap((a) => a.usernames.map(sampleGlob))])) {
    add({ actor: { username, groups: [], claims: {} }, onBehalfOf: undefined });
    add({ actor: { username, groups: everyGroup, claims: everyClaim }, onBehalfOf: undefined });
    for (const human of humans) {
      add({ actor: { username, groups: [], claims: {} }, onBehalfOf: { username: human, groups: [] } });
      add({ actor: { username, groups: everyGroup, claims: everyClaim }, onBehalfOf: { username: human, groups: everyHumanGroup } });
    }
  }
  for (const match of all) for (const probe of actorsOf(match)) add(probe);
  return {
    actors: [...actors.values()],
    namespaces: probesOf(policy.rules.flatMap((rule) => rule.match.namespaces), OTHER_NAMESPACE),
    names: probesOf(policy.rules.flatMap((rule) => rule.match.names), OTHER_NAME),
  };
}

/** Callers that satisfy one rule's actor constraints. */
function actorsOf(match: ActorMatch): ActorProbe[] {
  const groups = match.groups.map(sampleGlob);
  const claims = Object.fromEntries(Object.entries(match.claims).map(([k, v]) => [k, sampleGlob(v[0] ?? '')]));
  const obo = match.onBehalfOf;
  const constrained = obo.usernames.length > 0 || obo.groups.length > 0 || obo.present === true;
  const human = { username: sampleGlob(obo.usernames[0] ?? SOMEONE_HUMAN), groups: obo.groups.map(sampleGlob) };
  const humans = obo.present === false ? [undefined] : constrained ? [human] : [undefined, human];
  const usernames = match.usernames.length > 0 ? match.usernames.map(sampleGlob) : [SOMEONE];
  return usernames.flatMap((username) => humans.map((onBehalfOf) => ({ actor: { username, groups, claims }, onBehalfOf })));
}

function probesOf(patterns: readonly string[], other: Probe): Probe[] {
  const out = new Map<string, Probe>();
  for (const pattern of patterns) {
    if (pattern === '' || pattern === '*') continue;
    const value = sampleGlob(pattern);
    if (!out.has(value)) out.set(value, { value, label: pattern });
  }
  out.set(other.value, other);
  return [...out.values()];
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** One resource request as the proxy classifies it (`clusterWide` computed as the proxy does). */
export interface ProbeRequest {
  readonly verb: string;
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
}

/** The evaluator input for a probe request from a probe caller. */
export function probeInput(caller: ActorProbe, request: ProbeRequest): PolicyInput {
  const { verb, apiGroup, resource, subresource, namespace, name } = request;
  const path = [apiGroup === '' ? '/api/v1' : `/apis/${apiGroup}/v1`, namespace === '' ? '' : `/namespaces/${namespace}`,
    `/${resource}`, name === '' ? '' : `/${name}`, subresource === '' ? '' : `/${subresource}`].join('');
  return {
    actor: caller.actor, onBehalfOf: caller.onBehalfOf, verb, apiGroup, resource, subresource, namespace, name,
    isResourceRequest: true, path, clusterWide: isClusterWide({ verb, resource, subresource, namespace, isResourceRequest: true }),
  };
}

/** True for a resource without namespaces (nodes, namespaces, cluster roles, …), as the proxy knows them. */
export function isClusterScoped(resource: string): boolean {
  return !isClusterWide({ verb: 'list', resource, namespace: '', isResourceRequest: true });
}
