import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, isAppError } from '@auditgate/shared';
import { parsePolicy } from './parse-policy.js';

const HEADER = 'apiVersion: auditgate.dev/v1\nkind: GatewayPolicy\ndefaultAction: deny\n';

function problemsOf(text: string): string[] {
  try {
    parsePolicy(text, 'test.yaml');
  } catch (error) {
    assert.ok(isAppError(error));
    assert.equal(error.code, ErrorCodes.CONFIG_INVALID);
    const problems = error.details['problems'];
    assert.ok(Array.isArray(problems));
    for (const problem of problems) assert.ok(error.message.includes(String(problem)), 'message lists every problem');
    return problems as string[];
  }
  assert.fail('expected the policy to be rejected');
}

describe('parsePolicy', () => {
  it('fills in defaults for a minimal policy', () => {
    const policy = parsePolicy(HEADER, 'min.yaml');
    assert.equal(policy.defaultAction, 'deny');
    assert.equal(policy.requireOnBehalfOf, false);
    assert.equal(policy.allowClientImpersonation, false);
    assert.deepEqual(policy.limits, { maxResponseBytes: 0, ratePerActorPerSecond: 0, burst: 0, allowClusterWideLists: true });
    assert.deepEqual(policy.rules, []);
    assert.equal(policy.source, 'min.yaml');
    assert.match(policy.bundleHash, /^[0-9a-f]{64}$/);
    assert.ok(Object.isFrozen(policy) && Object.isFrozen(policy.limits));
  });

  it('normalizes a rule: omitted lists become empty, reason defaults, overrides kept', () => {
    const policy = parsePolicy(`${HEADER}rules:
  - id: r1
    action: mask
    match:
      resources: [secrets]
      actors: { claims: { team: [sre, "ops-*"] }, onBehalfOf: { present: true } }
    limits: { allowClusterWideLists: false }
    impersonation: { allowClientImpersonation: true }
`, 'r.yaml');
    const rule = policy.rules[0];
    assert.ok(rule);
    assert.equal(rule.reason, 'matched rule r1');
    assert.deepEqual(rule.match.resources, ['secrets']);
    assert.deepEqual(rule.match.verbs, []);
    assert.deepEqual(rule.match.actors.claims, { team: ['sre', 'ops-*'] });
    assert.equal(rule.match.actors.onBehalfOf.present, true);
    assert.deepEqual(rule.limits, { allowClusterWideLists: false });
    assert.equal(rule.allowClientImpersonation, true);
  });

  it('lists every problem at once, each with its path and line', () => {
    const problems = problemsOf(`apiVersion: auditgate.dev/v2
kind: GatewayPolicy
defaultAction: maybe
colour: blue
limits: { burst: -1, ratePerActorPerSecond: fast }
rules:
  - id: a
    action: allow
  - id: a
    action: permit
    match:
      resources: [pods/exec/extra]
      verbz: [get]
  - action: deny
auditLevels:
  - level: Everything
  - level: None
    nonResourceURLs: [healthz]
`);
    const expected: [RegExp, number][] = [
      [/apiVersion: must be one of auditgate\.dev\/v1, got "auditgate\.dev\/v2"/, 1],
      [/defaultAction: must be one of allow, deny, got "maybe"/, 3],
      [/colour: unknown key/, 4],
      [/limits\.burst: must be a non-negative integer/, 5],
      [/limits\.ratePerActorPerSecond: must be a non-negative number/, 5],
      [/rules\[1\]\.id: duplicate id "a" \(first used at test\.yaml:7:9\)/, 9],
      [/rules\[1\]\.action: must be one of allow, deny, mask, got "permit"/, 10],
      [/rules\[1\]\.match\.resources\[0\]: "pods\/exec\/extra" must be/, 12],
      [/rules\[1\]\.match\.verbz: unknown key/, 13],
      [/rules\[2\]\.id: is required/, 14],
      [/auditLevels\[0\]\.level: must be one of None, Metadata, Request, RequestResponse/, 16],
      [/auditLevels\[1\]\.nonResourceURLs\[0\]: "healthz" must start with "\/"/, 18],
    ];
    for (const [pattern, line] of expected) {
      const found = problems.find((problem) => pattern.test(problem));
      assert.ok(found, `missing ${pattern} in:\n${problems.join('\n')}`);
      assert.ok(found.startsWith(`test.yaml:${line}:`), `${found} should be at line ${line}`);
    }
    assert.equal(problems.length, expected.length, problems.join('\n'));
  });

  it('requires apiVersion, kind and defaultAction', () => {
    const problems = problemsOf('rules: []\n');
    assert.equal(problems.length, 3);
    for (const key of ['apiVersion', 'kind', 'defaultAction']) assert.ok(problems.some((p) => p.includes(`${key}: is required`)));
  });

  it('rejects reserved ids, contradictory matches and empty claim lists', () => {
    const problems = problemsOf(`${HEADER}rules:
  - id: default
    action: allow
  - id: mixed
    action: allow
    match: { resources: [pods], nonResourceURLs: ["/x"] }
  - id: obo
    action: allow
    match: { actors: { onBehalfOf: { present: false, groups: [sre] }, claims: { team: [] } } }
`);
    assert.equal(problems.length, 4, problems.join('\n'));
    assert.ok(problems.some((p) => /rules\[0\]\.id: "default" is reserved/.test(p)));
    assert.ok(problems.some((p) => /rules\[1\]\.match\.nonResourceURLs: cannot be combined with resources/.test(p)));
    assert.ok(problems.some((p) => /onBehalfOf\.present: false contradicts/.test(p)));
    assert.ok(problems.some((p) => /claims\.team: must list at least one allowed value/.test(p)));
  });

  it('reports YAML syntax errors and duplicate keys with their lines', () => {
    const problems = problemsOf(`${HEADER}defaultAction: allow\nrules: [\n`);
    assert.ok(problems.length >= 2, problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('test.yaml:4:') && p.includes('DUPLICATE_KEY')));
  });

  it('rejects a document that is not a mapping', () => {
    assert.deepEqual(problemsOf('- a\n- b\n').length, 1);
    assert.deepEqual(problemsOf('').length, 1);
  });

  it('warns when audit level None would cover writes or secrets, and when a catch-all hides later rules', () => {
    const policy = parsePolicy(`${HEADER}rules:
  - id: everything
    action: allow
  - id: never
    action: deny
auditLevels:
  - level: None
    nonResourceURLs: ["/healthz*"]
  - level: None
    verbs: [get]
    resources: [{ group: apps, resources: [deployments] }]
  - level: None
    namespaces: [kube-system]
  - level: None
    verbs: [create]
    resources: [{ group: apps }]
`, 'w.yaml');
    assert.equal(policy.warnings.length, 3, policy.warnings.join('\n'));
    assert.match(policy.warnings[0] ?? '', /auditLevels\[2\].*writes and secrets/);
    assert.match(policy.warnings[1] ?? '', /auditLevels\[3\].*writes; /);
    assert.match(policy.warnings[2] ?? '', /rules\[0\] \(everything\) matches every request/);
  });

  it('accepts the shipped example policies without warnings', () => {
    for (const file of ['example-policy.yaml', 'default-deny-policy.yaml']) {
      const path = fileURLToPath(new URL(`../../policy/${file}`, import.meta.url));
      const policy = parsePolicy(readFileSync(path, 'utf8'), path);
      assert.deepEqual(policy.warnings, [], file);
      assert.ok(policy.rules.length > 0);
    }
  });
});
