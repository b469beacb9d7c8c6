import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { cachingKeyPartitioner } from './key-partitioner.js';

const metadata = (count: number, leaderless: readonly number[] = []): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionErrorCode: 0, partitionId, leader: leaderless.includes(partitionId) ? -1 : 0, replicas: [0], isr: [0],
  }));

const keys = [
  'system:serviceaccount:agents:claude', 'alice', 'bob@example.com', '', 'é', 'ユーザー', '😀 emoji', 'a'.repeat(257),
  ...Array.from({ length: 500 }, (_, i) => `system:serviceaccount:ns-${i % 37}:agent-${i}`),
];

describe('cachingKeyPartitioner', () => {
  it('gives every string key the partition the DefaultPartitioner gives it, for any partition count, asked again and again', () => {
    const reference = Partitioners.DefaultPartitioner();
    const cached = cachingKeyPartitioner()();
    // Partition counts change under a running producer (partitions added): the memo must not answer for the old count.
    for (const count of [1, 3, 6, 50, 6, 7]) {
      const partitionMetadata = metadata(count, count > 3 ? [1] : []);
      for (let pass = 0; pass < 2; pass += 1) {
        for (const key of keys) {
          const args = { topic: 't', partitionMetadata, message: { key, value: 'v' } };
          assert.equal(cached(args), reference(args), `key ${JSON.stringify(key)} over ${count} partitions`);
        }
      }
    }
  });

  it('stays exact when it forgets keys beyond its bound', () => {
    const reference = Partitioners.DefaultPartitioner();
    const cached = cachingKeyPartitioner(4)();
    const partitionMetadata = metadata(12);
    for (const key of [...keys, ...keys.slice().reverse()]) {
      const args = { topic: 't', partitionMetadata, message: { key, value: 'v' } };
      assert.equal(cached(args), reference(args));
    }
  });

  it('leaves explicit partitions, Buffer keys and key-less messages to the default', () => {
    const reference = Partitioners.DefaultPartitioner();
    const cached = cachingKeyPartitioner()();
    const partitionMetadata = metadata(6, [2]);
    assert.equal(cached({ topic: 't', partitionMetadata, message: { key: 'alice', partition: 4, value: 'v' } }), 4);
    const buffer = { topic: 't', partitionMetadata, message: { key: Buffer.from('bob'), value: 'v' } };
    assert.equal(cached(buffer), reference(buffer));
    // Key-less: round-robin over the partitions that have a leader.
    const seen = new Set<number>();
    for (let i = 0; i < 10; i += 1) seen.add(cached({ topic: 't', partitionMetadata, message: { value: 'v' } }));
    assert.deepEqual([...seen].sort(), [0, 1, 3, 4, 5]);
  });
});
