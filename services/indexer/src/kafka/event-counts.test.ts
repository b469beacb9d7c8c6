import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Registry } from 'prom-client';
import { EventCounts } from './event-counts.js';

describe('EventCounts', () => {
  it('adds each stage and schema version to the counter once, with its count', async () => {
    const registry = new Registry();
    const counter = new Counter({ name: 'events_total', help: 'h', labelNames: ['stage', 'schema_version'], registers: [registry] });
    counter.inc({ stage: 'RequestReceived', schema_version: '2' }, 5);
    const counts = new EventCounts();
    for (const [stage, version] of [['RequestReceived', 2], ['ResponseComplete', 2], ['RequestReceived', 2], ['RequestReceived', 1]] as const) counts.add(stage, version);
    counts.report(counter);
    const values = (await counter.get()).values.map((v) => [v.labels['stage'], v.labels['schema_version'], v.value]);
    assert.deepEqual(values.sort(), [['RequestReceived', '1', 1], ['RequestReceived', '2', 7], ['ResponseComplete', '2', 1]]);
  });
});
