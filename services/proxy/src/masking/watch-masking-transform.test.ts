import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { createWatchMaskingTransform, type WatchEventInfo, type WatchMaskingOptions } from './watch-masking-transform.js';
import { assertNoPlaintext, b64, testMaskingOptions } from './test-support.js';

const options = testMaskingOptions();
const PASSWORD = 'hunter2-Sup3r!Secret';
const TOKEN = 'tok_Qx7!zzRRmmKK-plain';

const secret = (name: string): object => ({
  kind: 'Secret', apiVersion: 'v1', metadata: { name, resourceVersion: '5' },
  data: { password: b64(PASSWORD) }, stringData: { token: TOKEN },
});
const events = [
  { type: 'ADDED', object: secret('a') },
  { type: 'MODIFIED', object: secret('b{"}\\') },
  { type: 'BOOKMARK', object: { kind: 'Secret', apiVersion: 'v1', metadata: { resourceVersion: '9' } } },
  { type: 'DELETED', object: secret('c') },
  { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410, reason: 'Expired' } },
];
const streamText = events.map((e) => `${JSON.stringify(e)}\n`).join('');

async function run(chunks: Buffer[], extra: Partial<WatchMaskingOptions> = {}): Promise<{ lines: unknown[]; text: string; infos: WatchEventInfo[] }> {
  const infos: WatchEventInfo[] = [];
  const transform = createWatchMaskingTransform({ ...options, ...extra, onEvent: (i) => infos.push(i) });
  const out: Buffer[] = [];
  for await (const piece of Readable.from(chunks, { objectMode: false }).pipe(transform)) out.push(piece as Buffer);
  const text = Buffer.concat(out).toString();
  assert.ok(text === '' || text.endsWith('\n'));
  return { lines: text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown), text, infos };
}

function chunked(buffer: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < buffer.length; i += size) chunks.push(buffer.subarray(i, i + size));
  return chunks;
}

describe('createWatchMaskingTransform', () => {
  it('masks the same way for every chunk size from 1 byte to the whole stream', async () => {
    const input = Buffer.from(streamText);
    const expected = await run([input]);
    assert.equal(expected.lines.length, events.length);
    assertNoPlaintext(expected.text, [PASSWORD, TOKEN]);
    assert.deepEqual((expected.lines[2] as { type: string }), events[2]);
    assert.deepEqual(expected.lines[4], events[4]);
    assert.deepEqual(expected.infos[0]?.maskedPaths, ['/object/data/password', '/object/stringData/token']);
    for (let size = 1; size <= input.length; size++) {
      const got = await run(chunked(input, size));
      assert.equal(got.text, expected.text, `chunk size ${size}`);
    }
  });

  it('handles objects concatenated without newlines and whitespace between them', async () => {
    const input = Buffer.from(`  ${JSON.stringify(events[0])}${JSON.stringify(events[2])}\r\n\n${JSON.stringify(events[3])}`);
    const { lines, text } = await run(chunked(input, 7));
    assert.equal(lines.length, 3);
    assertNoPlaintext(text, [PASSWORD, TOKEN]);
  });

  it('replaces non-JSON garbage by ERROR events and carries on, never passing the bytes through', async () => {
    const input = Buffer.from(`password=${PASSWORD}\n${JSON.stringify(events[0])}\n{not json at all}\n`);
    const { lines, text, infos } = await run(chunked(input, 3));
    assert.equal(lines.length, 3);
    assert.equal((lines[0] as { type: string }).type, 'ERROR');
    assert.equal((lines[1] as { type: string }).type, 'ADDED');
    assert.equal((lines[2] as { object: { code: number } }).object.code, 500);
    assert.deepEqual(infos.map((i) => i.error), ['garbage', undefined, 'unparseable']);
    assertNoPlaintext(text, [PASSWORD, TOKEN]);
  });

  it('drops an oversized object with a 413 Status, keeps going, and an object cut off at the end too', async () => {
    const big = { type: 'ADDED', object: { ...secret('big'), stringData: { token: `${TOKEN}${'x'.repeat(5000)}` } } };
    const input = Buffer.from(`${JSON.stringify(big)}\n${JSON.stringify(events[3])}\n{"type":"ADDED","object":{"kind":"Secret","stringData":{"t":"${TOKEN}`);
    const { lines, text, infos } = await run(chunked(input, 512), { maxObjectBytes: 4096 });
    assert.equal(lines.length, 3);
    const status = (lines[0] as { type: string; object: { code: number; reason: string } });
    assert.equal(status.type, 'ERROR');
    assert.equal(status.object.code, 413);
    assert.equal(status.object.reason, 'RequestEntityTooLarge');
    assert.equal((lines[1] as { type: string }).type, 'DELETED');
    assert.deepEqual(infos.map((i) => i.error), ['oversized', undefined, 'truncated']);
    assertNoPlaintext(text, [PASSWORD, TOKEN]);
  });

  it('passes unchanged events through byte for byte', async () => {
    const line = `${JSON.stringify(events[4])}\n`;
    assert.equal((await run([Buffer.from(line)])).text, line);
  });

  it('survives a throwing onEvent', async () => {
    const transform = createWatchMaskingTransform({ ...options, onEvent: () => { throw new Error('observer'); } });
    const out: Buffer[] = [];
    for await (const piece of Readable.from([Buffer.from(streamText)]).pipe(transform)) out.push(piece as Buffer);
    assert.equal(Buffer.concat(out).toString().split('\n').length, events.length + 1);
  });

  it('property: any objects in any chunking come out as the same masked lines', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({ type: fc.constantFrom('ADDED', 'MODIFIED'), object: fc.record({ kind: fc.constant('Secret'),
        metadata: fc.record({ name: fc.string() }), stringData: fc.dictionary(fc.string(), fc.string({ minLength: 1 })) }) }),
      { maxLength: 5 }),
      fc.integer({ min: 1, max: 64 }),
      async (evts, size) => {
        const input = Buffer.from(evts.map((e) => JSON.stringify(e)).join('\n'));
        const { lines, infos } = await run(chunked(input, size));
        assert.equal(lines.length, evts.length);
        assert.ok(infos.every((i) => i.error === undefined));
        lines.forEach((line, i) => {
          const sd = (line as { object: { stringData: Record<string, string> } }).object.stringData;
          assert.deepEqual(Object.keys(sd), Object.keys(evts[i]?.object.stringData ?? {}));
          for (const v of Object.values(sd)) assert.match(v, /^\*\*\*masked:hmac-sha256:[0-9a-f]{16}\*\*\*$/);
        });
      },
    ), { numRuns: 200 });
  });
});
