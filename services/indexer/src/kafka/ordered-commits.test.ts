import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { setImmediate as tick } from 'node:timers/promises';
import { createLogger } from '@auditgate/shared';
import { OrderedCommits, type PendingChunk } from './ordered-commits.js';

/** An acknowledgement the test resolves or rejects when it chooses. */
function held(): { promise: Promise<string[]>; ack: () => void; fail: (message: string) => void } {
  let ack!: () => void;
  let fail!: (message: string) => void;
  const promise = new Promise<string[]>((resolve, reject) => { ack = () => resolve([]); fail = (m) => reject(new Error(m)); });
  return { promise, ack, fail };
}

/** An OrderedCommits whose commits and rewinds are recorded ("partition:offset"), with optional failing commits. */
function recorder(failCommitAt: ReadonlySet<string> = new Set()) {
  const clock = { now: 0 };
  const commits: string[] = [];
  const rewinds: string[] = [];
  const delays: number[] = [];
  const ordered = new OrderedCommits({
    logger: createLogger({ name: 'ordered-commits-test', level: 'silent' }),
    commit: async (_topic, partition, offset) => {
      await tick();
      if (failCommitAt.has(`${partition}:${offset}`)) throw new Error('coordinator moved');
      commits.push(`${partition}:${offset}`);
    },
    rewind: (_topic, partition, offset, delayMs) => { rewinds.push(`${partition}:${offset}`); delays.push(delayMs); },
    rewindBackoff: { initialMs: 100, maxMs: 1000 },
    now: () => clock.now,
  });
  return { ordered, commits, rewinds, delays, clock };
}

const chunk = (partition: number, first: number, last: number, acked: Promise<string[]>, settle: PendingChunk<string[]>['settle'] = async () => undefined): PendingChunk<string[]> =>
  ({ topic: 't', partition, first: String(first), last: String(last), docs: last - first + 1, acked, settle });

const settled = async (): Promise<void> => { for (let i = 0; i < 10; i += 1) await tick(); };

describe('OrderedCommits', () => {
  it('commits each partition in the order its chunks came, each only after its acknowledgement, whatever order the acknowledgements come in', async () => {
    const { ordered, commits } = recorder();
    const a = held(); const b = held(); const c = held(); const other = held();
    ordered.add(chunk(0, 0, 9, a.promise));
    ordered.add(chunk(0, 10, 19, b.promise));
    ordered.add(chunk(1, 0, 4, other.promise));
    ordered.add(chunk(0, 20, 29, c.promise));
    assert.equal(ordered.pending(), 35);
    c.ack(); b.ack(); await settled();
    assert.deepEqual(commits, [], 'nothing past the first chunk, whose acknowledgement is still out');
    other.ack(); await settled();
    assert.deepEqual(commits, ['1:5'], 'partitions do not wait for each other');
    a.ack(); await ordered.drain();
    assert.deepEqual(commits, ['1:5', '0:10', '0:20', '0:30']);
    assert.equal(ordered.pending(), 0);
  });

  it('holds the intake while more documents than the limit are unacknowledged', async () => {
    const { ordered } = recorder();
    const a = held(); const b = held();
    ordered.add(chunk(0, 0, 99, a.promise));
    ordered.add(chunk(0, 100, 199, b.promise));
    let through = false;
    const waiting = ordered.whenBelow(100).then(() => { through = true; });
    await settled();
    assert.equal(through, false, '200 pending, limit 100');
    a.ack(); await waiting;
    assert.equal(ordered.pending(), 100);
    b.ack(); await ordered.drain();
  });

  it('on a chunk that fails, commits neither it nor what is queued behind it, rewinds its partition to it, and commits again only from a batch read from there', async () => {
    const { ordered, commits, rewinds, delays, clock } = recorder();
    const a = held(); const b = held(); const c = held();
    ordered.add(chunk(0, 0, 9, a.promise));
    ordered.add(chunk(0, 10, 19, b.promise));
    ordered.add(chunk(0, 20, 29, c.promise));
    a.ack(); await settled();
    b.fail('writes aborted'); c.ack(); await settled();
    assert.deepEqual(commits, ['0:10']);
    assert.deepEqual(rewinds, ['0:10'], 'read again from the failed chunk\'s first record');
    assert.deepEqual(delays, [100], 'after the first backoff');
    // The rest of a batch in hand when the chunk failed: written, but committing it would skip offsets 10-19.
    const stale = held();
    ordered.add(chunk(0, 30, 39, stale.promise));
    stale.ack(); await settled();
    assert.deepEqual(commits, ['0:10']);
    assert.equal(ordered.admit('t', 0, '40'), false, 'a batch fetched past the rewind before it took effect is left unread');
    assert.equal(ordered.admit('t', 1, '40'), true, 'other partitions are not held');
    clock.now = 5_000;
    assert.equal(ordered.admit('t', 0, '7'), true, 'a batch fetched from before the failed chunk ends the rewind (compaction may start it later)');
    const again = held();
    ordered.add(chunk(0, 10, 39, again.promise));
    again.ack(); await ordered.drain();
    assert.deepEqual(commits, ['0:10', '0:40']);
    assert.equal(ordered.pending(), 0);
  });

  it('asks a rewind that did not take again when batches keep coming from past it, then gives it up and commits on', async () => {
    const { ordered, commits, rewinds, clock } = recorder();
    const a = held();
    ordered.add(chunk(3, 100, 199, a.promise, async () => { throw new Error('DLQ down'); }));
    a.ack(); await ordered.drain();
    assert.deepEqual(rewinds, ['3:100']);
    assert.equal(ordered.admit('t', 3, '500'), false, 'within the backoff and its grace: waits');
    for (let i = 1; i <= 3; i += 1) {
      clock.now += 10_000;
      assert.equal(ordered.admit('t', 3, '500'), false);
      assert.equal(rewinds.length, 1 + i, `asked again (${i})`);
    }
    clock.now += 10_000;
    assert.equal(ordered.admit('t', 3, '500'), true, 'the records from 100 count as gone (retention): reading on');
    const b = held();
    ordered.add(chunk(3, 500, 599, b.promise));
    b.ack(); await ordered.drain();
    assert.deepEqual(commits, ['3:600']);
  });

  it('backs rewinds of a partition off, doubling up to the cap, and a commit resets the backoff', async () => {
    const { ordered, delays, clock } = recorder();
    const fail = async (first: number): Promise<void> => {
      const x = held();
      ordered.add(chunk(0, first, first + 9, x.promise, async () => { throw 'a thrown string, not an Error'; }));
      x.ack(); await ordered.drain();
      clock.now += 60_000;
      assert.equal(ordered.admit('t', 0, String(first)), true);
    };
    for (const first of [0, 0, 0, 0, 0]) await fail(first);
    assert.deepEqual(delays, [100, 200, 400, 800, 1000]);
    const ok = held();
    ordered.add(chunk(0, 0, 9, ok.promise));
    ok.ack(); await ordered.drain();
    await fail(10);
    assert.deepEqual(delays.at(-1), 100);
  });

  it('keeps the chain going when a step throws (a throwing callback, an unreadable offset)', async () => {
    const { ordered, commits } = recorder();
    const a = held(); const b = held(); const c = held();
    ordered.add({ ...chunk(0, 0, 9, a.promise), committed: () => { throw new Error('gauge broke'); } });
    ordered.add({ ...chunk(0, 10, 19, b.promise), last: 'not an offset' });
    ordered.add(chunk(0, 20, 29, c.promise));
    a.ack(); b.ack(); c.ack(); await ordered.drain();
    assert.deepEqual(commits, ['0:10', '0:30']);
    assert.equal(ordered.pending(), 0);
  });

  it('stops waiting for room when its signal aborts (the indexer stops)', async () => {
    const { ordered } = recorder();
    const a = held();
    ordered.add(chunk(0, 0, 99, a.promise));
    const stop = new AbortController();
    const waiting = ordered.whenBelow(10, stop.signal);
    stop.abort();
    await waiting;
    assert.equal(ordered.pending(), 100, 'nothing was acknowledged: the wait ended on the signal');
    a.ack(); await ordered.drain();
  });

  it('leaves no listener on its signal after waits that ended with room (the signal outlives every wait)', async () => {
    const { ordered } = recorder();
    const stop = new AbortController();
    for (let i = 0; i < 20; i += 1) {
      const a = held();
      ordered.add(chunk(0, i * 100, i * 100 + 99, a.promise));
      const waiting = ordered.whenBelow(10, stop.signal);
      a.ack();
      await waiting;
    }
    await ordered.drain();
    assert.equal(getEventListeners(stop.signal, 'abort').length, 0);
  });

  it('treats a chunk whose DLQ records could not be sent as failed (not committed, rewound)', async () => {
    const { ordered, commits, rewinds } = recorder();
    const a = held();
    ordered.add(chunk(2, 5, 9, a.promise, async () => { throw new Error('DLQ producer: broker unreachable'); }));
    a.ack(); await ordered.drain();
    assert.deepEqual(commits, []);
    assert.deepEqual(rewinds, ['2:5']);
  });

  it('leaves a failed commit to the next one of the partition (offsets are cumulative)', async () => {
    const { ordered, commits, rewinds } = recorder(new Set(['0:10']));
    const a = held(); const b = held();
    ordered.add(chunk(0, 0, 9, a.promise));
    ordered.add(chunk(0, 10, 19, b.promise));
    a.ack(); b.ack(); await ordered.drain();
    assert.deepEqual(commits, ['0:20']);
    assert.deepEqual(rewinds, []);
  });

  it('drain waits for chunks added while it waits', async () => {
    const { ordered, commits } = recorder();
    const a = held(); const b = held();
    ordered.add(chunk(0, 0, 9, a.promise));
    let drained = false;
    const draining = ordered.drain().then(() => { drained = true; });
    ordered.add(chunk(1, 0, 9, b.promise));
    a.ack(); await settled();
    assert.equal(drained, false);
    b.ack(); await draining;
    assert.deepEqual(commits.sort(), ['0:10', '1:10']);
  });
});
