import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderSeries } from './event-histogram.js';

test('outcome series stack allow, mask, deny, then none; within each 2xx first and pending last', () => {
  const totals = new Map([['deny/4xx', 3], ['allow/pending', 1], ['mask/2xx', 2], ['allow/2xx', 9], ['none/5xx', 1], ['allow/5xx', 4]]);
  assert.deepEqual(orderSeries('outcome', totals).map((s) => s.key), ['allow/2xx', 'allow/5xx', 'allow/pending', 'mask/2xx', 'deny/4xx', 'none/5xx']);
});

test('verb series by count, then name, with other last', () => {
  const totals = new Map([['other', 50], ['get', 3], ['list', 7], ['delete', 3]]);
  assert.deepEqual(orderSeries('verb', totals), [{ key: 'list', count: 7 }, { key: 'delete', count: 3 }, { key: 'get', count: 3 }, { key: 'other', count: 50 }]);
});
