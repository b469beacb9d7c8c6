/** The proxy's declarative gateway policy: parsing, evaluation, linting, audit levels, rate limiting and hot reload. */
export type * from './policy-types.js';
export { parsePolicy, RESERVED_RULE_IDS } from './parse-policy.js';
export { policyBundleHash } from './policy-bundle-hash.js';
export { createPolicyEvaluator, type PolicyEvaluator } from './create-policy-evaluator.js';
export { lintPolicy } from './lint-policy.js';
export type * from './lint-types.js';
export { createAuditLevelResolver, DEFAULT_AUDIT_LEVEL, WRITE_VERBS, type AuditLevelResolver } from './audit-level-resolver.js';
export { createRateLimiter, type RateLimiter, type RateLimiterOptions } from './create-rate-limiter.js';
export {
  watchPolicyFile, type LoadedPolicy, type PolicyFileWatcher, type WatchPolicyFileOptions,
} from './watch-policy-file.js';
export type * from './mcp-policy-types.js';
export { RESERVED_MCP_RULE_IDS } from './parse-mcp-policy.js';
export { createToolCallEvaluator, type ToolCallEvaluator } from './create-tool-call-evaluator.js';
