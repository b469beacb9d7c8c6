import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '@auditgate/shared';
import { buildEventQuery, escapeWildcard } from './build-event-query.js';
import { parseFilters } from './parse-filters.js';

const NOW = Date.parse('2026-03-14T12:00:00Z');
const limits = { maxRangeDays: 93 };
const parameterOf = (fn: () => unknown): unknown => { try { fn(); } catch (e) { return isAppError(e) ? e.details['parameter'] : e; } return undefined; };

describe('parseFilters', () => {
  it('resolves relative ranges and lists', () => {
    const f = parseFilters({ since: '1h', verb: 'get,list', status: '4xx', secretAccess: 'true' }, NOW, limits);
    assert.deepEqual(f, { from: NOW - 3_600_000, to: NOW, verb: ['get', 'list'], status: { classOf: 4 }, secretAccess: true });
    assert.equal(parseFilters({ from: 'now-7d' }, NOW, limits).from, NOW - 7 * 86_400_000);
    assert.equal(parseFilters({}, NOW, limits).from, NOW - 86_400_000);
  });
  it('names the parameter of every bad value', () => {
    assert.equal(parameterOf(() => parseFilters({ q: '*) OR (*' }, NOW, limits)), 'q');
    assert.equal(parameterOf(() => parseFilters({ actor: 'a" OR "b' }, NOW, limits)), 'actor');
    assert.equal(parameterOf(() => parseFilters({ from: '2026-03-15T00:00:00Z' }, NOW, limits)), 'from');
    assert.equal(parameterOf(() => parseFilters({ since: '94d' }, NOW, limits)), 'since');
    assert.equal(parameterOf(() => parseFilters({ since: '1h', from: 'now' }, NOW, limits)), 'since');
    assert.equal(parameterOf(() => parseFilters({ verb: ['get', 'list'] }, NOW, limits)), 'verb');
  });
});

describe('buildEventQuery', () => {
  it('uses only term/range/wildcard clauses with escaped text', () => {
    assert.equal(escapeWildcard('a*b?c\\'), 'a\\*b\\?c\\\\');
    const q = JSON.stringify(buildEventQuery({ from: 0, to: 1, actor: ['x'], q: 'pods?watch=1' }));
    assert.ok(q.includes('"wildcard":{"requestURI.keyword":{"value":"*pods\\\\?watch=1*"'));
    assert.ok(!q.includes('query_string'));
  });
});
