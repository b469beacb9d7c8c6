import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createJsonObjectSplitter } from './json-object-splitter.js';

function split(chunks: Buffer[], max = 1 << 20): string[] {
  const out: string[] = [];
  const splitter = createJsonObjectSplitter(max, {
    onObject: (b) => out.push(b.toString()),
    onGarbage: (n) => out.push(`garbage:${n}`),
    onOversized: (n) => out.push(`oversized:${n}`),
    onTruncated: (n) => out.push(`truncated:${n}`),
  });
  for (const c of chunks) splitter.push(c);
  splitter.end();
  return out;
}

describe('createJsonObjectSplitter', () => {
  it('property: any JSON objects, cut anywhere, come out exactly as they went in', () => {
    fc.assert(fc.property(
      fc.array(fc.object({ values: [fc.string({ unit: 'binary' }), fc.constant('\\"}{'), fc.integer()] }).map((o) => JSON.stringify(o)), { maxLength: 6 }),
      fc.array(fc.nat(), { maxLength: 12 }),
      (objects, cuts) => {
        const input = Buffer.from(objects.join(' \n'));
        const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let prev = 0;
        for (const p of [...points, input.length]) {
          chunks.push(input.subarray(prev, p));
          prev = p;
        }
        assert.deepEqual(split(chunks), objects);
      },
    ), { numRuns: 500 });
  });

  it('reports garbage runs per line, oversized objects by size, and a cut-off tail', () => {
    assert.deepEqual(split([Buffer.from('xx\n{"a":1}yy{"b":"}"}\n{"c":"'), Buffer.from('1234567890"}{"d"')], 12),
      ['garbage:2', '{"a":1}', 'garbage:2', '{"b":"}"}', 'oversized:18', 'truncated:4']);
  });
});
