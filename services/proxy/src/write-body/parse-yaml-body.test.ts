import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseYamlBody } from './parse-yaml-body.js';

function value(text: string): unknown {
  const result = parseYamlBody(text);
  assert.ok(result.ok, `refused: ${result.ok ? '' : result.reason}`);
  return result.value;
}

function refusal(text: string, limits = {}): string | undefined {
  const result = parseYamlBody(text, limits);
  return result.ok ? undefined : result.reason;
}

describe('parseYamlBody: the values kube-apiserver reads (sigs.k8s.io/yaml over go-yaml v2)', () => {
  it('reads a manifest to plain JSON objects', () => {
    const out = value('apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: x\nroleRef:\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n- kind: ServiceAccount\n  name: sa\n  namespace: ns\n');
    assert.deepEqual(out, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'x' },
      roleRef: { kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', name: 'sa', namespace: 'ns' }],
    });
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
  });

  it('reads JSON content (server-side apply bodies from kubectl are JSON)', () => {
    assert.deepEqual(value('{"kind":"ConfigMap","data":{"a":"1"},"n":[1,2.5,true,null]}'), { kind: 'ConfigMap', data: { a: '1' }, n: [1, 2.5, true, null] });
  });

  it('reads YAML 1.1 scalars as go-yaml v2 does: y/yes/on booleans, ~ null, 0o/0x/0B/017 integers, underscores', () => {
    assert.deepEqual(value('a: [y, Y, yes, On, n, NO, off, true, ~, null, "", 0o17, 0O17, 0x1F, 0X1F, 0b101, 0B101, 017, 1_000, -0x10, .5, 1e3, "y"]\n'), {
      a: [true, true, true, true, false, false, false, true, null, null, '', 15, 15, 31, 31, 5, 5, 15, 1000, -16, 0.5, 1000, 'y'],
    });
  });

  it('keeps timestamps and base-60 looking values as text, and reads unknown tags as untagged values', () => {
    assert.deepEqual(value('d: 2001-12-14\nt: 2001-12-14t21:59:43.10-05:00\ns: 1:20\nf: !foo bar\ng: !!set {a}\n'), {
      d: '2001-12-14', t: '2001-12-14t21:59:43.10-05:00', s: '1:20', f: 'bar', g: { a: null },
    });
    // !!binary reads as the text of its bytes.
    assert.deepEqual(value('b: !!binary aGk=\n'), { b: 'hi' });
  });

  it('keeps the last of duplicate keys, in YAML and in JSON content', () => {
    assert.deepEqual(value('labels:\n  x: "1"\n  x: "2"\n'), { labels: { x: '2' } });
    assert.deepEqual(value('{"a":"1","a":"2"}'), { a: '2' });
  });

  it('writes bool and integer keys as Go does, and applies << merge keys', () => {
    assert.deepEqual(value('1: a\ntrue: b\nno: c\n'), { 1: 'a', true: 'b', false: 'c' });
    assert.deepEqual(value('base: &b {k: v, w: 1}\nc:\n  <<: *b\n  w: 2\n'), { base: { k: 'v', w: 1 }, c: { k: 'v', w: 2 } });
  });

  it('copies aliased values out, so the result is a tree', () => {
    const out = value('a: &x {k: v}\nb: *x\n') as { a: object; b: object };
    assert.deepEqual(out.a, out.b);
    assert.notEqual(out.a, out.b);
  });

  it('reads an empty stream, and a stream of comments, as null; one explicit document as that document', () => {
    assert.equal(value(''), null);
    assert.equal(value('# nothing\n'), null);
    assert.deepEqual(value('---\na: 1\n...\n'), { a: 1 });
  });

  it('keeps a `__proto__` key as data', () => {
    const out = value('__proto__: {polluted: true}\n') as Record<string, unknown>;
    assert.deepEqual(Object.keys(out), ['__proto__']);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });
});

describe('parseYamlBody: refusals', () => {
  it('refuses a second document, even an empty one (the API server would silently read only the first)', () => {
    assert.equal(refusal('a: 1\n---\nb: 2\n'), 'multi-document');
    assert.equal(refusal('a: 1\n---\n'), 'multi-document');
  });

  it('refuses syntax errors, and keys Go cannot convert or would read in random order', () => {
    assert.equal(refusal('a: {'), 'malformed');
    assert.equal(refusal('a: [1\nb: 2\n'), 'malformed');
    assert.equal(refusal('? [a, b]\n: 1\n'), 'malformed');
    assert.equal(refusal('~: a\n'), 'malformed');
    assert.equal(refusal('1.5: a\n'), 'malformed');
    assert.equal(refusal('1: a\n"1": b\n'), 'malformed');
    assert.equal(refusal('a: .nan\n'), 'malformed');
    assert.equal(refusal('a: -.inf\n'), 'malformed');
    assert.equal(refusal('a: *nowhere\n'), 'malformed');
  });

  it('refuses a billion-laughs body quickly', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      lines.push(`${name}: &${name} [${Array.from({ length: 9 }, () => `*${prev}`).join(',')}]`);
    }
    const started = performance.now();
    assert.equal(refusal(`${lines.join('\n')}\n`), 'excessive-aliasing');
    assert.ok(performance.now() - started < 1000);
  });

  it('refuses many uses of a big anchor, past the node bound', () => {
    const big = `[${Array.from({ length: 2000 }, (_, i) => i).join(',')}]`;
    const text = `a: &a ${big}\nb: [${Array.from({ length: 40 }, () => '*a').join(',')}]\n`;
    assert.equal(refusal(text), 'excessive-aliasing');
    assert.equal(refusal(text, { maxAliasCount: 10 }), 'excessive-aliasing');
    assert.equal(refusal(text, { maxNodes: 1e9 }), undefined);
  });

  it('refuses nesting past maxDepth, and survives nesting deep enough to exhaust the stack', () => {
    assert.equal(refusal(`${'['.repeat(20)}${']'.repeat(20)}`, { maxDepth: 10 }), 'too-deep');
    assert.equal(refusal(`${'['.repeat(20)}${']'.repeat(20)}`, { maxDepth: 30 }), undefined);
    assert.notEqual(refusal(`${'['.repeat(30_000)}${']'.repeat(30_000)}`), undefined);
  });
});
