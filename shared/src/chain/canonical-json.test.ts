import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import canonicalize from 'canonicalize';
import { canonicalJson } from './canonical-json.js';
import { chainHash, linkedEventText, sha256Hex } from './chain-hash.js';
import { HashChain } from './hash-chain.js';
import { chainSampleEvent } from './chain.test-helper.js';

test('canonical JSON is the RFC 8785 reference implementation\'s on every well-formed JSON value', () => {
  fc.assert(fc.property(fc.jsonValue(), (value) => {
    assert.equal(canonicalJson(value), canonicalize(value));
  }), { numRuns: 2000 });
});

test('deep values are written whatever the call stack: 100,000 levels, the same text as the reference implementation', () => {
  for (const wrap of [(v: unknown): unknown => [v], (v: unknown): unknown => ({ k: v, a: [1, 'x'], z: null })]) {
    let value: unknown = { leaf: 'é\n"', n: -0 };
    for (let i = 0; i < 100_000; i += 1) value = wrap(value);
    assert.equal(canonicalJson(value), canonicalize(value));
  }
});

test('past the recursion depth, the iterative writer gives the reference text for any JSON value', () => {
  fc.assert(fc.property(fc.jsonValue(), fc.integer({ min: 120, max: 400 }), (leaf, depth) => {
    let value: unknown = leaf;
    for (let i = 0; i < depth; i += 1) value = i % 2 === 0 ? { [`k${i % 7}`]: value, b: leaf } : [value, leaf, undefined];
    assert.equal(canonicalJson(value), canonicalize(value));
  }), { numRuns: 200 });
});

test('a cyclic value is refused (TypeError), shallow or deep', () => {
  const shallow: Record<string, unknown> = { a: 1 };
  shallow['self'] = shallow;
  assert.throws(() => canonicalJson(shallow), TypeError);
  const deep: Record<string, unknown> = {};
  let at = deep;
  for (let i = 0; i < 500; i += 1) { const next = {}; at['n'] = next; at = next; }
  at['back'] = deep;
  assert.throws(() => canonicalJson(deep), TypeError);
});

test('what JSON.stringify drops or rewrites, canonical JSON drops or rewrites the same way', () => {
  const value = { u: undefined, f: () => 1, a: [undefined, () => 1, NaN, Infinity], d: new Date(0), n: Object(2) as unknown, s: Object('x') as unknown };
  assert.equal(canonicalJson(value), '{"a":[null,null,null,null],"d":"1970-01-01T00:00:00.000Z","n":2,"s":"x"}');
  assert.deepEqual(JSON.parse(canonicalJson(value)), JSON.parse(JSON.stringify(value)));
  assert.throws(() => canonicalJson(undefined), TypeError);
  assert.throws(() => canonicalJson({ b: 1n }), TypeError);
});

test('a lone surrogate (valid in a JSON body as "\\ud800") is written as JSON.stringify writes it, and reads back to the same text', () => {
  const value = { k: 'a\ud800b', [`\udc00`]: ['\udfff'] };
  const text = canonicalJson(value);
  assert.equal(text, '{"k":"a\\ud800b","\\udc00":["\\udfff"]}');
  assert.equal(canonicalJson(JSON.parse(text)), text);
});

test('a linked event is serialized once: the hashed text lacks the hash, the stored text is the canonical event with it', () => {
  fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.dictionary(fc.string(), fc.jsonValue()), (top, ext) => {
    const base = chainSampleEvent('a0000001');
    const event = { ...top, ...base, auditgate: { ...ext, ...base.auditgate, chain: { stream: 's/1', seq: 7, prevHash: '0'.repeat(64), hash: '' } } };
    const texts = linkedEventText(event);
    const { hash: _hash, ...withoutHash } = event.auditgate.chain;
    assert.equal(texts.hashed, canonicalJson({ ...event, auditgate: { ...event.auditgate, chain: withoutHash } }));
    const h = sha256Hex(texts.hashed);
    const stored = texts.withHash(h);
    assert.equal(stored, canonicalJson({ ...event, auditgate: { ...event.auditgate, chain: { ...event.auditgate.chain, hash: h } } }));
    assert.equal(chainHash(JSON.parse(stored) as typeof event), h, 'the verifier recomputes the hash from the stored record');
  }), { numRuns: 300 });
});

test('an event carrying lone surrogates links, and its stored record verifies', () => {
  const chain = new HashChain('proxy-0/boot-1');
  const event = { ...chainSampleEvent('a0000002'), requestObject: { data: { k: '\ud800' } } };
  const { link, text } = chain.linkAndSerialize(event);
  assert.equal(link.seq, 1);
  assert.equal(chainHash(JSON.parse(text) as typeof event), link.hash);
});

test('an event that cannot be serialized leaves no gap: the chain does not advance and the event keeps no link', () => {
  const chain = new HashChain('proxy-0/boot-1');
  const bad = { ...chainSampleEvent('a0000003'), requestObject: { n: 1n } };
  assert.throws(() => chain.linkAndSerialize(bad), TypeError);
  assert.equal(bad.auditgate.chain, undefined);
  assert.equal(chain.head().seq, 0);
  assert.equal(chain.linkAndSerialize(chainSampleEvent('a0000004')).link.seq, 1);
});
