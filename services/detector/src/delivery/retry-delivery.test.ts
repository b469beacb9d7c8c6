import { it } from 'node:test';
import assert from 'node:assert/strict';
import { AppError, ErrorCodes } from '@auditgate/shared';
import { retryDelivery } from './retry-delivery.js';

const policy = { maxAttempts: 4, initialBackoffMs: 10, maxBackoffMs: 25 };

it('retries retriable failures with capped exponential backoff, then succeeds', async () => {
  const waits: number[] = [];
  let calls = 0;
  const out = await retryDelivery(async () => { calls += 1; if (calls < 4) throw new Error('503'); }, policy,
    { sleep: async (ms) => { waits.push(ms); return true; }, stopping: () => false });
  assert.deepEqual(out, { ok: true, attempts: 4 });
  assert.deepEqual(waits, [10, 20, 25]);
});

it('gives up at once on a non-retriable error and after maxAttempts otherwise', async () => {
  const bad = new AppError('400', { code: ErrorCodes.BAD_REQUEST, retriable: false });
  const hooks = { sleep: async () => true, stopping: () => false };
  assert.deepEqual(await retryDelivery(async () => { throw bad; }, policy, hooks), { ok: false, aborted: false, reason: '400', attempts: 1 });
  assert.deepEqual(await retryDelivery(async () => { throw new Error('down'); }, policy, hooks), { ok: false, aborted: false, reason: 'down', attempts: 4 });
});

it('reports aborted when stopping cuts the backoff short', async () => {
  const out = await retryDelivery(async () => { throw new Error('down'); }, policy, { sleep: async () => false, stopping: () => false });
  assert.deepEqual(out, { ok: false, aborted: true, reason: 'down', attempts: 1 });
});
