import type { McpCaller } from '../auth/mcp-caller-verifier.js';
import type { McpMessageRecord } from '../audit/mcp-message-record.js';
import type { MintedToken } from '../delegation/delegation-issuer.js';
import { RpcErrors } from '../jsonrpc/json-rpc.js';
import { toolScope } from '../scope/tool-scope.js';
import { ownerOf } from './authenticate-caller.js';
import type { GateContext, GateServer } from './gate-context.js';

/** A tool call let through (with its delegated token), or refused (with the JSON-RPC error the client gets). */
export type ToolCallAdmission =
  | { readonly allowed: true; readonly token: MintedToken }
  | { readonly allowed: false; readonly code: number; readonly message: string; readonly data: Record<string, unknown> };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Decides a `tools/call`: its name and arguments read, their Kubernetes meaning derived, the policy's `mcp` rules
 * and the session's budgets applied; when allowed, a delegated token is minted for it and its call registered as
 * live. Fills the record (tool, call id, scope, policy, budget, delegation) as it goes.
 */
export async function admitToolCall(ctx: GateContext, server: GateServer, caller: McpCaller, record: McpMessageRecord, params: unknown, requestId: string): Promise<ToolCallAdmission> {
  const name = isObj(params) ? params['name'] : undefined;
  const args = isObj(params) && isObj(params['arguments']) ? params['arguments'] : {};
  if (typeof name !== 'string' || name === '' || (isObj(params) && params['arguments'] !== undefined && !isObj(params['arguments']))) {
    return { allowed: false, code: RpcErrors.INVALID_PARAMS, message: 'tools/call needs params.name (a string) and params.arguments (an object, when given)', data: { auditgate: { auditID: record.auditID } } };
  }
  const callId = ctx.newId();
  const scope = toolScope(name, args);
  record.facts.toolName = name;
  record.facts.callId = callId;
  if (scope !== undefined) record.facts.scope = scope;
  const decision = ctx.toolCalls().evaluate({
    server: server.config.name, tool: name, actor: { username: caller.person.username, groups: caller.person.groups }, arguments: args,
    kubernetes: { namespace: scope?.namespace, resource: scope?.resource, name: scope?.name },
  });
  record.policy = { bundleHash: decision.bundleHash, ruleId: decision.ruleId, decision: decision.action, reason: decision.reason };
  const refusal = (ruleId: string, reason: string, extra: Obj = {}): ToolCallAdmission => ({
    allowed: false, code: RpcErrors.DENIED, message: `denied by Auditgate policy rule "${ruleId}": ${reason}`,
    data: { auditgate: { auditID: record.auditID, callId, ruleId, reason, ...extra } },
  });
  if (decision.action === 'deny') return refusal(decision.ruleId, decision.reason);
  const budget = ctx.sessions.take({ server: server.config.name, sessionId: record.facts.sessionId, owner: ownerOf(caller) }, decision.budgets);
  if (!budget.ok) {
    const reason = `the session's budget of ${budget.limit} tool call(s) is spent`;
    record.policy = { bundleHash: decision.bundleHash, ruleId: budget.ruleId, decision: 'deny', reason };
    record.facts.budget = { used: budget.used, limit: budget.limit, ruleId: budget.ruleId };
    return refusal(budget.ruleId, reason, { budget: { used: budget.used, limit: budget.limit } });
  }
  if (budget.counted !== undefined) record.facts.budget = { ...budget.counted };
  const token = await ctx.issuer.mint({
    server: server.config.name, person: caller.person,
    ...(caller.agent === undefined ? {} : { agent: caller.agent }),
    ...(record.facts.sessionId === undefined ? {} : { sessionId: record.facts.sessionId }),
    call: { callId, toolName: name, requestId, ...(scope === undefined ? {} : { scope }) },
  }, server.config.audience, ctx.config.callTimeoutMs);
  record.facts.delegation = { jti: token.jti, audience: token.audience, expiresAt: new Date(token.expiresAt).toISOString() };
  ctx.registry.begin(token.jti, { callId, server: server.config.name, expiresAt: token.expiresAt });
  return { allowed: true, token };
}
