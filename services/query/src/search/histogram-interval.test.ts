import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '@auditgate/shared';
import { bucketCount, chooseHistogramInterval } from './histogram-interval.js';

const H = 3_600_000;
const D = 24 * H;
const T = Date.UTC(2026, 4, 1, 12, 0, 0);

test('auto picks the finest interval with at most 300 buckets', () => {
  const cases: Array<[number, string]> = [[15 * 60_000, '1m'], [H, '1m'], [4 * H, '1m'], [6 * H, '5m'], [D, '5m'], [2 * D, '15m'], [7 * D, '1h'], [30 * D, '6h'], [93 * D, '1d']];
  for (const [span, expected] of cases) assert.equal(chooseHistogramInterval('auto', T - span, T), expected, `${span / H} h`);
});

test('buckets are counted as OpenSearch aligns them (epoch multiples), partial ones included', () => {
  assert.equal(bucketCount('1h', T, T), 1);
  assert.equal(bucketCount('1h', T - 1, T), 2);
  assert.equal(bucketCount('5m', T - H, T), 13);
});

test('an explicit interval making more than 1000 buckets is a 400 on interval', () => {
  assert.equal(chooseHistogramInterval('1m', T - 16 * H, T), '1m');
  for (const [interval, span] of [['1m', D], ['5m', 7 * D], ['1h', 93 * D]] as const) {
    assert.throws(() => chooseHistogramInterval(interval, T - span, T), (e: unknown) => isAppError(e) && e.status === 400 && (e.details as { parameter?: string }).parameter === 'interval');
  }
});
