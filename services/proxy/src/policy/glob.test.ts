import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileGlob, compileGlobList } from './glob.js';
import { compileResourceList, resourceEntryProblem } from './resource-matcher.js';

describe('compileGlob', () => {
  const cases: [string, string, boolean][] = [
    ['*', '', true], ['*', 'anything/at:all', true],
    ['kube-system', 'kube-system', true], ['kube-system', 'kube-system2', false], ['kube-system', 'Kube-system', false],
    ['team-*', 'team-a', true], ['team-*', 'team-', true], ['team-*', 'tea', false], ['team-*', 'xteam-a', false],
    ['*-prod', 'eu-prod', true], ['*-prod', 'eu-prod-2', false],
    ['system:serviceaccount:agents:*', 'system:serviceaccount:agents:mcp', true],
    ['system:serviceaccount:agents:*', 'system:serviceaccount:other:mcp', false],
    ['/healthz*', '/healthz', true], ['/healthz*', '/healthz/etcd', true], ['/healthz*', '/livez', false],
    ['a*b*c', 'abc', true], ['a*b*c', 'axxbyyc', true], ['a*b*c', 'acb', false], ['a*b*c', 'abcbc', true],
    ['a*bc*bc', 'abcbc', true], ['a*bc*bc', 'abc', false], ['ab*ba', 'aba', false], ['a**b', 'ab', true],
  ];
  for (const [pattern, value, expected] of cases) {
    it(`${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(value)}`, () => {
      assert.equal(compileGlob(pattern)(value), expected);
    });
  }

  it('treats regex metacharacters literally', () => {
    assert.equal(compileGlob('a.b')('axb'), false);
    assert.equal(compileGlob('a.b')('a.b'), true);
    assert.equal(compileGlob('(x+)+*')('(x+)+y'), true);
  });
});

describe('compileGlobList', () => {
  it('is undefined (no constraint) for an empty list', () => {
    assert.equal(compileGlobList([]), undefined);
  });

  it('matches any literal or glob in the list', () => {
    const matcher = compileGlobList(['get', 'list', 'w*']);
    assert.ok(matcher);
    assert.deepEqual(['get', 'list', 'watch', 'create', ''].map(matcher), [true, true, true, false, false]);
  });

  it('matches the empty string only when listed', () => {
    const matcher = compileGlobList(['', 'apps']);
    assert.ok(matcher);
    assert.equal(matcher(''), true);
    assert.equal(matcher('batch'), false);
  });
});

describe('compileResourceList', () => {
  const match = (entries: string[], resource: string, subresource = ''): boolean =>
    compileResourceList(entries)?.(resource, subresource) ?? true;

  it('matches a bare resource only without a subresource (RBAC semantics)', () => {
    assert.equal(match(['pods'], 'pods'), true);
    assert.equal(match(['pods'], 'pods', 'exec'), false);
  });

  it('matches one subresource, any subresource, and a subresource of anything', () => {
    assert.equal(match(['pods/exec'], 'pods', 'exec'), true);
    assert.equal(match(['pods/exec'], 'pods', 'log'), false);
    assert.equal(match(['pods/exec'], 'pods'), false);
    assert.equal(match(['pods/*'], 'pods', 'log'), true);
    assert.equal(match(['pods/*'], 'pods'), false);
    assert.equal(match(['*/status'], 'deployments', 'status'), true);
    assert.equal(match(['*/status'], 'deployments', 'scale'), false);
    assert.equal(match(['*/status'], 'deployments'), false);
  });

  it('matches everything with "*"', () => {
    assert.equal(match(['*'], 'pods', 'exec'), true);
    assert.equal(match(['*'], 'secrets'), true);
  });

  it('rejects malformed entries', () => {
    assert.equal(resourceEntryProblem('pods/exec'), undefined);
    assert.match(resourceEntryProblem('pods/exec/x') ?? '', /must be/);
    assert.match(resourceEntryProblem('/exec') ?? '', /must be/);
    assert.match(resourceEntryProblem('') ?? '', /empty/);
  });
});
