import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileSigmaCondition } from './sigma-condition.js';
import type { FieldLookup, Predicate } from './rule.js';

/** Selections that read one boolean field each, so a condition's truth table can be checked directly. */
const selections = (...names: string[]): Map<string, Predicate> => new Map(names.map((n) => [n, (f: FieldLookup) => f(n) === true]));
const facts = (...trueOnes: string[]): FieldLookup => (path) => trueOnes.includes(path);
const compile = (text: string, sel = selections('a', 'b', 'c', 'sel_x', 'sel_y', 'filter')) => {
  const problems: string[] = [];
  const predicate = compileSigmaCondition(text, sel, problems);
  return { predicate, problems };
};

describe('compileSigmaCondition', () => {
  it('a single selection', () => {
    const { predicate, problems } = compile('a');
    assert.deepEqual(problems, []);
    assert.equal(predicate(facts('a')), true);
    assert.equal(predicate(facts('b')), false);
  });

  it('not binds tighter than and, and tighter than or', () => {
    const { predicate, problems } = compile('a or b and not c');
    assert.deepEqual(problems, []);
    // a or (b and (not c))
    assert.equal(predicate(facts('a', 'c')), true);
    assert.equal(predicate(facts('b')), true);
    assert.equal(predicate(facts('b', 'c')), false);
    assert.equal(predicate(facts()), false);
  });

  it('parentheses group, keywords are case-insensitive, not can repeat', () => {
    const { predicate, problems } = compile('(A or b) AND NOT not c'.replace('A', 'a'));
    assert.deepEqual(problems, []);
    assert.equal(predicate(facts('a', 'c')), true);
    assert.equal(predicate(facts('a')), false);
    assert.equal(predicate(facts('b', 'c')), true);
  });

  it('1 of / any of / all of a pattern, and of them', () => {
    const one = compile('1 of sel_*').predicate;
    assert.equal(one(facts('sel_y')), true);
    assert.equal(one(facts('a')), false);
    const any = compile('any of sel_*').predicate;
    assert.equal(any(facts('sel_x')), true);
    const all = compile('all of sel_* and not filter').predicate;
    assert.equal(all(facts('sel_x', 'sel_y')), true);
    assert.equal(all(facts('sel_x')), false);
    assert.equal(all(facts('sel_x', 'sel_y', 'filter')), false);
    const them = compile('all of them', selections('a', 'b')).predicate;
    assert.equal(them(facts('a', 'b')), true);
    assert.equal(them(facts('a')), false);
    assert.equal(compile('1 of them', selections('a', 'b')).predicate(facts('b')), true);
  });

  it('a pattern is a glob over selection names: other regex characters are literal', () => {
    const sel = selections('sel.x', 'selax');
    assert.equal(compile('1 of sel.*', sel).predicate(facts('selax')), false);
    assert.equal(compile('1 of sel.*', sel).predicate(facts('sel.x')), true);
  });

  it('reports every malformed condition (a rule with any problem is never loaded)', () => {
    const cases: Array<[string, RegExp]> = [
      ['a | count() > 5', /aggregations/],
      ['unknown', /unknown selection "unknown"/],
      ['(a or b', /missing "\)"/],
      ['a or', /unexpected end/],
      ['a b', /unexpected "b"/],
      ['and a', /unexpected "and"/],
      ['1 of', /needs a selection pattern/],
      ['1 of nothing_*', /names no selection/],
      ['a )', /unexpected "\)"/],
    ];
    for (const [text, message] of cases) {
      const { problems } = compile(text);
      assert.ok(problems.some((p) => message.test(p)), `${text}: ${problems.join('; ')}`);
      assert.ok(problems.every((p) => p.startsWith('condition: ')), text);
    }
  });
});
