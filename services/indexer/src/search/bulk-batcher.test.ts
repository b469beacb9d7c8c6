import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { BulkBatcher } from './bulk-batcher.js';
import type { BulkOp, RejectedOp } from './bulk-writer.js';

/** A writer that records each bulk and answers when the test says so (OpenSearch's part is in the integration tests). */
function heldWriter(): { writer: { write: (ops: readonly BulkOp<string>[]) => Promise<RejectedOp<string>[]> }; bulks: string[][]; answer: (rejected?: RejectedOp<string>[]) => void; outstanding: () => number } {
  const bulks: string[][] = [];
  const pending: Array<(r: RejectedOp<string>[]) => void> = [];
  return {
    writer: { write: (ops) => { bulks.push(ops.map((o) => o.id)); return new Promise((resolve) => pending.push(resolve)); } },
    bulks,
    answer: (rejected = []) => pending.shift()?.(rejected),
    outstanding: () => pending.length,
  };
}

const ops = (prefix: string, n: number): BulkOp<string>[] =>
  Array.from({ length: n }, (_, i) => ({ index: 'events', id: `${prefix}${i}`, doc: { auditID: `${prefix}${i}` }, sources: [`${prefix}${i}`] }));

const settings = { maxDocs: 4, maxBytes: 1_000_000, flushIntervalMs: 60, signal: new AbortController().signal };

describe('BulkBatcher', () => {
  it('holds a submission that is not urgent for the flush interval, and sends what arrived meanwhile in the same bulk', async () => {
    const w = heldWriter();
    const batcher = new BulkBatcher<string>({ ...settings, writer: w.writer, maxInFlight: 2 });
    const first = batcher.submit(ops('a', 1), 10);
    await sleep(10);
    const second = batcher.submit(ops('b', 1), 10);
    assert.equal(w.bulks.length, 0, 'nothing leaves before the interval');
    await sleep(80);
    assert.deepEqual(w.bulks, [['a0', 'b0']]);
    w.answer();
    assert.deepEqual(await Promise.all([first, second]), [[], []]);
  });

  it('sends an urgent submission at once, without waiting for company', async () => {
    const w = heldWriter();
    const batcher = new BulkBatcher<string>({ ...settings, flushIntervalMs: 60_000, writer: w.writer, maxInFlight: 2 });
    const done = batcher.submit(ops('a', 2), 10, true);
    assert.deepEqual(w.bulks, [['a0', 'a1']]);
    w.answer();
    assert.deepEqual(await done, []);
  });

  it('caps a bulk at maxDocs however much is queued, and never has more than maxInFlight bulks out', async () => {
    const w = heldWriter();
    const batcher = new BulkBatcher<string>({ ...settings, writer: w.writer, maxInFlight: 2 });
    const all = ['a', 'b', 'c', 'd', 'e'].map((p) => batcher.submit(ops(p, 2), 10, true));
    assert.deepEqual(w.bulks, [['a0', 'a1'], ['b0', 'b1']], 'two slots: two bulks, the rest waits');
    w.answer();
    await sleep(0);
    assert.deepEqual(w.bulks.at(-1), ['c0', 'c1', 'd0', 'd1'], 'what waited leaves together, up to maxDocs');
    assert.equal(w.outstanding(), 2);
    w.answer();
    await sleep(0);
    assert.deepEqual(w.bulks.at(-1), ['e0', 'e1']);
    while (w.outstanding() > 0) w.answer();
    await Promise.all(all);
    assert.ok(w.bulks.every((b) => b.length <= 4));
  });

  it('sends a full bulk at once even when no submission is urgent', () => {
    const w = heldWriter();
    const batcher = new BulkBatcher<string>({ ...settings, flushIntervalMs: 60_000, writer: w.writer, maxInFlight: 1 });
    void batcher.submit(ops('a', 2), 10);
    void batcher.submit(ops('b', 2), 10);
    assert.deepEqual(w.bulks, [['a0', 'a1', 'b0', 'b1']]);
  });

  it('reports a rejected document to the submission it came from, and flush() sends what waits and returns when all is answered', async () => {
    const w = heldWriter();
    const batcher = new BulkBatcher<string>({ ...settings, flushIntervalMs: 60_000, writer: w.writer, maxInFlight: 1 });
    const a = batcher.submit(ops('a', 1), 10);
    const b = batcher.submit(ops('b', 1), 10);
    const flushed = batcher.flush();
    assert.deepEqual(w.bulks, [['a0', 'b0']]);
    w.answer([{ op: ops('b', 1)[0]!, status: 400, reason: 'mapper_parsing_exception' }]);
    await flushed;
    assert.deepEqual(await a, []);
    assert.deepEqual((await b).map((r) => r.op.id), ['b0']);
  });

  it('reports the rejection of an upsert merged from two submissions to both, each with only its own sources', async () => {
    const w = heldWriter();
    const batcher = new BulkBatcher<string>({ ...settings, flushIntervalMs: 60_000, writer: w.writer, maxInFlight: 1 });
    const same = (source: string): BulkOp<string> => ({ index: 'events', id: 'x', doc: { auditID: 'x' }, sources: [source] });
    const first = batcher.submit([same('request-stage')], 10);
    const second = batcher.submit([same('response-stage')], 10);
    const flushed = batcher.flush();
    assert.deepEqual(w.bulks, [['x']], 'one upsert for the exchange');
    w.answer([{ op: { ...same('request-stage'), sources: ['request-stage', 'response-stage'] }, status: 400, reason: 'mapper_parsing_exception' }]);
    await flushed;
    assert.deepEqual((await first).map((r) => r.op.sources), [['request-stage']]);
    assert.deepEqual((await second).map((r) => r.op.sources), [['response-stage']]);
  });

  it('a failed bulk fails every submission in it', async () => {
    const batcher = new BulkBatcher<string>({ ...settings, writer: { write: () => Promise.reject(new Error('aborted')) }, maxInFlight: 1 });
    await assert.rejects(batcher.submit(ops('a', 1), 10, true), /aborted/);
  });
});
