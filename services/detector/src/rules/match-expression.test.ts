import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileMatch, valueEquals } from './match-expression.js';
import type { FieldLookup } from './rule.js';

const lookup = (fields: Record<string, unknown>): FieldLookup => (path) => fields[path];
const compile = (node: unknown) => {
  const problems: string[] = [];
  const predicate = compileMatch(node, 'match', problems);
  return { predicate, problems };
};
const ok = (node: unknown) => {
  const { predicate, problems } = compile(node);
  assert.deepEqual(problems, [], JSON.stringify(node));
  return (fields: Record<string, unknown>): boolean => predicate(lookup(fields));
};

describe('valueEquals', () => {
  it('null and empty string mean absent or empty; arrays match when any element does', () => {
    assert.equal(valueEquals(undefined, null), true);
    assert.equal(valueEquals('', null), true);
    assert.equal(valueEquals(null, ''), true);
    assert.equal(valueEquals('x', null), false);
    assert.equal(valueEquals(['a', 'b'], 'b'), true);
    assert.equal(valueEquals(['a'], 'b'), false);
    assert.equal(valueEquals(200, 200), true);
    assert.equal(valueEquals('200', 200), false, 'no type coercion');
  });
});

describe('compileMatch', () => {
  it('field: value is equality; several keys must all hold', () => {
    const m = ok({ verb: 'get', 'objectRef.resource': 'secrets' });
    assert.equal(m({ verb: 'get', 'objectRef.resource': 'secrets' }), true);
    assert.equal(m({ verb: 'list', 'objectRef.resource': 'secrets' }), false);
    assert.equal(m({ verb: 'get' }), false);
  });

  it('field: [a, b] is any of; null is absent', () => {
    const m = ok({ verb: ['get', 'list'], 'objectRef.namespace': null });
    assert.equal(m({ verb: 'list' }), true);
    assert.equal(m({ verb: 'list', 'objectRef.namespace': 'prod' }), false);
    assert.equal(m({ verb: 'watch' }), false);
  });

  it('every operator', () => {
    assert.equal(ok({ v: { equals: 'x' } })({ v: 'x' }), true);
    assert.equal(ok({ v: { notEquals: 'x' } })({ v: 'x' }), false);
    assert.equal(ok({ v: { in: ['a', 'b'] } })({ v: 'b' }), true);
    assert.equal(ok({ v: { notIn: ['a', 'b'] } })({ v: 'c' }), true);
    assert.equal(ok({ v: { exists: true } })({ v: [] }), false, 'an empty list does not exist');
    assert.equal(ok({ v: { exists: false } })({}), true);
    assert.equal(ok({ v: { gte: 400 } })({ v: 400 }), true);
    assert.equal(ok({ v: { gt: 400 } })({ v: 400 }), false);
    assert.equal(ok({ v: { lte: 399 } })({ v: 399 }), true);
    assert.equal(ok({ v: { lt: 399 } })({ v: '1' }), false, 'numbers only');
    assert.equal(ok({ v: { prefix: '/api' } })({ v: ['/healthz', '/api/v1'] }), true);
    assert.equal(ok({ v: { suffix: '/exec' } })({ v: '/pods/web/exec' }), true);
    assert.equal(ok({ v: { contains: 'token' } })({ v: 'serviceaccounts/token' }), true);
    assert.equal(ok({ v: { regex: '^system:(node|kube-)' } })({ v: 'system:kube-proxy' }), true);
    assert.equal(ok({ v: { gte: 200, lt: 300 } })({ v: 250 }), true, 'operators in one mapping all hold');
    assert.equal(ok({ v: { gte: 200, lt: 300 } })({ v: 300 }), false);
  });

  it('all, any and not nest', () => {
    const m = ok({ any: [{ verb: 'create' }, { all: [{ verb: 'get' }, { not: { 'objectRef.namespace': 'kube-system' } }] }] });
    assert.equal(m({ verb: 'create', 'objectRef.namespace': 'kube-system' }), true);
    assert.equal(m({ verb: 'get', 'objectRef.namespace': 'prod' }), true);
    assert.equal(m({ verb: 'get', 'objectRef.namespace': 'kube-system' }), false);
    assert.equal(m({ verb: 'delete' }), false);
  });

  it('derived fields must be known ones', () => {
    assert.deepEqual(compile({ 'derived.clusterWide': true }).problems, []);
    assert.match(compile({ 'derived.nope': true }).problems.join(), /unknown derived field "derived.nope"/);
  });

  it('reports every problem, with where it is, and a broken expression never matches', () => {
    const { predicate, problems } = compile({
      a: { in: 'x' }, b: { gte: 'x' }, c: { regex: '(' }, d: { frob: 1 }, e: {}, f: [{ x: 1 }], g: { exists: 'yes' }, all: [], not: 3,
    });
    for (const expected of [/match\.a\.in: must be a list of scalars/, /match\.b\.gte: must be a number/, /match\.c\.regex: /, /match\.d: unknown operator "frob"/,
      /match\.e: an operator mapping must not be empty/, /match\.f: a list of values must hold scalars only/, /match\.g\.exists: must be true or false/,
      /match\.all: must be a non-empty list/, /match\.not: must be a mapping/]) {
      assert.ok(problems.some((p) => expected.test(p)), `${expected}: ${problems.join('; ')}`);
    }
    assert.equal(predicate(lookup({ a: 'x', b: 1, c: 'x', d: 1, e: 1, f: 1, g: 1 })), false);
    assert.match(compile('get').problems.join(), /match: must be a mapping/);
    assert.match(compile({}).problems.join(), /match: must not be empty/);
  });
});
