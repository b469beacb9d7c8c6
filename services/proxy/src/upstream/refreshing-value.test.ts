import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCodes } from '@auditgate/shared';
import { createRefreshingValue, type Fresh } from './refreshing-value.js';

function harness(fail: () => boolean = () => false) {
  let clock = 1_000_000;
  let loads = 0;
  const errors: unknown[] = [];
  const value = createRefreshingValue<number>({
    what: 'test value',
    now: () => clock,
    timer: false,
    retryAfterMs: 1_000,
    onBackgroundError: (e) => errors.push(e),
    load: async (): Promise<Fresh<number>> => {
      loads += 1;
      if (fail()) throw new Error('boom');
      return { value: loads, refreshAt: clock + 100, expiresAt: clock + 200 };
    },
  });
  return { value, errors, advance: (ms: number) => (clock += ms), loads: () => loads };
}

it('loads once, then serves the cached value without loading', async () => {
  const h = harness();
  const [a, b] = await Promise.all([h.value.get(), h.value.get()]);
  assert.equal(a, 1);
  assert.equal(b, 1);
  assert.equal(await h.value.get(), 1);
  assert.equal(h.loads(), 1);
});

it('past refreshAt returns the old value at once and refreshes in the background', async () => {
  const h = harness();
  await h.value.get();
  h.advance(150);
  assert.equal(await h.value.get(), 1);
  await new Promise((r) => setImmediate(r));
  assert.equal(h.loads(), 2);
  assert.equal(await h.value.get(), 2);
});

it('past expiresAt waits for a new value', async () => {
  const h = harness();
  await h.value.get();
  h.advance(250);
  assert.equal(await h.value.get(), 2);
});

it('foreground failures throw a retriable UPSTREAM_UNAVAILABLE; background failures back off and keep the old value', async () => {
  let failing = true;
  const h = harness(() => failing);
  await assert.rejects(h.value.get(), (e: { code?: string; retriable?: boolean }) => {
    assert.equal(e.code, ErrorCodes.UPSTREAM_UNAVAILABLE);
    assert.equal(e.retriable, true);
    return true;
  });
  failing = false;
  assert.equal(await h.value.get(), 2);
  failing = true;
  h.advance(150);
  assert.equal(await h.value.get(), 2);
  await new Promise((r) => setImmediate(r));
  assert.equal(h.errors.length, 1);
  assert.equal(await h.value.get(), 2, 'no new attempt inside the back-off');
  await new Promise((r) => setImmediate(r));
  assert.equal(h.loads(), 3);
});
