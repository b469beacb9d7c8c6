import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAppError } from '@auditgate/shared';
import { auditEvent } from '../engine/event-factory.test-helper.js';
import { eventFields } from './event-fields.js';
import { compileRuleText, loadRules } from './load-rules.js';
import { BUILTIN_RULES_DIR } from '../config/load-config.js';

const one = (text: string) => { const problems: string[] = []; const rules = compileRuleText(text, 'x.yaml', problems); return { rules, problems }; };

describe('rule loading and validation', () => {
  it('loads every built-in rule, each native and naming its ATT&CK technique', () => {
    const rules = loadRules([BUILTIN_RULES_DIR]);
    const ids = rules.map((r) => r.id);
    for (const id of ['SECRET_READ', 'SECRET_ACCESS_DENIED', 'SECRET_LIST_NAMESPACE', 'SECRET_LIST_CLUSTERWIDE', 'SECRET_READ_BURST', 'CLUSTERWIDE_LIST',
      'DISCOVERY_SWEEP', 'PERMISSION_PROBE', 'FORBIDDEN_SWEEP', 'POD_EXEC', 'EPHEMERAL_CONTAINER', 'RBAC_CHANGE', 'SA_TOKEN_OR_CREATE', 'PRIVILEGED_WORKLOAD', 'ANONYMOUS_ALLOWED',
      'SECRET_ENUMERATION', 'EXEC_CREDENTIAL_READ', 'KUBECTL_CP', 'NODE_PROXY', 'DAEMONSET_OUTSIDE_KUBE_SYSTEM', 'RBAC_RISKY_GRANT', 'CSR_CREATE', 'CSR_APPROVE',
      'IMPERSONATION_PRIVILEGED', 'ADMISSION_WEBHOOK_CHANGE', 'AWS_AUTH_CONFIGMAP_CHANGE']) {
      assert.ok(ids.includes(id), id);
    }
    assert.deepEqual(rules.filter((r) => r.source !== 'native' || r.technique === undefined).map((r) => r.id), []);
    assert.equal(rules.find((r) => r.id === 'POD_EXEC')?.technique?.name, 'Container Administration Command');
  });
  it('a technique must be a known ATT&CK id; Sigma rules take theirs from attack.tNNNN tags', () => {
    assert.ok(one('id: X\nseverity: low\ntechnique: T9999\nmatch: { verb: get }\n').problems.some((p) => p.includes('technique: must be a known')));
    assert.equal(one('id: X\nseverity: low\ntechnique: t1613\nmatch: { verb: get }\n').rules[0]?.technique?.id, 'T1613');
    const sigma = one(`title: t\nid: s\nlevel: low\ntags: [attack.execution, attack.t1609]\nlogsource: { product: kubernetes, service: audit }\ndetection:\n  sel: { verb: get }\n  condition: sel\n`);
    assert.deepEqual(sigma.problems, []);
    assert.equal(sigma.rules[0]?.technique?.url, 'https://attack.mitre.org/techniques/T1609/');
  });
  it('window.require: minimums over the events of the window that match, counted or distinct', () => {
    const { rules, problems } = one('id: W\nseverity: low\nmatch: { verb: get }\nwindow:\n  within: 1m\n  threshold: 1\n  require:\n    - { match: { derived.deny: true }, distinct: derived.uri, atLeast: 2 }\n');
    assert.deepEqual(problems, []);
    assert.equal(rules[0]?.window?.require?.[0]?.atLeast, 2);
    assert.ok(one('id: W\nseverity: low\nmatch: { verb: get }\nwindow: { within: 1m, threshold: 1, require: [{ match: { verb: get }, atLeast: 0, extra: 1 }] }\n').problems.length >= 2);
  });
  it('reads a mounted ConfigMap once: its ..data and ..<timestamp> copies and dotfiles are skipped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-cm-'));
    const rule = 'id: CM_RULE\nseverity: low\nmatch: { verb: get }\n';
    writeFileSync(join(dir, 'custom.yaml'), rule);
    for (const hidden of ['..data', '..2026_11_24_06_00_00.123']) {
      mkdirSync(join(dir, hidden));
      writeFileSync(join(dir, hidden, 'custom.yaml'), rule);
    }
    writeFileSync(join(dir, '.draft.yaml'), 'id: [broken');
    assert.deepEqual(loadRules([dir]).map((r) => r.id), ['CM_RULE']);
  });
  it('lists every problem of every file at once, with duplicate ids', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    writeFileSync(join(dir, 'a.yaml'), 'id: X\nseverity: urgent\nmatch: { verb: get, derived.nope: 1, objectRef.name: { startsWith: a } }\nwindow: { within: 5 minutes, threshold: 0 }\n');
    writeFileSync(join(dir, 'b.yml'), 'id: Y\nseverity: low\nmatch: { verb: get }\n---\nid: Y\nseverity: low\nmatch: { verb: list }\n');
    writeFileSync(join(dir, 'c.yml'), 'title: s\nid: s1\nlevel: high\nlogsource: { product: kubernetes, service: audit }\ndetection:\n  sel: { verb|wat: get }\n  condition: sel and not other\n');
    try { loadRules([dir]); assert.fail('should throw'); } catch (error) {
      assert.ok(isAppError(error));
      const problems = error.details['problems'] as string[];
      for (const p of ['severity: must be one of', 'unknown derived field "derived.nope"', 'unknown operator "startsWith"', 'within: must be a duration',
        'threshold: must be an integer >= 1', 'duplicate rule id Y', 'unsupported modifier "wat"', 'unknown selection "other"']) {
        assert.ok(problems.some((x) => x.includes(p)), `${p} in ${problems.join('\n')}`);
      }
    }
  });
  it('Sigma: modifiers, lists as OR, and/or/not, parentheses, 1 of / all of them', () => {
    const { rules, problems } = one(`title: t\nid: abc\nlevel: medium\nlogsource: { product: kubernetes, service: audit }
detection:
  sel_a: { objectRef.resource: pods, objectRef.subresource: [exec, attach] }
  sel_b: { requestURI|contains: 'command=sh' }
  sel_c: { user.username|startswith: 'system:serviceaccount:', verb|endswith: ate }
  filter: { objectRef.namespace: kube-system }
  condition: (sel_a and 1 of sel_b*) and not filter or all of sel_c*
`);
    assert.deepEqual(problems, []);
    const m = (spec: Parameters<typeof auditEvent>[0]) => rules[0]!.match(eventFields(auditEvent(spec)));
    assert.equal(rules[0]!.id, 'sigma.abc');
    assert.equal(m({ uri: '/x?command=sh', verb: 'get', ref: { resource: 'pods', subresource: 'attach', namespace: 'prod' }, actor: 'bob' }), true);
    assert.equal(m({ uri: '/x?command=sh', verb: 'get', ref: { resource: 'pods', subresource: 'attach', namespace: 'kube-system' }, actor: 'bob' }), false);
    assert.equal(m({ uri: '/x', verb: 'get', ref: { resource: 'pods', subresource: 'exec', namespace: 'prod' }, actor: 'bob' }), false);
    assert.equal(m({ uri: '/y', verb: 'create', actor: 'system:serviceaccount:a:b' }), true);
    assert.equal(m({ uri: '/y', verb: 'CREATE', actor: 'system:serviceaccount:a:b' }), true, 'case-insensitive by default');
  });
  it('Sigma: aggregations and keyword lists are refused clearly', () => {
    const { problems } = one(`title: t\nid: a\nlevel: low\nlogsource: { product: kubernetes, service: audit }\ndetection:\n  kw: [foo, bar]\n  condition: kw | count() > 3\n`);
    assert.ok(problems.some((p) => p.includes('aggregations')));
    assert.ok(problems.some((p) => p.includes('keyword')));
  });
});
