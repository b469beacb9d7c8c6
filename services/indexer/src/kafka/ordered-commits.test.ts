import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
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
  const commits: string[] = [];
  const rewinds: string[] = [];
  const ordered = new OrderedCommits({
    logger: createLogger({ name: 'ordered-commits-test', level: 'silent' }),
    commit: async (_topic, partition, offset) => {
      await tick();
      if (failCommitAt.has(`${partition}:${offset}`)) throw new Error('coordinator moved');
      commits.push(`${partition}:${offset}`);
    },
    rewind: (_topic, partition, offset) => { rewinds.push(`${partition}:${offset}`); },
  });
  return { ordered, commits, rewinds };
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

  it('on a chunk that fails, commits neither it nor what is queued behind it, rewinds its partition to it, and commits again only from a chunk read from there', async () => {
    const { ordered, commits, rewinds } = recorder();
    const a = held(); const b = held(); const c = held();
    ordered.add(chunk(0, 0, 9, a.promise));
    ordered.add(chunk(0, 10, 19, b.promise));
    ordered.add(chunk(0, 20, 29, c.promise));
    a.ack(); await settled();
    b.fail('writes aborted'); c.ack(); await settled();
    assert.deepEqual(commits, ['0:10']);
    assert.deepEqual(rewinds, ['0:10'], 'read again from the failed chunk\'s first record');
    // A batch read before the rewind took effect: written, but committing it would skip offsets 10-19.
    const stale = held();
    ordered.add(chunk(0, 30, 39, stale.promise));
    stale.ack(); await settled();
    assert.deepEqual(commits, ['0:10']);
    // The records read again.
    const again = held();
    ordered.add(chunk(0, 10, 39, again.promise));
    again.ack(); await ordered.drain();
    assert.deepEqual(commits, ['0:10', '0:40']);
    assert.equal(ordered.pending(), 0);
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
