import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chainHash, canonicalJson, GENESIS_HASH } from './chain-hash.js';
import { HashChain } from './hash-chain.js';
import { instanceOfStream, streamId } from './stream-id.js';
import { chainSampleEvent } from './chain.test-helper.js';

test('canonical JSON follows RFC 8785: sorted keys, ES number forms, minimal escapes', () => {
  assert.equal(canonicalJson({ b: [1e21, 0.000001, -0], a: 'é\u000f', c: { z: null, y: true } }), '{"a":"é\\u000f","b":[1e+21,0.000001,0],"c":{"y":true,"z":null}}');
});

test('links count from 1, name the previous hash, and hash the canonical event without the hash itself', () => {
  const chain = new HashChain(streamId('proxy-0', 'boot-1'));
  const first = chainSampleEvent('a0000001');
  const second = chainSampleEvent('a0000001', 'ResponseComplete');
  const l1 = chain.linkAndSerialize(first).link;
  const l2 = chain.linkAndSerialize(second).link;
  assert.deepEqual([l1.seq, l2.seq], [1, 2]);
  assert.equal(l1.prevHash, GENESIS_HASH);
  assert.equal(l2.prevHash, l1.hash);
  const { hash: _h, ...withoutHash } = first.auditgate.chain!;
  const expected = createHash('sha256').update(canonicalJson({ ...first, auditgate: { ...first.auditgate, chain: withoutHash } })).digest('hex');
  assert.equal(l1.hash, expected);
  assert.deepEqual(chain.head(), { seq: 2, hash: l2.hash });
});

test('the hash survives a JSON round trip and key reordering, and changes with any edit', () => {
  const event = chainSampleEvent('a0000002');
  const link = new HashChain('proxy-0/x', { prevHash: 'f'.repeat(64) }).linkAndSerialize(event).link;
  const copy = JSON.parse(JSON.stringify(event)) as typeof event;
  assert.equal(chainHash(copy), link.hash);
  const reordered = Object.fromEntries(Object.entries(copy).reverse()) as typeof event;
  assert.equal(chainHash(reordered), link.hash);
  assert.equal(chainHash({ ...copy, auditgate: { ...copy.auditgate, enrichment: { target: 'x' } } }), link.hash, 'enrichment is outside the hash');
  assert.notEqual(chainHash({ ...copy, verb: 'list' }), link.hash);
  assert.notEqual(chainHash({ ...copy, auditgate: { ...copy.auditgate, chain: { ...copy.auditgate.chain!, seq: 2 } } }), link.hash);
});

test('a number JSON cannot carry is made null in the event before linking: the hash covers the null the stored record holds', () => {
  const event = chainSampleEvent('a0000003', 'ResponseComplete');
  event.auditgate.stream = { events: 1, bytes: Number.NaN, durationMs: Infinity };
  const { link, text } = new HashChain('proxy-0/x').linkAndSerialize(event);
  assert.deepEqual(event.auditgate.stream, { events: 1, bytes: null, durationMs: null });
  assert.equal(chainHash(JSON.parse(text) as typeof event), link.hash);
});

test('a stream id names the instance and the boot', () => {
  assert.equal(instanceOfStream(streamId('proxy-7c9/x', 'b00t')), 'proxy-7c9/x');
});
