import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import canonicalize from 'canonicalize';
import { canonicalJson, toIJson } from './canonical-json.js';
import { chainHash, linkedEventText, sha256Hex } from './chain-hash.js';
import { HashChain } from './hash-chain.js';
import { chainSampleEvent } from './chain.test-helper.js';

/** Fixed seed: a failure names a run that can be replayed. */
const RUNS = { seed: 0x8785, numRuns: 2000 } as const;

const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
/** Any string: ASCII, any code point, or any UTF-16 code units (lone surrogates included). */
const anyString = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: codeUnit }), fc.constantFrom('\ud800', 'a\udfffb', '\ud83d\ude00'));
/** Any value a record could hold before it is made I-JSON: any string, any double (NaN, ±Infinity, -0), nested. */
const { value: anyValue } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.constant(null), fc.boolean(), fc.double(), fc.integer(), anyString, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(anyString, tie('value'), { maxKeys: 5 }),
}));
const attempt = (f: () => string): string | Error => { try { return f(); } catch (e) { return e as Error; } };

test('canonical JSON is the RFC 8785 reference implementation\'s on every well-formed JSON value, any code point', () => {
  fc.assert(fc.property(fc.oneof(fc.jsonValue(), fc.jsonValue({ stringUnit: 'binary' })), (value) => {
    assert.equal(canonicalJson(value), canonicalize(value));
  }), RUNS);
});

test('on any value, canonical JSON writes what the reference writes and refuses (typed) what it refuses: nothing else', () => {
  fc.assert(fc.property(anyValue, (value) => {
    const ours = attempt(() => canonicalJson(value));
    const theirs = attempt(() => canonicalize(value) as string);
    if (typeof ours === 'string') assert.equal(ours, theirs);
    else {
      assert.equal((ours as Error & { code?: string }).code, 'AUDITGATE_E_NOT_CANONICAL_JSON');
      assert.ok(theirs instanceof Error, `the reference refuses it too (it wrote ${String(theirs).slice(0, 80)})`);
    }
  }), RUNS);
});

test('made I-JSON (lone surrogates to U+FFFD, NaN and Infinity to null), any value is written exactly as the reference writes it', () => {
  fc.assert(fc.property(anyValue, (value) => {
    const copy = [structuredClone(value)]; // in place: a bare string could not be changed
    toIJson(copy);
    assert.equal(canonicalJson(copy), canonicalize(copy));
    assert.equal(toIJson(copy), 0, 'already I-JSON: nothing changes twice');
    assert.equal(canonicalJson(JSON.parse(canonicalJson(copy))), canonicalJson(copy), 'the stored text reads back to itself');
  }), RUNS);
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

test('a cyclic value is refused, shallow or deep', () => {
  const shallow: Record<string, unknown> = { a: 1 };
  shallow['self'] = shallow;
  assert.throws(() => canonicalJson(shallow), { code: 'AUDITGATE_E_NOT_CANONICAL_JSON' });
  const deep: Record<string, unknown> = {};
  let at = deep;
  for (let i = 0; i < 500; i += 1) { const next = {}; at['n'] = next; at = next; }
  at['back'] = deep;
  assert.throws(() => canonicalJson(deep), { code: 'AUDITGATE_E_NOT_CANONICAL_JSON' });
});

test('what JSON.stringify drops, canonical JSON drops; what is not I-JSON (NaN, Infinity, lone surrogates) it refuses with a code', () => {
  const value = { u: undefined, f: () => 1, a: [undefined, () => 1], d: new Date(0), n: Object(2) as unknown, s: Object('x') as unknown };
  assert.equal(canonicalJson(value), '{"a":[null,null],"d":"1970-01-01T00:00:00.000Z","n":2,"s":"x"}');
  assert.deepEqual(JSON.parse(canonicalJson(value)), JSON.parse(JSON.stringify(value)));
  const refused = { code: 'AUDITGATE_E_NOT_CANONICAL_JSON' };
  for (const bad of [undefined, { b: 1n }, { n: NaN }, [Infinity], { x: [-Infinity] }, 'a\ud800b', { k: ['\udfff'] }, { ['\udc00']: 1 }]) {
    assert.throws(() => canonicalJson(bad), refused);
  }
});

test('toIJson: lone surrogates become U+FFFD in strings and member names, NaN and Infinity become null, in place', () => {
  const value: Record<string, unknown> = { k: 'a\ud800b', ['\udc00']: ['\udfff', NaN, { d: Infinity, ok: '\ud83d\ude00' }], n: 1 };
  assert.equal(toIJson(value), 5);
  assert.deepEqual(value, { k: 'a\ufffdb', ['\ufffd']: ['\ufffd', null, { d: null, ok: '\ud83d\ude00' }], n: 1 });
  assert.equal(canonicalJson(value), canonicalize(value));
});

test('a linked event is serialized once: the hashed text lacks the hash, the stored text is the canonical event with it', () => {
  fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.dictionary(fc.string(), fc.jsonValue()), (top, ext) => {
    const base = chainSampleEvent('a0000001');
    const event = { ...top, ...base, auditgate: { ...ext, ...base.auditgate, chain: { stream: 's/1', seq: 7, prevHash: '0'.repeat(64), hash: '' } } };
    const texts = linkedEventText(event);
    const { hash: _hash, ...withoutHash } = event.auditgate.chain;
    assert.equal(texts.hashed, canonicalize({ ...event, auditgate: { ...event.auditgate, chain: withoutHash } }));
    const h = sha256Hex(texts.hashed);
    const stored = texts.withHash(h);
    assert.equal(stored, canonicalize({ ...event, auditgate: { ...event.auditgate, chain: { ...event.auditgate.chain, hash: h } } }));
    assert.equal(chainHash(JSON.parse(stored) as typeof event), h, 'the verifier recomputes the hash from the stored record');
  }), { numRuns: 300 });
});

test('every linked event is hashed over the reference implementation\'s canonical JSON, whatever it held (made I-JSON first)', () => {
  fc.assert(fc.property(fc.dictionary(anyString, anyValue, { maxKeys: 4 }), anyValue, (top, body) => {
    const base = chainSampleEvent('a0000002');
    const event = { ...top, ...base, requestObject: body };
    const { link, text } = new HashChain('proxy-0/boot-1').linkAndSerialize(event);
    const { hash, ...unhashed } = event.auditgate.chain!;
    assert.equal(hash, link.hash);
    assert.equal(link.hash, sha256Hex(canonicalize({ ...event, auditgate: { ...event.auditgate, chain: unhashed } }) as string), 'the hash covers the reference text');
    assert.equal(text, canonicalize(event), 'the stored record is the reference text of the event as made I-JSON');
    assert.equal(chainHash(JSON.parse(text) as typeof event), link.hash, 'the verifier recomputes the hash from the stored record');
  }), { ...RUNS, numRuns: 500 });
});

test('an event carrying lone surrogates and NaN links with U+FFFD and null, as the API server stores the object', () => {
  const chain = new HashChain('proxy-0/boot-1');
  const event = { ...chainSampleEvent('a0000002'), requestObject: { data: { k: 'a\ud800b', ['\udc01']: 'x' } } };
  event.auditgate.stream = { events: 1, bytes: Number.NaN, durationMs: 5 };
  const { link, text } = chain.linkAndSerialize(event);
  assert.equal(link.seq, 1);
  assert.deepEqual(event.requestObject.data, { k: 'a\ufffdb', ['\ufffd']: 'x' });
  assert.equal(event.auditgate.stream.bytes, null);
  assert.ok(!text.includes('\\ud800') && text.includes('a\ufffdb'));
  assert.equal(chainHash(JSON.parse(text) as typeof event), link.hash);
});

test('an event that cannot be serialized leaves no gap: the chain does not advance and the event keeps no link', () => {
  const chain = new HashChain('proxy-0/boot-1');
  const bad = { ...chainSampleEvent('a0000003'), requestObject: { n: 1n } };
  assert.throws(() => chain.linkAndSerialize(bad), { code: 'AUDITGATE_E_NOT_CANONICAL_JSON' });
  assert.equal(bad.auditgate.chain, undefined);
  assert.equal(chain.head().seq, 0);
  assert.equal(chain.linkAndSerialize(chainSampleEvent('a0000004')).link.seq, 1);
});

test('the hash is spliced into the chain object the event links, even when other members hold a look-alike chain', () => {
  const prevHash = 'ab'.repeat(32);
  const lookAlike = { chain: { prevHash, seq: 1, stream: 's/0' } };
  const base = chainSampleEvent('a0000005');
  const cases = [
    { ...base, requestObject: lookAlike },
    { ...base, annotations: { 'x': JSON.stringify(lookAlike) }, aaa: lookAlike },
    { ...base, auditgate: { ...base.auditgate, actor: { ...base.auditgate.actor, ...lookAlike } } },
    { ...base, responseObject: [lookAlike, { chain: { prevHash, hash: 'x' } }] },
  ];
  for (const event of cases) {
    const linked = { ...event, auditgate: { ...event.auditgate, chain: { stream: 's/1', seq: 7, prevHash, hash: '' } } };
    const texts = linkedEventText(linked);
    const h = sha256Hex(texts.hashed);
    assert.equal(texts.withHash(h), canonicalize({ ...linked, auditgate: { ...linked.auditgate, chain: { ...linked.auditgate.chain, hash: h } } }));
    assert.equal(chainHash(JSON.parse(texts.withHash(h)) as typeof linked), h);
  }
});
