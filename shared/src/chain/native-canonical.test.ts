import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import canonicalize from 'canonicalize';
import { nativeCanonicalJson } from './native-canonical.js';
import { chainSampleEvent } from './chain.test-helper.js';

/** Fixed seed: a failure names a run that can be replayed. */
const RUNS = { seed: 0x8786, numRuns: 3000 } as const;

const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
/** Member names that stress the engine's ordering: array indexes, near-indexes, `__proto__`, any code unit. */
const anyKey = fc.oneof(fc.string(), fc.string({ unit: codeUnit }), fc.nat().map(String), fc.constantFrom('4294967294', '4294967295', '01', '-1', '1.5', '__proto__', 'toJSON', '\\ud800'));
const anyString = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: codeUnit }), fc.constantFrom('\ud800', '\\ud800', 'a\\\\udfff'));
const { value: anyValue } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.constant(null), fc.constant(undefined), fc.boolean(), fc.double(), fc.integer(), anyString, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(anyKey, tie('value'), { maxKeys: 6 }),
}));
const reference = (value: unknown): string | Error => { try { return canonicalize(value) as string; } catch (e) { return e as Error; } };

test('the native path writes exactly the reference text, or declines: never a different text', () => {
  fc.assert(fc.property(anyValue, (value) => {
    const ours = nativeCanonicalJson(value);
    if (ours !== undefined) assert.equal(ours, reference(value));
  }), RUNS);
});

test('the native path takes every plain, well-formed value without index-like or __proto__ member names', () => {
  fc.assert(fc.property(fc.jsonValue({ stringUnit: 'grapheme' }), (value) => {
    const text = JSON.stringify(value);
    // fc.jsonValue makes __proto__ an own member; the native path leaves those and index names to the full serializer.
    if (text === undefined || /"(__proto__|0|[1-9]\d*)":/.test(text) || text.includes('\\\\ud')) return;
    assert.equal(nativeCanonicalJson(value), canonicalize(value));
  }), RUNS);
});

test('the native path declines what JSON.stringify would write differently from RFC 8785, and each is left to the full serializer', () => {
  const proto = JSON.parse('{"__proto__":{"a":1}}') as unknown;
  let deep: unknown = 'leaf';
  for (let i = 0; i < 200; i += 1) deep = { k: deep };
  for (const value of [{ 10: 'a', 9: 'b' }, [{ 0: 1 }], proto, { d: new Date(0) }, { n: NaN }, [Infinity], { b: 1n }, { s: 'a\ud800' }, { ['\udc00']: 1 }, { s: 'x\\ud800' }, { f: () => 1 }, { toJSON: () => 'x' }, Object(1) as unknown, deep, undefined]) {
    assert.equal(nativeCanonicalJson(value), undefined, `declined: ${String(reference(value)).slice(0, 60)}`);
  }
});

test('the gateway\'s own events take the native path, keys sorted at every depth, and the input is left as it was', () => {
  for (const stage of ['RequestReceived', 'ResponseComplete'] as const) {
    const event = chainSampleEvent('a0000009', stage);
    const before = JSON.stringify(event);
    assert.equal(nativeCanonicalJson(event), canonicalize(event));
    assert.equal(JSON.stringify(event), before, 'no member of the event moved');
  }
  assert.equal(nativeCanonicalJson({ b: [{ z: 1, y: -0, x: 1e21 }, 'é\u000f'], a: { '\u20ac': 1, '\ud83d\ude00': 2, '\ufb33': 3 } }), '{"a":{"\u20ac":1,"\ud83d\ude00":2,"\ufb33":3},"b":[{"x":1e+21,"y":0,"z":1},"\u00e9\\u000f"]}');
});
