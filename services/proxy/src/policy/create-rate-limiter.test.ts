import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRateLimiter } from './create-rate-limiter.js';

function clock(start = 1_000_000) {
  let time = start;
  return { now: () => time, advance: (ms: number) => { time += ms; } };
}

describe('createRateLimiter', () => {
  it('allows a burst, then refills at the rate', () => {
    const time = clock();
    const limiter = createRateLimiter({ now: time.now });
    const takes = (n: number) => Array.from({ length: n }, () => limiter.take('alice', 2, 3));
    assert.deepEqual(takes(4), [true, true, true, false]);
    time.advance(499);
    assert.equal(limiter.take('alice', 2, 3), false);
    time.advance(1);
    assert.deepEqual(takes(2), [true, false]);
    time.advance(10_000);
    assert.deepEqual(takes(4), [true, true, true, false], 'never more than the burst');
  });

  it('keeps actors apart', () => {
    const limiter = createRateLimiter({ now: clock().now });
    assert.equal(limiter.take('alice', 1, 1), true);
    assert.equal(limiter.take('alice', 1, 1), false);
    assert.equal(limiter.take('bob', 1, 1), true);
  });

  it('treats rate 0 as unlimited and burst 0 as ceil(rate)', () => {
    const limiter = createRateLimiter({ now: clock().now });
    for (let i = 0; i < 1000; i++) assert.equal(limiter.take('free', 0, 0), true);
    assert.equal(limiter.size(), 0, 'unlimited actors take no memory');
    const takes = Array.from({ length: 4 }, () => limiter.take('x', 2.5, 0));
    assert.deepEqual(takes, [true, true, true, false]);
    const slow = Array.from({ length: 2 }, () => limiter.take('y', 0.5, 0));
    assert.deepEqual(slow, [true, false]);
  });

  it('does not mint tokens when the clock steps backwards', () => {
    const time = clock();
    const limiter = createRateLimiter({ now: time.now });
    assert.equal(limiter.take('a', 1, 1), true);
    time.advance(-60_000);
    assert.equal(limiter.take('a', 1, 1), false);
    time.advance(1000);
    assert.equal(limiter.take('a', 1, 1), true);
  });

  it('bounds memory: evicts the least recently used beyond maxKeys', () => {
    const limiter = createRateLimiter({ now: clock().now, maxKeys: 3 });
    for (const key of ['a', 'b', 'c']) assert.equal(limiter.take(key, 1, 1), true);
    assert.equal(limiter.take('a', 1, 1), false, 'touching a makes b the oldest');
    assert.equal(limiter.take('d', 1, 1), true);
    assert.equal(limiter.size(), 3);
    assert.equal(limiter.take('a', 1, 1), false, 'a survived');
    assert.equal(limiter.take('b', 1, 1), true, 'b was evicted, so it starts full again');
  });

  it('sweeps idle actors whose buckets have refilled', () => {
    const time = clock();
    const limiter = createRateLimiter({ now: time.now, sweepIntervalMs: 1000 });
    for (let i = 0; i < 100; i++) limiter.take(`actor-${i}`, 10, 10);
    assert.equal(limiter.size(), 100);
    time.advance(500);
    limiter.take('busy', 1, 5);
    assert.equal(limiter.size(), 101, 'no sweep before the interval');
    time.advance(600);
    limiter.take('busy', 1, 5);
    assert.equal(limiter.size(), 1, 'refilled buckets dropped, the busy one kept');
  });
});
