import { it } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '@auditgate/shared';
import { createToolCallEvaluator } from './create-tool-call-evaluator.js';
import { parsePolicy } from './parse-policy.js';

const BASE = `apiVersion: auditgate.dev/v1
kind: GatewayPolicy
defaultAction: allow
rules: []
`;
const MCP = `${BASE}mcp:
  defaultAction: allow
  budget:
    callsPerSession: 100
  rules:
    - id: no-delete
      action: deny
      reason: no deletes
      match:
        tools: ["*_delete"]
    - id: no-secrets-in-prod
      action: deny
      match:
        actors: { groups: [contractors] }
        kubernetes: { resources: [secrets], namespaces: ["prod-*"] }
    - id: exec-rationed
      action: allow
      match:
        servers: [kubernetes]
        tools: [pods_exec]
        arguments: { container: ["debug", ""] }
      budget: { callsPerSession: 2 }
`;
const input = (tool: string, extra: Partial<{ groups: string[]; args: Record<string, unknown>; ns: string; resource: string }> = {}) => ({
  server: 'kubernetes', tool, actor: { username: 'oidc:alice', groups: extra.groups ?? [] }, arguments: extra.args ?? {},
  kubernetes: { namespace: extra.ns, resource: extra.resource },
});

it('parses the mcp section; a policy without it keeps its bundle hash and allows every call', () => {
  const plain = parsePolicy(BASE, 'plain.yaml');
  assert.equal(plain.mcp, undefined);
  assert.equal(parsePolicy(`${BASE}\n`, 'again.yaml').bundleHash, plain.bundleHash);
  const decision = createToolCallEvaluator(plain.mcp, plain.bundleHash).evaluate(input('pods_delete'));
  assert.equal(decision.action, 'allow');
  assert.equal(decision.ruleId, 'mcp-default');
  const withMcp = parsePolicy(MCP, 'mcp.yaml');
  assert.notEqual(withMcp.bundleHash, plain.bundleHash, 'the mcp rules are part of the bundle hash');
  assert.equal(withMcp.mcp?.rules.length, 3);
});

it('decides by server, tool, caller, argument values and their Kubernetes meaning; budgets come with allowed calls', () => {
  const policy = parsePolicy(MCP, 'mcp.yaml');
  const e = createToolCallEvaluator(policy.mcp, policy.bundleHash);
  assert.equal(e.evaluate(input('resources_delete')).ruleId, 'no-delete');
  assert.equal(e.evaluate(input('resources_get', { groups: ['contractors'], ns: 'prod-eu', resource: 'secrets' })).action, 'deny');
  assert.equal(e.evaluate(input('resources_get', { groups: ['sre'], ns: 'prod-eu', resource: 'secrets' })).action, 'allow');
  assert.equal(e.evaluate(input('resources_get', { groups: ['contractors'], ns: 'dev', resource: 'secrets' })).action, 'allow');
  const exec = e.evaluate(input('pods_exec', { args: { container: 'debug' } }));
  assert.equal(exec.ruleId, 'exec-rationed');
  assert.deepEqual(exec.budgets, [{ ruleId: 'exec-rationed', limit: 2 }, { ruleId: 'mcp-budget', limit: 100 }]);
  assert.equal(e.evaluate(input('pods_exec', {})).ruleId, 'exec-rationed', 'an absent argument is ""');
  assert.equal(e.evaluate(input('pods_exec', { args: { container: 'app' } })).ruleId, 'mcp-default');
  assert.deepEqual(e.evaluate(input('pods_list')).budgets, [{ ruleId: 'mcp-budget', limit: 100 }]);
  assert.deepEqual(e.evaluate(input('pods_delete')).budgets, []);
});

it('reports every problem of the section with its place', () => {
  const bad = `${BASE}mcp:
  defaultAction: maybe
  rules:
    - id: mcp-default
      action: allow
    - id: x
      action: deny
      budget: { callsPerSession: 0 }
      match: { tools: [""], colour: [red] }
`;
  assert.throws(() => parsePolicy(bad, 'bad.yaml'), (error: unknown) => {
    assert.ok(isAppError(error));
    const problems = (error.details['problems'] as string[]).join('\n');
    assert.match(problems, /mcp\.defaultAction: must be one of allow, deny/);
    assert.match(problems, /"mcp-default" is reserved/);
    assert.match(problems, /callsPerSession: must be at least 1/);
    assert.match(problems, /match\.colour: unknown key/);
    assert.match(problems, /tools\[0\]: must not be empty/);
    return true;
  });
});
