import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Gauge, Registry } from 'prom-client';
import { PartitionLag } from './partition-lag.js';

const setup = (): { registry: Registry; lag: PartitionLag } => {
  const registry = new Registry();
  const gauge = new Gauge({ name: 'auditgate_indexer_consumer_lag_messages', help: 'lag', labelNames: ['topic', 'partition'] as const, registers: [registry] });
  return { registry, lag: new PartitionLag(gauge) };
};
const series = async (registry: Registry): Promise<string[]> =>
  (await registry.metrics()).split('\n').filter((l) => l.startsWith('auditgate_indexer_consumer_lag_messages{')).sort();

describe('PartitionLag', () => {
  it('a rebalance removes the partitions that moved to another member, and keeps the rest', async () => {
    const { registry, lag } = setup();
    lag.set('events', 0, 5);
    lag.set('events', 1, 7);
    lag.set('checkpoints', 0, 1);
    lag.assigned({ events: [1], checkpoints: [0] });
    assert.deepEqual(await series(registry), [
      'auditgate_indexer_consumer_lag_messages{topic="checkpoints",partition="0"} 1',
      'auditgate_indexer_consumer_lag_messages{topic="events",partition="1"} 7',
    ]);
  });

  it('a chunk finished after the rebalance does not bring a moved partition back', async () => {
    const { registry, lag } = setup();
    lag.assigned({ events: [0, 1] });
    lag.set('events', 0, 5);
    lag.assigned({ events: [1] });
    lag.set('events', 0, 3);
    lag.set('events', 1, 2);
    assert.deepEqual(await series(registry), ['auditgate_indexer_consumer_lag_messages{topic="events",partition="1"} 2']);
  });

  it('a stopped or crashed consumer reports nothing until it joins again', async () => {
    const { registry, lag } = setup();
    lag.set('events', 0, 5);
    lag.clear();
    lag.set('events', 0, 4);
    assert.deepEqual(await series(registry), []);
    lag.assigned({ events: [0] });
    lag.set('events', 0, 4);
    assert.deepEqual(await series(registry), ['auditgate_indexer_consumer_lag_messages{topic="events",partition="0"} 4']);
  });
});
