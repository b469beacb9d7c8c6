/**
 * The `mcp` section of the gateway policy: rules on tool calls through the gateway's MCP endpoint (`/mcp/<server>`).
 * Every list is "any of"; an empty list means "no constraint". Rules are tried in order and the first match decides.
 */

/** A per-session budget of tool calls. */
export interface McpBudget {
  /** Calls allowed per MCP session (counted per rule for a rule's budget, over all calls for the section's). */
  readonly callsPerSession: number;
}

/** What an MCP rule matches; all present constraints must hold. */
export interface McpRuleMatch {
  /** Globs against the configured MCP server name. */
  readonly servers: readonly string[];
  /** Globs against the tool name. */
  readonly tools: readonly string[];
  /** Globs against the caller's (the person's) username and groups. */
  readonly actors: { readonly usernames: readonly string[]; readonly groups: readonly string[] };
  /**
   * Argument name → globs against its value (strings as they are, numbers and booleans as text; an absent argument
   * is `""`); every listed argument must match.
   */
  readonly arguments: Readonly<Record<string, readonly string[]>>;
  /**
   * The Kubernetes meaning of the arguments (see mcp/scope/tool-scope.ts): globs against the namespace (`""` when the
   * call names none: all namespaces or cluster-scoped), the plural resource and the object name.
   */
  readonly kubernetes: { readonly namespaces: readonly string[]; readonly resources: readonly string[]; readonly names: readonly string[] };
}

/** One MCP rule. */
export interface McpRule {
  readonly id: string;
  readonly action: 'allow' | 'deny';
  readonly reason: string;
  readonly match: McpRuleMatch;
  /** Calls matching this rule allowed per session; the next one is denied. */
  readonly budget?: McpBudget;
}

/** The validated `mcp` section. */
export interface McpPolicy {
  /** For tool calls no rule matches. */
  readonly defaultAction: 'allow' | 'deny';
  /** All tool calls allowed per session. */
  readonly budget?: McpBudget;
  readonly rules: readonly McpRule[];
}

/** A tool call, as the MCP evaluator sees it. */
export interface ToolCallInput {
  readonly server: string;
  readonly tool: string;
  readonly actor: { readonly username: string; readonly groups: readonly string[] };
  readonly arguments: Readonly<Record<string, unknown>>;
  readonly kubernetes: { readonly namespace?: string | undefined; readonly resource?: string | undefined; readonly name?: string | undefined };
}

/** The decision on one tool call, before budgets are counted. */
export interface ToolCallDecision {
  readonly action: 'allow' | 'deny';
  readonly ruleId: string;
  readonly reason: string;
  readonly bundleHash: string;
  /** Budgets this call counts against when allowed (the rule's, then the section's). */
  readonly budgets: ReadonlyArray<{ readonly ruleId: string; readonly limit: number }>;
}
