import type { AuditLevel } from '@auditgate/shared';
import { compileGlobList, matchesAny, type StringMatcher } from './glob.js';
import { compileResourceList, type ResourceMatcher } from './resource-matcher.js';
import type { AuditLevelRule, PolicyInput } from './policy-types.js';

/** The level used when no audit-level rule matches (the API server would use None; a gateway records at least this). */
export const DEFAULT_AUDIT_LEVEL: AuditLevel = 'Metadata';

/** Verbs that change state; these are never audited below Metadata. */
export const WRITE_VERBS: readonly string[] = ['create', 'update', 'patch', 'delete', 'deletecollection'];

/** Picks the audit level of one request. */
export type AuditLevelResolver = (input: PolicyInput) => AuditLevel;

interface CompiledGroup {
  readonly group: StringMatcher | undefined;
  readonly resources: ResourceMatcher | undefined;
  readonly names: StringMatcher | undefined;
}

interface CompiledAuditRule {
  readonly level: AuditLevel;
  readonly users: StringMatcher | undefined;
  readonly userGroups: StringMatcher | undefined;
  readonly verbs: StringMatcher | undefined;
  readonly namespaces: StringMatcher | undefined;
  readonly nonResourceURLs: StringMatcher | undefined;
  readonly groups: readonly CompiledGroup[];
  readonly resourceOnly: boolean;
}

/** True for a write or any access to core Secrets: these are clamped to at least Metadata. */
export function mustAuditAtLeastMetadata(input: PolicyInput): boolean {
  if (input.isResourceRequest && input.resource === 'secrets' && input.apiGroup === '') return true;
  return WRITE_VERBS.includes(input.verb);
}

/**
 * Compiles `auditLevels` like the API server's audit policy: the first matching rule gives the level, no match gives
 * {@link DEFAULT_AUDIT_LEVEL}, and writes or Secret access are raised to Metadata when a rule says None.
 */
export function createAuditLevelResolver(rules: readonly AuditLevelRule[]): AuditLevelResolver {
  const compiled = rules.map(compileAuditRule);
  return (input) => {
    let level = DEFAULT_AUDIT_LEVEL;
    for (let i = 0; i < compiled.length; i++) {
      const rule = compiled[i] as CompiledAuditRule;
      if (auditRuleMatches(rule, input)) { level = rule.level; break; }
    }
    return level === 'None' && mustAuditAtLeastMetadata(input) ? 'Metadata' : level;
  };
}

/**
 * Load-time warnings for rules whose `None` would cover resource writes or Secret access (clamped to Metadata at
 * evaluation). Rules limited to `nonResourceURLs` are not flagged: writes there are clamped too, but are not expected.
 */
export function auditLevelWarnings(rules: readonly AuditLevelRule[]): string[] {
  const warnings: string[] = [];
  rules.forEach((rule, index) => {
    if (rule.level !== 'None' || rule.nonResourceURLs.length > 0) return;
    const verbs = compileGlobList(rule.verbs);
    const coversWrites = verbs === undefined || WRITE_VERBS.some(verbs);
    const coversSecrets = (verbs === undefined || ['get', 'list', 'watch'].some(verbs))
      && (rule.resources.length === 0 || rule.resources.some((group) => {
        const resources = compileResourceList(group.resources);
        return (compileGlobList([group.group])?.('') ?? true) && (resources === undefined || resources('secrets', ''));
      }));
    const covered = [coversWrites ? 'writes' : '', coversSecrets ? 'secrets' : ''].filter((word) => word !== '');
    if (covered.length > 0) {
      warnings.push(`auditLevels[${index}]: level None would cover ${covered.join(' and ')}; those requests are audited at Metadata`);
    }
  });
  return warnings;
}

function compileAuditRule(rule: AuditLevelRule): CompiledAuditRule {
  return {
    level: rule.level,
    users: compileGlobList(rule.users),
    userGroups: compileGlobList(rule.userGroups),
    verbs: compileGlobList(rule.verbs),
    namespaces: compileGlobList(rule.namespaces),
    nonResourceURLs: compileGlobList(rule.nonResourceURLs),
    groups: rule.resources.map((group) => ({
      group: compileGlobList([group.group]),
      resources: compileResourceList(group.resources),
      names: compileGlobList(group.resourceNames),
    })),
    resourceOnly: rule.resources.length > 0 || rule.namespaces.length > 0,
  };
}

function auditRuleMatches(rule: CompiledAuditRule, input: PolicyInput): boolean {
  if (rule.users && !rule.users(input.actor.username)) return false;
  if (rule.userGroups && !matchesAny(rule.userGroups, input.actor.groups)) return false;
  if (rule.verbs && !rule.verbs(input.verb)) return false;
  if (rule.nonResourceURLs) return !input.isResourceRequest && rule.nonResourceURLs(input.path);
  if (!rule.resourceOnly) return true;
  if (!input.isResourceRequest) return false;
  if (rule.namespaces && !rule.namespaces(input.namespace)) return false;
  if (rule.groups.length === 0) return true;
  for (let i = 0; i < rule.groups.length; i++) {
    const group = rule.groups[i] as CompiledGroup;
    if (group.group && !group.group(input.apiGroup)) continue;
    if (group.resources && !group.resources(input.resource, input.subresource)) continue;
    if (group.names && !group.names(input.name)) continue;
    return true;
  }
  return false;
}
