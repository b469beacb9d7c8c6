import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { registerSpoolMetrics } from '../metrics/spool-metrics.js';
import { Spool, segmentPath } from './spool.js';
import { SpoolStats } from './spool-stats.js';

const record = (key: string, value: string): { key: string; value: Buffer } => ({ key, value: Buffer.from(value) });
const frameBytes = (key: string, value: string): number => 8 + Buffer.byteLength(key) + Buffer.byteLength(value);

describe('SpoolStats', () => {
  const dirs: string[] = [];
  const newDir = (): string => { const d = mkdtempSync(join(tmpdir(), 'spool-stats-')); dirs.push(d); return join(d, 'spool'); };
  afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

  it('an absent or empty spool measures zero', async () => {
    const spool = new Spool(newDir());
    assert.deepEqual(await new SpoolStats(spool).measure(), { bytes: 0, records: 0, oldestAgeSeconds: 0 });
  });

  it('counts records and bytes as they are appended, sealed and drained', async () => {
    const dir = newDir();
    const spool = new Spool(dir);
    const stats = new SpoolStats(spool);
    await spool.append(record('alice', 'one'));
    await spool.append(record('bob', 'two'));
    assert.deepEqual((({ bytes, records }) => ({ bytes, records }))(await stats.measure()),
      { bytes: frameBytes('alice', 'one') + frameBytes('bob', 'two'), records: 2 });
    await spool.sealed();
    await spool.append(record('carol', 'three'));
    assert.equal((await stats.measure()).records, 3, 'counted across segments, only new bytes read');
    await spool.append(record('dave', 'four'));
    assert.equal((await stats.measure()).records, 4, 'the active segment grows: its new frames are counted');
    await spool.remove(1);
    const left = await stats.measure();
    assert.deepEqual([left.records, left.bytes], [2, frameBytes('carol', 'three') + frameBytes('dave', 'four')]);
    await spool.sealed();
    await spool.remove(2);
    assert.deepEqual(await stats.measure(), { bytes: 0, records: 0, oldestAgeSeconds: 0 });
    await spool.close();
  });

  it('after a restart, a new process measures what the previous one left, and its age', async () => {
    const dir = newDir();
    const first = new Spool(dir);
    await first.append(record('k', 'left by run 1'));
    await first.append(record('k', 'also left'));
    await first.close();
    const born = statSync(segmentPath(dir, 1)).birthtimeMs || statSync(segmentPath(dir, 1)).mtimeMs;
    // The second process starts 20 minutes later and has not spooled anything itself.
    const second = new Spool(dir);
    const now = born + 20 * 60_000;
    const after = await new SpoolStats(second, () => now).measure();
    assert.equal(after.records, 2);
    assert.ok(Math.abs(after.oldestAgeSeconds - 1200) < 1, `oldest record age ${after.oldestAgeSeconds}`);
    await second.close();
  });

  it('a torn final frame is not counted until it is whole', async () => {
    const dir = newDir();
    const spool = new Spool(dir);
    await spool.append(record('k', 'whole'));
    await spool.close();
    const torn = Buffer.alloc(6);
    torn.writeUInt32BE(1, 0);
    appendFileSync(segmentPath(dir, 1), torn);
    const stats = new SpoolStats(new Spool(dir));
    assert.equal((await stats.measure()).records, 1);
  });

  it('the proxy /metrics gauges read it at scrape time', async () => {
    const dir = newDir();
    const spool = new Spool(dir);
    const registry = new Registry();
    let now = Date.now();
    registerSpoolMetrics(registry, new SpoolStats(spool, () => now));
    await spool.append(record('k', 'v'));
    now += 90_000;
    const text = await registry.metrics();
    assert.match(text, /^auditgate_proxy_spool_records 1$/m);
    assert.match(text, new RegExp(`^auditgate_proxy_spool_bytes ${frameBytes('k', 'v')}$`, 'm'));
    const age = Number(/^auditgate_proxy_spool_oldest_record_age_seconds (\S+)$/m.exec(text)?.[1]);
    assert.ok(age >= 89 && age < 95, `age ${age}`);
    await spool.close();
  });
});
