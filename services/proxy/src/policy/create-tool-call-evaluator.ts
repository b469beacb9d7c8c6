import { compileGlobList, matchesAny, type StringMatcher } from './glob.js';
import type { McpPolicy, McpRule, ToolCallDecision, ToolCallInput } from './mcp-policy-types.js';

/** Decides tool calls against one loaded policy's `mcp` section. */
export interface ToolCallEvaluator {
  /** The decision on one call (budgets are counted by the caller, per session). */
  evaluate(input: ToolCallInput): ToolCallDecision;
}

interface CompiledRule {
  readonly rule: McpRule;
  readonly servers: StringMatcher | undefined;
  readonly tools: StringMatcher | undefined;
  readonly usernames: StringMatcher | undefined;
  readonly groups: StringMatcher | undefined;
  readonly args: ReadonlyArray<{ readonly name: string; readonly matcher: StringMatcher }>;
  readonly namespaces: StringMatcher | undefined;
  readonly resources: StringMatcher | undefined;
  readonly names: StringMatcher | undefined;
}

/** The text an argument value is matched as: strings as they are, numbers and booleans as text, anything else `""`. */
function argumentText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

function matches(c: CompiledRule, input: ToolCallInput): boolean {
  if (c.servers !== undefined && !c.servers(input.server)) return false;
  if (c.tools !== undefined && !c.tools(input.tool)) return false;
  if (c.usernames !== undefined && !c.usernames(input.actor.username)) return false;
  if (c.groups !== undefined && !matchesAny(c.groups, input.actor.groups)) return false;
  for (const { name, matcher } of c.args) if (!matcher(argumentText(input.arguments[name]))) return false;
  if (c.namespaces !== undefined && !c.namespaces(input.kubernetes.namespace ?? '')) return false;
  if (c.resources !== undefined && !c.resources(input.kubernetes.resource ?? '')) return false;
  if (c.names !== undefined && !c.names(input.kubernetes.name ?? '')) return false;
  return true;
}

const orUndefined = (globs: readonly string[]): StringMatcher | undefined => compileGlobList(globs);

/**
 * Compiles `policy` (the `mcp` section; undefined means none: every call allowed, no budget) once; `bundleHash` is
 * the whole policy's. The first matching rule decides; no match takes `defaultAction` as rule `mcp-default`.
 */
export function createToolCallEvaluator(policy: McpPolicy | undefined, bundleHash: string): ToolCallEvaluator {
  const section: McpPolicy = policy ?? { defaultAction: 'allow', rules: [] };
  const compiled: CompiledRule[] = section.rules.map((rule) => ({
    rule,
    servers: orUndefined(rule.match.servers),
    tools: orUndefined(rule.match.tools),
    usernames: orUndefined(rule.match.actors.usernames),
    groups: orUndefined(rule.match.actors.groups),
    args: Object.entries(rule.match.arguments).map(([name, globs]) => ({ name, matcher: compileGlobList(globs) ?? (() => true) })),
    namespaces: orUndefined(rule.match.kubernetes.namespaces),
    resources: orUndefined(rule.match.kubernetes.resources),
    names: orUndefined(rule.match.kubernetes.names),
  }));
  const sectionBudget = section.budget === undefined ? [] : [{ ruleId: 'mcp-budget', limit: section.budget.callsPerSession }];
  return {
    evaluate(input) {
      const hit = compiled.find((c) => matches(c, input));
      if (hit === undefined) {
        return {
          action: section.defaultAction, ruleId: 'mcp-default', bundleHash,
          reason: policy === undefined ? 'the policy has no mcp section' : `no MCP rule matched; default ${section.defaultAction}`,
          budgets: section.defaultAction === 'allow' ? sectionBudget : [],
        };
      }
      const { rule } = hit;
      const budgets = rule.action === 'deny' ? [] : [...(rule.budget === undefined ? [] : [{ ruleId: rule.id, limit: rule.budget.callsPerSession }]), ...sectionBudget];
      return { action: rule.action, ruleId: rule.id, reason: rule.reason, bundleHash, budgets };
    },
  };
}
