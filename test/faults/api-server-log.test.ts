/**
 * The oracle's reader of the API server's audit log, on a real file written the way the API server writes it:
 * lines split across reads (in the middle of a UTF-8 character too), a rotation (rename, then a new file) with lines
 * still landing in the renamed file, and lines it cannot read, which must be counted and never dropped silently.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServerLogFollower } from './api-server-log.js';

const M = 'auditgate-faults/test/row/';
const dir = mkdtempSync(join(tmpdir(), 'api-server-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const line = (id: string, seq: number, extra: Record<string, unknown> = {}): string =>
  `${JSON.stringify({ kind: 'Event', auditID: id, stage: 'ResponseComplete', verb: 'get', requestURI: `/api/v1/namespaces/ns/configmaps/cm-é-${seq}`, userAgent: `${M}${seq}`, ...extra })}\n`;

/** A follower on a fresh log; polls only when told to (`sync`). */
async function follow(name: string, before = ''): Promise<{ path: string; follower: ApiServerLogFollower }> {
  const path = join(dir, name);
  writeFileSync(path, before);
  const follower = new ApiServerLogFollower(path, M);
  await follower.start(3_600_000);
  return { path, follower };
}

describe('ApiServerLogFollower', () => {
  it('starts at the end of the log and keeps only the row\'s entries', async () => {
    const { path, follower } = await follow('start.log', line('old', 1));
    appendFileSync(path, line('a', 2) + line('other', 3, { userAgent: 'kubectl/v1.31' }) + line('b', 4));
    await follower.sync();
    await follower.stop();
    assert.deepEqual(follower.entries.map((e) => e.auditID), ['a', 'b']);
    assert.equal(follower.unparseable, 0);
  });

  it('joins a line split across reads, in the middle of a multi-byte character', async () => {
    const { path, follower } = await follow('split.log');
    const bytes = Buffer.from(line('split', 5));
    const cut = bytes.indexOf(Buffer.from('é')) + 1; // between the two bytes of é
    appendFileSync(path, bytes.subarray(0, cut));
    await follower.sync();
    assert.equal(follower.entries.length, 0);
    appendFileSync(path, bytes.subarray(cut));
    await follower.sync();
    await follower.stop();
    assert.equal(follower.entries.length, 1);
    assert.equal(follower.entries[0]!.requestURI, '/api/v1/namespaces/ns/configmaps/cm-é-5');
    assert.equal(follower.unparseable, 0);
  });

  it('reads a rotated-away file to its end (lines written after the rename included), then the new file', async () => {
    const { path, follower } = await follow('rotate.log');
    appendFileSync(path, line('r1', 1));
    await follower.sync();
    renameSync(path, `${path}.1`);
    // The API server still had the old file open: its last lines land in the renamed file.
    appendFileSync(`${path}.1`, line('r2', 2));
    writeFileSync(path, line('r3', 3));
    await follower.sync();
    appendFileSync(path, line('r4', 4));
    await follower.sync();
    await follower.stop();
    assert.deepEqual(follower.entries.map((e) => e.auditID), ['r1', 'r2', 'r3', 'r4']);
    assert.equal(follower.rotations, 1);
    assert.equal(follower.unparseable, 0);
  });

  it('counts a partial last line of a rotated-away file as unreadable', async () => {
    const { path, follower } = await follow('torn.log');
    const torn = line('t2', 2);
    appendFileSync(path, line('t1', 1) + torn.slice(0, 40));
    await follower.sync();
    renameSync(path, `${path}.1`);
    writeFileSync(path, line('t3', 3));
    await follower.sync();
    await follower.stop();
    assert.deepEqual(follower.entries.map((e) => e.auditID), ['t1', 't3']);
    assert.equal(follower.unparseable, 1);
  });

  it('counts lines naming the row that are not audit events, and keeps reading', async () => {
    const { path, follower } = await follow('garbage.log');
    appendFileSync(path, `{"auditID":"g1","userAgent":"${M}1"\n` + `${JSON.stringify({ userAgent: `${M}2` })}\n` + line('g3', 3) + `not json but ${M}4\n` + 'not json, not ours\n');
    await follower.sync();
    await follower.stop();
    assert.deepEqual(follower.entries.map((e) => e.auditID), ['g3']);
    assert.equal(follower.unparseable, 3);
    assert.equal(follower.unparseableSample.length, 3);
  });
});
