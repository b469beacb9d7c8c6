import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConcurrencyLimit } from './concurrency-limit.js';

/** A task that resolves when told to, recording when it started. */
function gate(started: string[], name: string): { task: () => Promise<string>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => { open = resolve; });
  return { task: async () => { started.push(name); await opened; return name; }, open };
}

const tick = () => new Promise((r) => setImmediate(r));

test('runs at most `limit` tasks at once and starts the waiting ones in arrival order', async () => {
  const limit = new ConcurrencyLimit(2);
  const started: string[] = [];
  const gates = ['a', 'b', 'c', 'd'].map((n) => gate(started, n));
  const results = gates.map((g) => limit.run(g.task));
  await tick();
  assert.deepEqual(started, ['a', 'b']);
  assert.equal(limit.active, 2);
  assert.equal(limit.queued, 2);
  gates[1]!.open();
  await tick();
  assert.deepEqual(started, ['a', 'b', 'c']);
  gates[0]!.open();
  gates[2]!.open();
  gates[3]!.open();
  assert.deepEqual(await Promise.all(results), ['a', 'b', 'c', 'd']);
  assert.equal(limit.active, 0);
  assert.equal(limit.queued, 0);
});

test('a failed task passes its turn on and the failure reaches its caller', async () => {
  const limit = new ConcurrencyLimit(1);
  const failing = limit.run(async () => { throw new Error('sink down'); });
  const next = limit.run(async () => 'next');
  await assert.rejects(failing, /sink down/);
  assert.equal(await next, 'next');
  assert.equal(limit.active, 0);
});

test('refuses a limit that is not a positive integer', () => {
  assert.throws(() => new ConcurrencyLimit(0), RangeError);
  assert.throws(() => new ConcurrencyLimit(1.5), RangeError);
});
