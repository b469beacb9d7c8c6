import { join, type StringOptions, type YamlNodeReader, type YamlValue } from './yaml-node-reader.js';
import type { McpBudget, McpPolicy, McpRule, McpRuleMatch } from './mcp-policy-types.js';

/** Rule ids the MCP evaluator uses for its own decisions. */
export const RESERVED_MCP_RULE_IDS: readonly string[] = ['mcp-default', 'mcp-budget'];

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const NON_EMPTY: StringOptions = { check: (value) => (value === '' ? 'must not be empty' : undefined) };
const ANY_STRING: StringOptions = {};

function readBudget(r: YamlNodeReader, node: YamlValue, path: string): McpBudget | undefined {
  const map = r.map(node, path, ['callsPerSession'], ['callsPerSession']);
  const calls = map?.has('callsPerSession') ? r.count(map.get('callsPerSession'), join(path, 'callsPerSession'), true) : undefined;
  if (calls === undefined) return undefined;
  if (calls < 1) { r.problem(map?.get('callsPerSession'), join(path, 'callsPerSession'), 'must be at least 1 (deny the calls instead)'); return undefined; }
  return { callsPerSession: calls };
}

function readMatch(r: YamlNodeReader, node: YamlValue, path: string): McpRuleMatch {
  const map = r.map(node, path, ['servers', 'tools', 'actors', 'arguments', 'kubernetes']);
  const empty: McpRuleMatch = { servers: [], tools: [], actors: { usernames: [], groups: [] }, arguments: {}, kubernetes: { namespaces: [], resources: [], names: [] } };
  if (!map) return empty;
  const actors = map.has('actors') ? r.map(map.get('actors'), join(path, 'actors'), ['usernames', 'groups']) : undefined;
  const kube = map.has('kubernetes') ? r.map(map.get('kubernetes'), join(path, 'kubernetes'), ['namespaces', 'resources', 'names']) : undefined;
  const args: Record<string, string[]> = {};
  if (map.has('arguments')) {
    const argsPath = join(path, 'arguments');
    for (const [name, value] of r.pairs(map.get('arguments'), argsPath) ?? []) {
      const before = r.problems.length;
      const values = r.stringList(value, join(argsPath, name), ANY_STRING);
      if (values.length === 0 && r.problems.length === before) r.problem(r.resolve(value), join(argsPath, name), 'must list at least one allowed value');
      args[name] = values;
    }
  }
  return {
    servers: r.stringList(map.get('servers'), join(path, 'servers'), NON_EMPTY),
    tools: r.stringList(map.get('tools'), join(path, 'tools'), NON_EMPTY),
    actors: {
      usernames: r.stringList(actors?.get('usernames'), join(path, 'actors.usernames'), NON_EMPTY),
      groups: r.stringList(actors?.get('groups'), join(path, 'actors.groups'), NON_EMPTY),
    },
    arguments: args,
    kubernetes: {
      namespaces: r.stringList(kube?.get('namespaces'), join(path, 'kubernetes.namespaces'), ANY_STRING),
      resources: r.stringList(kube?.get('resources'), join(path, 'kubernetes.resources'), ANY_STRING),
      names: r.stringList(kube?.get('names'), join(path, 'kubernetes.names'), ANY_STRING),
    },
  };
}

function readRule(r: YamlNodeReader, node: YamlValue, path: string, ids: Map<string, string>): McpRule | undefined {
  const map = r.map(node, path, ['id', 'action', 'reason', 'match', 'budget'], ['id', 'action']);
  if (!map) return undefined;
  const idNode = map.get('id');
  const id = map.has('id') ? r.string(idNode, join(path, 'id'), {
    check: (value) => {
      if (!ID_PATTERN.test(value)) return `"${value}" must match ${ID_PATTERN.source}`;
      if (RESERVED_MCP_RULE_IDS.includes(value)) return `"${value}" is reserved (${RESERVED_MCP_RULE_IDS.join(', ')})`;
      const first = ids.get(value);
      return first === undefined ? undefined : `duplicate id "${value}" (first used at ${first})`;
    },
  }) : undefined;
  if (id !== undefined) ids.set(id, r.where(idNode));
  const action = map.has('action') ? r.string(map.get('action'), join(path, 'action'), { oneOf: ['allow', 'deny'] }) as 'allow' | 'deny' | undefined : undefined;
  const reason = map.has('reason') ? r.string(map.get('reason'), join(path, 'reason')) : undefined;
  const match = readMatch(r, map.get('match'), join(path, 'match'));
  const budget = map.has('budget') ? readBudget(r, map.get('budget'), join(path, 'budget')) : undefined;
  if (budget !== undefined && action === 'deny') r.problem(map.get('budget'), join(path, 'budget'), 'a deny rule has no budget');
  if (id === undefined || action === undefined) return undefined;
  const rule: McpRule = { id, action, reason: reason ?? `matched MCP rule ${id}`, match };
  return budget === undefined ? rule : { ...rule, budget };
}

/**
 * Reads the policy's `mcp` section (`defaultAction`, `budget`, `rules`), reporting every problem on `r` with its
 * line and column. Undefined when the node is not a mapping.
 */
export function readMcpPolicy(r: YamlNodeReader, node: YamlValue, path: string): McpPolicy | undefined {
  const map = r.map(node, path, ['defaultAction', 'budget', 'rules'], ['defaultAction']);
  if (!map) return undefined;
  const defaultAction = map.has('defaultAction') ? r.string(map.get('defaultAction'), join(path, 'defaultAction'), { oneOf: ['allow', 'deny'] }) : undefined;
  const budget = map.has('budget') ? readBudget(r, map.get('budget'), join(path, 'budget')) : undefined;
  const ids = new Map<string, string>();
  const rules = r.seq(map.get('rules'), join(path, 'rules'))
    .map((item, index) => readRule(r, item, `${join(path, 'rules')}[${index}]`, ids))
    .filter((rule): rule is McpRule => rule !== undefined);
  const policy: McpPolicy = { defaultAction: defaultAction === 'allow' ? 'allow' : 'deny', rules };
  return budget === undefined ? policy : { ...policy, budget };
}
