import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@opensearch-project/opensearch';
import { readStackEnv, waitFor } from '@auditgate/shared/testing';
import { sampleEvent } from '../../../services/indexer/src/enrich/sample-event.test-helper.js';
import {
  allDocs, indexerEnv, produceEvents, startChild, startCuttableProxy, startInProcess,
  waitForComplete, useIndexerTestbed,
} from './support/indexer-harness.js';

const exchanges = (tag: string, from: number, count: number) => Array.from({ length: count }, (_, i) => `${tag}-${String(from + i).padStart(6, '0')}`);
const eventsOf = (ids: string[]) => ids.flatMap((auditID, i) => [
  sampleEvent({ auditID, username: `agent-${i % 7}` }),
  sampleEvent({ auditID, username: `agent-${i % 7}`, stage: 'ResponseComplete' }),
]);

async function assertOneCompleteDocPerId(os: Client, prefix: string, ids: string[]): Promise<void> {
  const docs = await allDocs(os, prefix, ids.length + 100);
  assert.equal(docs.length, ids.length, 'exactly one document per auditID');
  assert.deepEqual(docs.map((d) => d._id).sort(), [...ids].sort());
  for (const d of docs) assert.deepEqual(Object.keys(d._source['stages'] as object).sort(), ['RequestReceived', 'ResponseComplete'], d._id);
}

describe('indexer: outages and crashes lose nothing and duplicate nothing', () => {
  const bed = useIndexerTestbed();

  it('pauses while OpenSearch is unreachable (cut in front of it) and indexes everything once it is back', async () => {
    const names = await bed.fresh();
    const link = await startCuttableProxy(new URL(readStackEnv(process.env).opensearchUrl));
    const app = await startInProcess(indexerEnv(names, {}, link.url));
    try {
      const first = exchanges('cut-a', 0, 50);
      await produceEvents(bed.producer, names.topic, eventsOf(first));
      await waitForComplete(bed.os, names.indexPrefix, first.length);
      await link.cut();
      const second = exchanges('cut-b', 0, 200);
      await produceEvents(bed.producer, names.topic, eventsOf(second));
      await waitFor('readiness to report OpenSearch down', async () => ((await fetch(`http://127.0.0.1:${app.ops}/readyz`)).status === 503 ? true : undefined));
      const metrics = await (await fetch(`http://127.0.0.1:${app.ops}/metrics`)).text();
      assert.match(metrics, /auditgate_indexer_opensearch_up\{service="indexer"\} 0/);
      assert.match(metrics, /auditgate_indexer_bulk_retries_total\{reason="transport"[^}]*\} [1-9]/);
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal((await allDocs(bed.os, names.indexPrefix)).length, first.length, 'nothing written while cut');
      await link.restore();
      await waitForComplete(bed.os, names.indexPrefix, first.length + second.length);
      await assertOneCompleteDocPerId(bed.os, names.indexPrefix, [...first, ...second]);
      await waitFor('readiness to recover', async () => ((await fetch(`http://127.0.0.1:${app.ops}/readyz`)).status === 200 ? true : undefined));
    } finally {
      await app.stop();
      await link.close();
    }
  });

  it('survives SIGKILL mid-stream: after a restart every exchange has exactly one document with every stage; SIGTERM commits', async () => {
    const names = await bed.fresh();
    const ids = exchanges('kill', 0, 3000);
    await produceEvents(bed.producer, names.topic, eventsOf(ids.slice(0, 1500)));
    await produceEvents(bed.producer, names.topic, eventsOf(ids.slice(1500)));
    const env = indexerEnv(names, { INDEXER_BULK_MAX_DOCS: '100', INDEXER_PARTITIONS_CONCURRENCY: '1', INDEXER_MAX_BYTES_PER_PARTITION: '65536', LOG_LEVEL: 'info' });
    const first = startChild(env);
    try {
      await waitFor('some documents before the kill', async () => {
        await bed.os.indices.refresh({ index: `${names.indexPrefix}-*` }).catch(() => undefined);
        const r = await bed.os.count({ index: names.indexPrefix }).catch(() => undefined);
        return r !== undefined && (r.body.count as number) > 0 ? true : undefined;
      }, 60_000, 50);
    } finally {
      first.signal('SIGKILL');
    }
    await first.closed();
    assert.doesNotMatch(first.output(), /"msg":"stopping/, 'killed, not stopped');
    const before = (await allDocs(bed.os, names.indexPrefix, ids.length)).length;
    assert.ok(before < ids.length, `the kill came mid-stream (${before} of ${ids.length} indexed)`);
    const second = startChild(env);
    try {
      await waitForComplete(bed.os, names.indexPrefix, ids.length, 120_000);
      await assertOneCompleteDocPerId(bed.os, names.indexPrefix, ids);
    } finally {
      second.signal('SIGTERM');
    }
    await second.closed();
    assert.match(second.output(), /"msg":"stopped"/, second.output().slice(-2000));
    const admin = bed.kafka.admin();
    await admin.connect();
    try {
      const committed = await admin.fetchOffsets({ groupId: names.groupId, topics: [names.topic] });
      const ends = await admin.fetchTopicOffsets(names.topic);
      for (const p of committed[0]!.partitions) {
        assert.equal(p.offset, ends.find((e) => e.partition === p.partition)!.high, `partition ${p.partition} fully committed`);
      }
    } finally {
      await admin.disconnect();
    }
  });
});
