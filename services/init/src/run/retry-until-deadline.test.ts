import { it } from 'node:test';
import assert from 'node:assert/strict';
import { AppError, createLogger } from '@auditgate/shared';
import { retryUntilDeadline, type RetryOptions } from './retry-until-deadline.js';

const logger = createLogger({ name: 'test', level: 'silent' });

/** A clock that advances only when the job sleeps, recording each wait. */
function fakeTime(deadline: number): RetryOptions & { readonly waits: number[] } {
  let now = 0;
  const waits: number[] = [];
  return { deadline, now: () => now, sleep: async (ms) => { waits.push(ms); now += ms; }, logger, waits };
}

const unavailable = (): AppError => new AppError('down', { code: 'AUDITGATE_E_OPENSEARCH_UNAVAILABLE', retriable: true });

it('retries a failing step with doubling waits (1 s up to 10 s) until it succeeds', async () => {
  const time = fakeTime(60_000);
  let calls = 0;
  const result = await retryUntilDeadline('step', async () => { calls += 1; if (calls < 6) throw unavailable(); return 'ok'; }, time);
  assert.equal(result, 'ok');
  assert.equal(calls, 6);
  assert.deepEqual(time.waits, [1000, 2000, 4000, 8000, 10_000]);
});

it('a plain error (not an AppError) is retried too', async () => {
  const time = fakeTime(60_000);
  let calls = 0;
  await retryUntilDeadline('step', async () => { calls += 1; if (calls === 1) throw new TypeError('fetch failed'); }, time);
  assert.equal(calls, 2);
});

it('rethrows at once an AppError marked not retriable', async () => {
  const time = fakeTime(60_000);
  const refused = new AppError('refused', { code: 'AUDITGATE_E_INDEX_REJECTED', retriable: false });
  await assert.rejects(retryUntilDeadline('step', async () => { throw refused; }, time), (e) => e === refused);
  assert.deepEqual(time.waits, []);
});

it('rethrows the last error once the deadline has passed', async () => {
  const time = fakeTime(5000);
  let calls = 0;
  await assert.rejects(retryUntilDeadline('step', async () => { calls += 1; throw unavailable(); }, time), /down/);
  // Fails at 0, 1000, 3000, 7000 (past 5000): four attempts.
  assert.equal(calls, 4);
  assert.deepEqual(time.waits, [1000, 2000, 4000]);
});
