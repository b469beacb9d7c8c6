import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Spool, type SpoolRecord } from './spool.js';

const record = (key: string, value: string): SpoolRecord => ({ key, value: Buffer.from(value) });
const plain = (records: SpoolRecord[]): Array<[string, string]> => records.map((r) => [r.key, r.value.toString()]);
const segmentFile = (dir: string, seq: number): string => join(dir, `${String(seq).padStart(12, '0')}.spool`);

describe('Spool', () => {
  const dirs: string[] = [];
  const newDir = (): string => { const d = mkdtempSync(join(tmpdir(), 'spool-test-')); dirs.push(d); return join(d, 'spool'); };
  afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

  it('an absent or fresh spool is empty and has no segments', async () => {
    const spool = new Spool(newDir());
    assert.equal(await spool.isEmpty(), true);
    assert.deepEqual(await spool.segments(), []);
    assert.deepEqual(await spool.sealed(), []);
    await spool.close();
    await spool.close();
  });

  it('append, seal, read in order, append to a new segment, remove oldest first', async () => {
    const dir = newDir();
    const spool = new Spool(dir);
    await spool.append(record('alice', 'a1'));
    await spool.append(record('bob', 'b1'));
    await spool.append(record('alice', 'a2 with ünïcode'));
    assert.equal(await spool.isEmpty(), false);
    assert.deepEqual(await spool.segments(), [1]);
    assert.deepEqual(await spool.sealed(), [1], 'sealing closes the written active segment');
    assert.deepEqual(plain(await spool.read(1)), [['alice', 'a1'], ['bob', 'b1'], ['alice', 'a2 with ünïcode']]);
    await spool.append(record('carol', 'c1'));
    assert.deepEqual(await spool.segments(), [1, 2], 'appends after sealing start a new segment');
    assert.deepEqual(await spool.sealed(), [1, 2]);
    await spool.append(record('dave', 'd1'));
    assert.deepEqual(await spool.sealed(), [1, 2, 3]);
    await spool.remove(1);
    await spool.remove(2);
    assert.equal(await spool.isEmpty(), false);
    assert.deepEqual(plain(await spool.read(3)), [['dave', 'd1']]);
    await spool.remove(3);
    assert.equal(await spool.isEmpty(), true);
    await spool.remove(3);
    await spool.close();
  });

  it('an empty active segment is not sealed and does not make the spool non-empty', async () => {
    const dir = newDir();
    const spool = new Spool(dir);
    await spool.append(record('k', 'v'));
    await spool.sealed();
    await spool.remove(1);
    assert.equal(await spool.isEmpty(), true);
    await spool.close();
  });

  it('a spool reopened over the same folder continues the numbering and keeps earlier segments readable', async () => {
    const dir = newDir();
    const first = new Spool(dir);
    await first.append(record('k', 'from run 1'));
    await first.close();
    const second = new Spool(dir);
    assert.equal(await second.isEmpty(), false, 'records left by the previous run');
    await second.append(record('k', 'from run 2'));
    assert.deepEqual(await second.segments(), [1, 2]);
    assert.deepEqual(await second.sealed(), [1, 2]);
    assert.deepEqual(plain([...await second.read(1), ...await second.read(2)]), [['k', 'from run 1'], ['k', 'from run 2']]);
    await second.close();
  });

  it('a torn final frame (crash mid-write) is ignored, wherever the tear is', async () => {
    const dir = newDir();
    const spool = new Spool(dir);
    await spool.append(record('alice', 'first'));
    await spool.append(record('bob', 'second'));
    await spool.close();
    const whole = readFileSync(segmentFile(dir, 1));
    const firstFrame = 8 + 'alice'.length + 'first'.length;
    for (const cut of [whole.length - 1, firstFrame + 2, firstFrame + 4 + 2, firstFrame + 8 + 1]) {
      writeFileSync(segmentFile(dir, 1), whole.subarray(0, cut));
      assert.deepEqual(plain(await new Spool(dir).read(1)), [['alice', 'first']], `cut at ${cut}`);
    }
    truncateSync(segmentFile(dir, 1), 0);
    assert.deepEqual(await new Spool(dir).read(1), []);
  });

  it('group commit: concurrent appends share writes and syncs, and keep their order', async () => {
    const dir = newDir();
    const spool = new Spool(dir);
    await spool.append(record('warm', 'up'));
    // Count real datasync calls on the real file handle class (a spy, not a fake).
    const probe = await open(join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const original = proto.datasync;
    let syncs = 0;
    proto.datasync = function datasync(this: unknown) { syncs += 1; return original.call(this); };
    try {
      const n = 200;
      await Promise.all(Array.from({ length: n }, (_, i) => spool.append(record(`k${i % 3}`, `v${i}`))));
      assert.ok(syncs >= 1 && syncs <= 3, `${n} concurrent appends took ${syncs} syncs`);
    } finally {
      proto.datasync = original;
    }
    await spool.sealed();
    const values = (await spool.read(1)).map((r) => r.value.toString());
    assert.deepEqual(values, ['up', ...Array.from({ length: 200 }, (_, i) => `v${i}`)]);
    await spool.close();
  });

  it('sealing while appends keep arriving loses nothing and never writes to a closed segment', async () => {
    const dir = newDir();
    const spool = new Spool(dir);
    const expected: string[] = [];
    const failures: string[] = [];
    const append = (value: string): Promise<void> => {
      expected.push(value);
      return spool.append(record('k', value)).catch((error: unknown) => { failures.push(`${value}: ${String(error)}`); });
    };
    const appends: Array<Promise<void>> = [];
    for (let round = 0; round < 20; round += 1) {
      await append(`r${round}-0`);
      // The drainer seals while the proxy keeps spooling: both start in the same tick.
      const sealing = spool.sealed();
      appends.push(append(`r${round}-1`));
      await sealing;
    }
    await Promise.all(appends);
    assert.deepEqual(failures, [], 'no append failed');
    await spool.sealed();
    const got: string[] = [];
    for (const seq of await spool.segments()) got.push(...(await spool.read(seq)).map((r) => r.value.toString()));
    assert.deepEqual(got, expected);
    await spool.close();
  });

  it('segment files are named by sequence and nothing else in the folder is taken for one', async () => {
    const dir = newDir();
    const spool = new Spool(dir);
    await spool.append(record('k', 'v'));
    writeFileSync(join(dir, 'notes.txt'), 'x');
    writeFileSync(join(dir, '12.spool'), 'x');
    assert.deepEqual(await spool.segments(), [1]);
    assert.ok(readdirSync(dir).includes('000000000001.spool'));
    assert.ok(statSync(segmentFile(dir, 1)).size > 0);
    await spool.close();
  });
});
