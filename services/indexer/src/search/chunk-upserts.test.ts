import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkUpserts } from './chunk-upserts.js';
import { mergeUpserts, upsertDoc, upsertLines } from './upsert-lines.js';

/** The two lines of an encoded upsert, parsed. */
const parsed = (lines: string): unknown[] => lines.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown);

describe('upsertLines', () => {
  it('encodes an update with retry_on_conflict and the partial doc as upsert, two newline-terminated lines', () => {
    const lines = upsertLines('auditgate-events-2026.03.14', 'id-1', { auditID: 'id-1', user: { username: 'ü "quoted"' } });
    assert.ok(lines.endsWith('\n'));
    assert.equal(lines.split('\n').length, 3);
    assert.deepEqual(parsed(lines), [
      { update: { _index: 'auditgate-events-2026.03.14', _id: 'id-1', retry_on_conflict: 5 } },
      { doc: { auditID: 'id-1', user: { username: 'ü "quoted"' } }, doc_as_upsert: true },
    ]);
  });

  it('escapes an index or id that would break out of its string', () => {
    const lines = upsertLines('a"}\n{"delete', 'b\n', {});
    assert.deepEqual(parsed(lines)[0], { update: { _index: 'a"}\n{"delete', _id: 'b\n', retry_on_conflict: 5 } });
  });
});

describe('mergeUpserts', () => {
  it('reads both documents back from their lines, merges them as OpenSearch would, and keeps every source', () => {
    const first = { index: 'events', id: 'x', lines: upsertLines('events', 'x', { stages: { RequestReceived: { at: 1 } }, verb: 'get', tags: [1, 2] }), sources: ['r1'] };
    const second = { index: 'events', id: 'x', lines: upsertLines('events', 'x', { stages: { ResponseComplete: { at: 2 } }, tags: [3], complete: true }), sources: ['r2', 'r3'] };
    const merged = mergeUpserts(first, second);
    assert.deepEqual([merged.index, merged.id, merged.sources], ['events', 'x', ['r1', 'r2', 'r3']]);
    assert.deepEqual(upsertDoc(merged.lines), { stages: { RequestReceived: { at: 1 }, ResponseComplete: { at: 2 } }, verb: 'get', tags: [3], complete: true });
    assert.deepEqual(parsed(merged.lines)[0], { update: { _index: 'events', _id: 'x', retry_on_conflict: 5 } });
  });

  it('reads back a document whose strings hold newlines and the closing text of the line', () => {
    const doc = { note: 'a\nb', tail: ',"doc_as_upsert":true}\n' };
    assert.deepEqual(upsertDoc(upsertLines('i', 'id\n', doc)), doc);
  });
});

describe('ChunkUpserts', () => {
  it('merges the stages of one exchange into one upsert with every source, and keeps other ids and indices apart', () => {
    const upserts = new ChunkUpserts<string>();
    upserts.add('events-a', 'x', { stages: { RequestReceived: { at: 1 } }, verb: 'get' }, 'r1');
    upserts.add('events-a', 'y', { verb: 'list' }, 'r2');
    upserts.add('events-a', 'x', { stages: { ResponseComplete: { at: 2 } }, complete: true }, 'r3');
    upserts.add('events-b', 'x', { verb: 'watch' }, 'r4');
    const ops = upserts.ops();
    assert.deepEqual(ops.map((o) => [o.index, o.id, o.sources]), [['events-a', 'x', ['r1', 'r3']], ['events-a', 'y', ['r2']], ['events-b', 'x', ['r4']]]);
    assert.deepEqual(parsed(ops[0]!.lines)[1], { doc: { stages: { RequestReceived: { at: 1 }, ResponseComplete: { at: 2 } }, verb: 'get', complete: true }, doc_as_upsert: true });
  });

  it('has no upserts when nothing was added', () => {
    assert.deepEqual(new ChunkUpserts<string>().ops(), []);
  });
});
