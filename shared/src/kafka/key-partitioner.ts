import { Partitioners, type ICustomPartitioner, type PartitionerArgs } from 'kafkajs';

/**
 * kafkajs's DefaultPartitioner (Java-compatible: murmur2 of the key modulo the partition count), remembering the
 * partition of each string key. The default computes murmur2 with 64-bit Long objects and filters the partition list on
 * every message; a service producing many messages for few keys (the gateway: one key per actor) pays that once per
 * key instead. Answers are exactly the default's: keyed partitions depend only on the key and the partition count, and
 * the memo is kept per partition count. Messages with an explicit partition or without a string key go to the default
 * as they are (round-robin for key-less messages keeps its counter). At most `maxKeys` keys per partition count are
 * remembered; beyond, the oldest are forgotten.
 */
export function cachingKeyPartitioner(maxKeys = 10_000): ICustomPartitioner {
  return () => {
    const fallback = Partitioners.DefaultPartitioner();
    const memo = new Map<number, Map<string, number>>();
    return (args: PartitionerArgs): number => {
      const { message, partitionMetadata } = args;
      const key = message.key;
      if (typeof key !== 'string' || (message.partition !== undefined && message.partition !== null)) return fallback(args);
      let byKey = memo.get(partitionMetadata.length);
      if (byKey === undefined) { byKey = new Map(); memo.set(partitionMetadata.length, byKey); }
      let partition = byKey.get(key);
      if (partition === undefined) {
        partition = fallback(args);
        if (byKey.size >= maxKeys) byKey.delete(byKey.keys().next().value!);
        byKey.set(key, partition);
      }
      return partition;
    };
  };
}
