import { AUDIT_LEVELS, AppError, ErrorCodes, type AuditLevel } from '@auditgate/shared';
import { LineCounter, parseDocument } from 'yaml';
import { auditLevelWarnings } from './audit-level-resolver.js';
import { canonicalDigest } from '@auditgate/shared';
import { resourceEntryProblem } from './resource-matcher.js';
import { join, YamlNodeReader, type StringOptions, type YamlValue } from './yaml-node-reader.js';
import { readMcpPolicy } from './parse-mcp-policy.js';
import type {
  ActorMatch, AuditGroupResources, AuditLevelRule, EffectiveLimits, GatewayPolicy, LimitOverrides, PolicyAction,
  PolicyRule, RuleMatch,
} from './policy-types.js';

/** Rule ids the evaluator uses for its own decisions; a policy rule may not take them. */
export const RESERVED_RULE_IDS: readonly string[] = ['default', 'require-on-behalf-of', 'global-limits'];

const API_VERSION = 'auditgate.dev/v1';
const KIND = 'GatewayPolicy';
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const DEFAULT_LIMITS: EffectiveLimits = { maxResponseBytes: 0, ratePerActorPerSecond: 0, burst: 0, allowClusterWideLists: true };
const LIMIT_KEYS = ['maxResponseBytes', 'ratePerActorPerSecond', 'burst', 'allowClusterWideLists'] as const;
const NON_EMPTY: StringOptions = { check: (value) => (value === '' ? 'must not be empty' : undefined) };
const ANY_STRING: StringOptions = {};
const RESOURCE: StringOptions = { check: resourceEntryProblem };
const URL_GLOB: StringOptions = {
  check: (value) => (value === '*' || value.startsWith('/') ? undefined : `"${value}" must start with "/" (or be "*")`),
};

/**
 * Parses and validates a policy file. Throws one `AUDITGATE_E_CONFIG_INVALID` error listing every problem as
 * `source:line:col path: message` (also in `details.problems`); unknown keys, duplicate keys and duplicate rule ids
 * are problems. The result is normalized (defaults filled in), deep-frozen and carries its `bundleHash`.
 */
export function parsePolicy(text: string, source: string): GatewayPolicy {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) {
    throw invalid(source, document.errors.map((error) => {
      const position = error.linePos?.[0];
      const where = position ? `${source}:${position.line}:${position.col}` : source;
      const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      return `${where} ${error.code}: ${message}`;
    }));
  }
  const reader = new YamlNodeReader(document, lineCounter, source);
  const spec = readSpec(reader, document.contents as YamlValue);
  if (reader.problems.length > 0) throw invalid(source, reader.problems);
  const warnings = [...auditLevelWarnings(spec.auditLevels), ...unreachableRuleWarnings(spec.rules)];
  return deepFreeze({ ...spec, bundleHash: canonicalDigest(spec), source, warnings });
}

type PolicySpec = Omit<GatewayPolicy, 'bundleHash' | 'source' | 'warnings'>;

function readSpec(r: YamlNodeReader, root: YamlValue): PolicySpec {
  const top = r.map(root, '', [
    'apiVersion', 'kind', 'defaultAction', 'requireOnBehalfOf', 'impersonation', 'limits', 'rules', 'auditLevels', 'mcp',
  ], ['apiVersion', 'kind', 'defaultAction']);
  if (!top) return emptySpec();
  if (top.has('apiVersion')) r.string(top.get('apiVersion'), 'apiVersion', { oneOf: [API_VERSION] });
  if (top.has('kind')) r.string(top.get('kind'), 'kind', { oneOf: [KIND] });
  const defaultAction = top.has('defaultAction')
    ? r.string(top.get('defaultAction'), 'defaultAction', { oneOf: ['allow', 'deny'] }) : undefined;
  const requireOnBehalfOf = top.has('requireOnBehalfOf') ? r.bool(top.get('requireOnBehalfOf'), 'requireOnBehalfOf') : false;
  const allowClientImpersonation = top.has('impersonation') ? readImpersonation(r, top.get('impersonation'), 'impersonation') : false;
  const limits = { ...DEFAULT_LIMITS, ...(top.has('limits') ? readLimits(r, top.get('limits'), 'limits') : {}) };
  const ids = new Map<string, string>();
  const rules = r.seq(top.get('rules'), 'rules')
    .map((node, index) => readRule(r, node, `rules[${index}]`, ids))
    .filter((rule): rule is PolicyRule => rule !== undefined);
  const auditLevels = r.seq(top.get('auditLevels'), 'auditLevels')
    .map((node, index) => readAuditLevel(r, node, `auditLevels[${index}]`));
  // Only a policy that has the section carries it, so the bundle hash of every other policy is unchanged.
  const mcp = top.has('mcp') ? readMcpPolicy(r, top.get('mcp'), 'mcp') : undefined;
  return {
    apiVersion: API_VERSION, kind: KIND, defaultAction: defaultAction === 'allow' ? 'allow' : 'deny',
    requireOnBehalfOf: requireOnBehalfOf ?? false, allowClientImpersonation: allowClientImpersonation ?? false,
    limits, rules, auditLevels, ...(mcp === undefined ? {} : { mcp }),
  };
}

function readImpersonation(r: YamlNodeReader, node: YamlValue, path: string): boolean | undefined {
  const map = r.map(node, path, ['allowClientImpersonation'], ['allowClientImpersonation']);
  return map?.has('allowClientImpersonation')
    ? r.bool(map.get('allowClientImpersonation'), join(path, 'allowClientImpersonation')) : undefined;
}

function readLimits(r: YamlNodeReader, node: YamlValue, path: string): LimitOverrides {
  const map = r.map(node, path, LIMIT_KEYS);
  if (!map) return {};
  const out: { -readonly [K in keyof EffectiveLimits]?: EffectiveLimits[K] } = {};
  const bytes = map.has('maxResponseBytes') ? r.count(map.get('maxResponseBytes'), join(path, 'maxResponseBytes'), true) : undefined;
  if (bytes !== undefined) out.maxResponseBytes = bytes;
  const rate = map.has('ratePerActorPerSecond')
    ? r.count(map.get('ratePerActorPerSecond'), join(path, 'ratePerActorPerSecond'), false) : undefined;
  if (rate !== undefined) out.ratePerActorPerSecond = rate;
  const burst = map.has('burst') ? r.count(map.get('burst'), join(path, 'burst'), true) : undefined;
  if (burst !== undefined) out.burst = burst;
  const lists = map.has('allowClusterWideLists')
    ? r.bool(map.get('allowClusterWideLists'), join(path, 'allowClusterWideLists')) : undefined;
  if (lists !== undefined) out.allowClusterWideLists = lists;
  return out;
}

function readRule(r: YamlNodeReader, node: YamlValue, path: string, ids: Map<string, string>): PolicyRule | undefined {
  const map = r.map(node, path, ['id', 'action', 'reason', 'match', 'limits', 'impersonation'], ['id', 'action']);
  if (!map) return undefined;
  const idNode = map.get('id');
  const id = map.has('id') ? r.string(idNode, join(path, 'id'), {
    check: (value) => {
      if (!ID_PATTERN.test(value)) return `"${value}" must match ${ID_PATTERN.source}`;
      if (RESERVED_RULE_IDS.includes(value)) return `"${value}" is reserved (${RESERVED_RULE_IDS.join(', ')})`;
      const first = ids.get(value);
      return first === undefined ? undefined : `duplicate id "${value}" (first used at ${first})`;
    },
  }) : undefined;
  if (id !== undefined) ids.set(id, r.where(idNode));
  const action = map.has('action')
    ? r.string(map.get('action'), join(path, 'action'), { oneOf: ['allow', 'deny', 'mask'] }) as PolicyAction | undefined
    : undefined;
  const reason = map.has('reason') ? r.string(map.get('reason'), join(path, 'reason')) : undefined;
  const match = map.has('match') ? readMatch(r, map.get('match'), join(path, 'match')) : emptyMatch();
  const limits = map.has('limits') ? readLimits(r, map.get('limits'), join(path, 'limits')) : {};
  const impersonation = map.has('impersonation') ? readImpersonation(r, map.get('impersonation'), join(path, 'impersonation')) : undefined;
  if (id === undefined || action === undefined) return undefined;
  const rule: PolicyRule = { id, action, reason: reason ?? `matched rule ${id}`, match, limits };
  return impersonation === undefined ? rule : { ...rule, allowClientImpersonation: impersonation };
}

function readMatch(r: YamlNodeReader, node: YamlValue, path: string): RuleMatch {
  const map = r.map(node, path, ['actors', 'verbs', 'apiGroups', 'resources', 'namespaces', 'names', 'nonResourceURLs']);
  if (!map) return emptyMatch();
  const list = (key: string, options: StringOptions): string[] => r.stringList(map.get(key), join(path, key), options);
  const match: RuleMatch = {
    actors: map.has('actors') ? readActors(r, map.get('actors'), join(path, 'actors')) : emptyActors(),
    verbs: list('verbs', NON_EMPTY),
    apiGroups: list('apiGroups', ANY_STRING),
    resources: list('resources', RESOURCE),
    namespaces: list('namespaces', ANY_STRING),
    names: list('names', ANY_STRING),
    nonResourceURLs: list('nonResourceURLs', URL_GLOB),
  };
  const resourceKeys = ['apiGroups', 'resources', 'namespaces', 'names'].filter((key) => map.has(key));
  if (map.has('nonResourceURLs') && resourceKeys.length > 0) {
    r.problem(map.get('nonResourceURLs'), join(path, 'nonResourceURLs'),
      `cannot be combined with ${resourceKeys.join(', ')} (a request is either a resource or a non-resource request)`);
  }
  return match;
}

function readActors(r: YamlNodeReader, node: YamlValue, path: string): ActorMatch {
  const map = r.map(node, path, ['usernames', 'groups', 'claims', 'onBehalfOf']);
  if (!map) return emptyActors();
  const claims: Record<string, string[]> = {};
  if (map.has('claims')) {
    const claimsPath = join(path, 'claims');
    for (const [name, value] of r.pairs(map.get('claims'), claimsPath) ?? []) {
      const before = r.problems.length;
      const values = r.stringList(value, join(claimsPath, name), ANY_STRING);
      if (values.length === 0 && r.problems.length === before) {
        r.problem(r.resolve(value), join(claimsPath, name), 'must list at least one allowed value');
      }
      claims[name] = values;
    }
  }
  let onBehalfOf: ActorMatch['onBehalfOf'] = { usernames: [], groups: [] };
  if (map.has('onBehalfOf')) {
    const oboPath = join(path, 'onBehalfOf');
    const obo = r.map(map.get('onBehalfOf'), oboPath, ['usernames', 'groups', 'present']);
    if (obo) {
      const usernames = r.stringList(obo.get('usernames'), join(oboPath, 'usernames'), NON_EMPTY);
      const groups = r.stringList(obo.get('groups'), join(oboPath, 'groups'), NON_EMPTY);
      const present = obo.has('present') ? r.bool(obo.get('present'), join(oboPath, 'present')) : undefined;
      if (present === false && (usernames.length > 0 || groups.length > 0)) {
        r.problem(obo.get('present'), join(oboPath, 'present'), 'false contradicts the usernames/groups constraints');
      }
      onBehalfOf = present === undefined ? { usernames, groups } : { usernames, groups, present };
    }
  }
  return {
    usernames: r.stringList(map.get('usernames'), join(path, 'usernames'), NON_EMPTY),
    groups: r.stringList(map.get('groups'), join(path, 'groups'), NON_EMPTY),
    claims,
    onBehalfOf,
  };
}

function readAuditLevel(r: YamlNodeReader, node: YamlValue, path: string): AuditLevelRule {
  const map = r.map(node, path, ['level', 'users', 'userGroups', 'verbs', 'resources', 'namespaces', 'nonResourceURLs'], ['level']);
  const rule: AuditLevelRule = { level: 'Metadata', users: [], userGroups: [], verbs: [], resources: [], namespaces: [], nonResourceURLs: [] };
  if (!map) return rule;
  const level = map.has('level') ? r.string(map.get('level'), join(path, 'level'), { oneOf: AUDIT_LEVELS }) : undefined;
  const list = (key: string, options: StringOptions): string[] => r.stringList(map.get(key), join(path, key), options);
  const resources = r.seq(map.get('resources'), join(path, 'resources')).map((item, index): AuditGroupResources => {
    const itemPath = `${join(path, 'resources')}[${index}]`;
    const group = r.map(item, itemPath, ['group', 'resources', 'resourceNames']);
    return {
      group: group?.has('group') ? r.string(group.get('group'), join(itemPath, 'group')) ?? '' : '',
      resources: r.stringList(group?.get('resources'), join(itemPath, 'resources'), RESOURCE),
      resourceNames: r.stringList(group?.get('resourceNames'), join(itemPath, 'resourceNames'), ANY_STRING),
    };
  });
  if (map.has('nonResourceURLs') && (map.has('resources') || map.has('namespaces'))) {
    r.problem(map.get('nonResourceURLs'), join(path, 'nonResourceURLs'), 'cannot be combined with resources or namespaces');
  }
  return {
    level: (level ?? 'Metadata') as AuditLevel,
    users: list('users', NON_EMPTY),
    userGroups: list('userGroups', NON_EMPTY),
    verbs: list('verbs', NON_EMPTY),
    resources,
    namespaces: list('namespaces', ANY_STRING),
    nonResourceURLs: list('nonResourceURLs', URL_GLOB),
  };
}

function unreachableRuleWarnings(rules: readonly PolicyRule[]): string[] {
  const catchAll = rules.findIndex((rule) => isCatchAll(rule.match));
  if (catchAll < 0 || catchAll === rules.length - 1) return [];
  return [`rules[${catchAll}] (${rules[catchAll]?.id}) matches every request; the ${rules.length - catchAll - 1} rule(s) after it never apply`];
}

function isCatchAll(match: RuleMatch): boolean {
  const { actors } = match;
  return [match.verbs, match.apiGroups, match.resources, match.namespaces, match.names, match.nonResourceURLs,
    actors.usernames, actors.groups, actors.onBehalfOf.usernames, actors.onBehalfOf.groups].every((list) => list.length === 0)
    && Object.keys(actors.claims).length === 0 && actors.onBehalfOf.present === undefined;
}

function emptyActors(): ActorMatch {
  return { usernames: [], groups: [], claims: {}, onBehalfOf: { usernames: [], groups: [] } };
}

function emptyMatch(): RuleMatch {
  return { actors: emptyActors(), verbs: [], apiGroups: [], resources: [], namespaces: [], names: [], nonResourceURLs: [] };
}

function emptySpec(): PolicySpec {
  return {
    apiVersion: API_VERSION, kind: KIND, defaultAction: 'deny', requireOnBehalfOf: false, allowClientImpersonation: false,
    limits: DEFAULT_LIMITS, rules: [], auditLevels: [],
  };
}

function invalid(source: string, problems: readonly string[]): AppError {
  return new AppError(`invalid policy ${source} (${problems.length} problem(s)):\n  - ${problems.join('\n  - ')}`, {
    code: ErrorCodes.CONFIG_INVALID,
    details: { source, problems: [...problems] },
  });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
