import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { JsonSyntax } from './json-syntax.js';
import { jsonCheckStream } from './json-check-stream.js';

const SEED = 1305;

/** Feeds `text` in the given chunk sizes; true when the checker calls it one complete JSON value (or sequence). */
function check(text: Buffer, cuts: readonly number[] = [], sequence = false): boolean {
  const syntax = new JsonSyntax(sequence);
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    if (cut <= at || cut >= text.length) continue;
    if (!syntax.push(text.subarray(at, cut))) return false;
    at = cut;
  }
  return syntax.push(text.subarray(at)) && syntax.end();
}

function parses(text: Buffer): boolean {
  try { JSON.parse(text.toString('utf8')); return true; } catch { return false; }
}

it('agrees with JSON.parse on hand-picked texts, whole and cut into single bytes', () => {
  const valid = ['0', '-0', '1.5e+10', '-12.25E-3', '"a\\u00e9\\n"', 'true', 'false', 'null', '[]', '{}', ' [1, [2, {"a": [null]}], "x"] ',
    '{"kind":"Secret","data":{"p":"cGFzcw=="}}', '"\\/\\b\\f\\r\\t\\"\\\\"', '1e5', '[-0.0e0]', '\n{"a":{"b":{"c":[[[]]]}}}\t'];
  const invalid = ['', ' ', '01', '1.', '.5', '+1', '1e', '1e+', '-', '--1', '"\\x"', '"\\u12g4"', '"a\nb"', 'tru', 'nul', 'truex', '[1,]', '{"a":1,}',
    '{"a"}', '{"a":}', '{1:2}', '[1 2]', '{"a":1 "b":2}', ']', '[', '{', '{"a":1]', '[1}', '1 2', '{"k":"v"}x', "{'a':1}", 'NaN', 'Infinity', '"abc'];
  for (const text of valid) {
    const bytes = Buffer.from(text);
    assert.equal(check(bytes), true, text);
    assert.equal(check(bytes, [...bytes.keys()]), true, `${text} (byte by byte)`);
  }
  for (const text of invalid) {
    const bytes = Buffer.from(text);
    assert.equal(parses(bytes), false, `JSON.parse refuses ${JSON.stringify(text)}`);
    assert.equal(check(bytes), false, text);
    assert.equal(check(bytes, [...bytes.keys()]), false, `${text} (byte by byte)`);
  }
});

it(`agrees with JSON.parse on generated values and their mutations, cut anywhere (fast-check seed ${SEED})`, () => {
  const text = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v, null, 1) ?? 'null'),
    fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
  );
  const mutated = fc.tuple(text, fc.nat(), fc.constantFrom('', '"', ',', ']', '}', '{', '[', ':', '\\', '0', '-', 'e', '.', ' ', '\n', '\u0001', 'x'), fc.boolean())
    .map(([t, at, insert, replace]) => {
      const i = t.length === 0 ? 0 : at % t.length;
      return t.slice(0, i) + insert + t.slice(i + (replace ? 1 : 0));
    });
  fc.assert(fc.property(fc.oneof(text, mutated), fc.array(fc.nat()), (t, cuts) => {
    const bytes = Buffer.from(t);
    assert.equal(check(bytes, cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length))), parses(bytes), JSON.stringify(t));
  }), { seed: SEED, numRuns: 3000 });
});

it('a sequence (a watch) takes values one after another and fails at the first that is not JSON', () => {
  const events = '{"type":"ADDED","object":{"a":1}}\n{"type":"MODIFIED","object":{"a":2}}\n';
  assert.equal(check(Buffer.from(events), [5, 40], true), true);
  assert.equal(check(Buffer.from(''), [], true), true);
  const syntax = new JsonSyntax(true);
  assert.equal(syntax.push(Buffer.from(`${events}{"type":"ADDED","object":{"a":1,}}\n`)), false);
  assert.equal(syntax.errorOffset, events.length + 32);
  assert.equal(check(Buffer.from(`${events}{"type":`), [], true), false, 'a stream that ends inside an event');
});

it('nesting deeper than a million levels is refused, not allocated without end', () => {
  const syntax = new JsonSyntax();
  assert.equal(syntax.push(Buffer.alloc((1 << 20) + 1, '[')), false);
  assert.equal(syntax.errorOffset, 1 << 20);
});

async function relay(chunks: string[], sequence: boolean): Promise<{ out: string; error: Error | undefined }> {
  let out = '';
  const sink = new Writable({ write(chunk: Buffer, _e, cb) { out += chunk.toString(); cb(); } });
  const body = Readable.from(chunks.map((c) => Buffer.from(c)));
  const heard: string[] = [];
  try {
    await pipeline(body, jsonCheckStream(body, sequence, (e) => heard.push(e.message)), sink);
    return { out, error: undefined };
  } catch (error) {
    assert.deepEqual(heard, [(error as Error).message], 'the invalid body was reported once, as the stream failed');
    return { out, error: error as Error };
  }
}

it('the stream passes valid JSON through unchanged, and never hands on the last chunk of one that turns out invalid', async () => {
  assert.deepEqual(await relay(['{"a":', '[1,2]', '}'], false), { out: '{"a":[1,2]}', error: undefined });
  const cut = await relay(['{"kind":"ConfigMap",', '"data":{"k":"v"}'], false);
  assert.match(cut.error?.message ?? '', /not valid JSON at byte 36/);
  assert.equal(cut.out, '{"kind":"ConfigMap",', 'the caller never gets the whole (invalid) body');
  const bad = await relay(['{"a":1', ',}'], false);
  assert.match(bad.error?.message ?? '', /not valid JSON at byte 7/);
  assert.equal(bad.out, '');
  const watch = await relay(['{"type":"ADDED"}\n', '{"type":', '"X"}\n', 'oops'], true);
  assert.equal(watch.out, '{"type":"ADDED"}\n{"type":"X"}\n');
  assert.match(watch.error?.message ?? '', /at byte 30/);
});
