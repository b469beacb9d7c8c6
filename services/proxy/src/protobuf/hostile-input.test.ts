import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeKubernetesProtobuf } from './decode-kubernetes-protobuf.js';
import { encodeMessage, kubernetesEnvelope, mapEntries, varint, type ProtoField } from './proto-encoder.test-helper.js';
import { WireReader } from './wire-reader.js';

const MAGIC = Buffer.from('k8s\0', 'latin1');

function sample(): Buffer {
  const container: ProtoField[] = [[1, 'app'], [2, 'nginx'], [7, [[1, 'P'], [3, [[4, [[1, [[1, 'db']]], [2, 'pw']]]]]]]];
  return kubernetesEnvelope('apps/v1', 'Deployment', encodeMessage([
    [1, [[1, 'web'], ...mapEntries(11, { a: 'b' }), [8, [[1, 1], [2, 2]]]]],
    [2, [[3, [[2, [[2, container], [34, [[1, container]]]]]]]]],
  ]));
}

function secret(): Buffer {
  return kubernetesEnvelope('v1', 'Secret', encodeMessage([[1, [[1, 'db']]], ...mapEntries(2, { password: Buffer.from('x') }), [3, 'Opaque']]));
}

describe('decodeKubernetesProtobuf on hostile input', () => {
  it('never throws on random bytes after the magic', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
      const result = decodeKubernetesProtobuf(Buffer.concat([MAGIC, bytes]));
      assert.ok(result === undefined || result.complete === false || typeof result.object === 'object');
    }), { numRuns: 3000 });
  });

  it('never throws on every truncation and on random byte flips of valid bodies, and truncations are never complete', () => {
    for (const body of [sample(), secret()]) {
      for (let n = 0; n < body.length; n++) {
        const result = decodeKubernetesProtobuf(body.subarray(0, n));
        assert.notEqual(result?.complete, true, `truncated at ${n}`);
      }
      fc.assert(fc.property(fc.nat(body.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(body.length - 1), (at, byte, cut) => {
        const copy = Buffer.from(body);
        copy[at] = byte;
        decodeKubernetesProtobuf(copy);
        decodeKubernetesProtobuf(copy.subarray(0, cut));
      }), { numRuns: 3000 });
    }
  });

  it('survives lengths past the end, over-long varints and group wire types', () => {
    const cases = [
      Buffer.concat([MAGIC, Buffer.from([0x0a]), varint(2n ** 63n)]),
      Buffer.concat([MAGIC, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])]),
      Buffer.concat([MAGIC, Buffer.from([0x0b, 0x0c])]),
      Buffer.concat([MAGIC, Buffer.from([0x00])]),
      kubernetesEnvelope('v1', 'Secret', Buffer.from([0x12, 0x05, 0x0a, 0x7f])),
    ];
    for (const body of cases) {
      const result = decodeKubernetesProtobuf(body);
      assert.notEqual(result?.complete, true);
    }
  });

  it('does not recurse on deeply nested unknown messages', () => {
    let inner = Buffer.alloc(0);
    for (let i = 0; i < 5_000; i++) inner = Buffer.concat([Buffer.from([0x0a]), varint(inner.length), inner]).subarray(0);
    const result = decodeKubernetesProtobuf(kubernetesEnvelope('v1', 'Service', encodeMessage([[2, inner]])));
    assert.deepEqual(result?.object, { apiVersion: 'v1', kind: 'Service' });
  });

  it('bounds a huge map and decodes 200k entries quickly', () => {
    const entry = encodeMessage([[11, [[1, 'k'], [2, 'v']]]]);
    const meta = Buffer.concat(Array.from({ length: 200_000 }, () => entry));
    const body = kubernetesEnvelope('v1', 'ConfigMap', encodeMessage([[1, meta]]));
    const started = performance.now();
    const result = decodeKubernetesProtobuf(body);
    assert.ok(performance.now() - started < 1000);
    // Every entry spends budget, even one rewriting the same key: 200k entries exceed the default 10k.
    assert.equal(result?.complete, false);
    assert.deepEqual((result?.object['metadata'] as Record<string, unknown>)['labels'], { k: 'v' });
  });

  it('marks a view incomplete once the item budget is spent', () => {
    const entries = Buffer.concat(Array.from({ length: 20_000 }, (_, i) => encodeMessage([[14, `f${i}`]])));
    const body = kubernetesEnvelope('v1', 'ConfigMap', encodeMessage([[1, entries]]));
    const result = decodeKubernetesProtobuf(body);
    assert.equal(result?.complete, false);
    assert.equal(((result?.object['metadata'] as Record<string, unknown>)['finalizers'] as unknown[]).length, 10_000);
  });
});

describe('WireReader', () => {
  it('reads 64-bit varints, negative int64 and rejects 11-byte varints', () => {
    const r = new WireReader(Buffer.concat([varint(2n ** 53n - 1n), varint(-5), varint(300)]));
    assert.equal(r.readVarint(), 2 ** 53 - 1);
    assert.equal(r.readInt64(), -5);
    assert.equal(r.readVarint(), 300);
    assert.equal(r.readKey(), -1);
    assert.equal(r.ok, true);
    const bad = new WireReader(Buffer.alloc(11, 0xff));
    bad.readVarint();
    assert.equal(bad.ok, false);
  });
});
