import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Kafka } from 'kafkajs';
import { createLogger, ensureTopics } from '@auditgate/shared';
import { kubectl, readKubeCredentials, readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';
import { sampleEvent } from '../../../services/indexer/src/enrich/sample-event.test-helper.js';
import { metricSum, readMetrics } from '../../faults/service-metrics.js';
import { createKubeCache } from '../../../services/indexer/src/kube/create-kube-cache.js';
import {
  allDocs, indexerEnv, produceEvents, startInProcess, waitForComplete, useIndexerTestbed,
} from './support/indexer-harness.js';

const day = '2026-03-14T10:00:00.000000Z';

describe('indexer: Kafka → enriched documents in OpenSearch', () => {
  const bed = useIndexerTestbed();

  it('merges every stage of an exchange into one enriched, searchable document per auditID; v1 and v2 side by side', async () => {
    const names = await bed.fresh();
    const app = await startInProcess(indexerEnv(names, { CLUSTER_ACCOUNT: '123456789012' }));
    try {
      const ids = Array.from({ length: 20 }, (_, i) => `happy-${String(i).padStart(4, '0')}-${names.groupId.slice(-8)}`);
      const events = ids.flatMap((auditID, i) => {
        const schemaVersion = i % 2 === 0 ? 1 as const : 2 as const;
        const username = `agent-${i % 4}`;
        const base = { auditID, schemaVersion, username, receivedAt: day };
        const stream = i % 5 === 0;
        return [
          sampleEvent({ ...base, stage: 'RequestReceived', ...(stream ? { verb: 'watch' } : {}) }),
          ...(stream ? [sampleEvent({ ...base, stage: 'ResponseStarted', verb: 'watch' })] : []),
          sampleEvent({ ...base, stage: 'ResponseComplete', ...(stream ? { verb: 'watch' } : {}) }),
        ];
      });
      // Completion before receipt for some exchanges: the document must not depend on arrival order.
      await produceEvents(bed.producer, names.topic, events.slice(0, 10).reverse());
      await produceEvents(bed.producer, names.topic, events.slice(10));
      await waitForComplete(bed.os, names.indexPrefix, ids.length);
      const docs = await allDocs(bed.os, names.indexPrefix);
      assert.equal(docs.length, ids.length, 'exactly one document per auditID');
      for (const [i, auditID] of ids.entries()) {
        const doc = docs.find((d) => d._id === auditID);
        assert.ok(doc, auditID);
        assert.equal(doc._index, `${names.indexPrefix}-2026.03.14`);
        const stages = Object.keys(doc._source['stages'] as object).sort();
        assert.deepEqual(stages, i % 5 === 0 ? ['RequestReceived', 'ResponseComplete', 'ResponseStarted'] : ['RequestReceived', 'ResponseComplete']);
        const ext = doc._source['auditgate'] as Record<string, Record<string, unknown>>;
        const enrichment = ext['enrichment']!;
        assert.deepEqual(enrichment['cluster'], { name: 'prod-eu', arn: 'arn:aws:eks:eu-west-1:123456789012:cluster/prod-eu', region: 'eu-west-1', account: '123456789012' });
        assert.deepEqual(enrichment['iam'], { roleArn: 'arn:aws:iam::123456789012:role/auditgate/RoleY', roleName: 'RoleY', account: '123456789012' });
        assert.equal(enrichment['target'], 'payments/secrets/db-creds');
        assert.equal(enrichment['secretAccess'], true);
        assert.equal(enrichment['clusterWide'], false);
        assert.equal(enrichment['durationMs'], 250);
        assert.equal(enrichment['responseBytes'], 512);
        assert.equal(ext['schemaVersion'], i % 2 === 0 ? 1 : 2);
        assert.deepEqual(doc._source['responseStatus'], { code: 200 });
      }
      // Searchable through the mapped fields.
      const search = async (query: Record<string, unknown>): Promise<number> =>
        (await bed.os.count({ index: names.indexPrefix, body: { query } })).body.count as number;
      assert.equal(await search({ term: { 'auditgate.enrichment.iam.roleName': 'RoleY' } }), ids.length);
      assert.equal(await search({ term: { 'user.username': 'agent-1' } }), 5);
      assert.equal(await search({ match: { requestURI: 'secrets' } }), ids.length);
      assert.equal(await search({ term: { 'requestURI.keyword': '/api/v1/namespaces/payments/secrets/db-creds' } }), ids.length);
      assert.equal(await search({ term: { 'stages.ResponseStarted.responseStatus.code': 200 } }), 4);
      assert.equal(await search({ term: { 'auditgate.schemaVersion': 1 } }), 10);
      assert.equal(await search({ range: { 'auditgate.enrichment.durationMs': { gte: 250 } } }), ids.length);
      // requestObject/responseObject are stored, not exploded into the mapping.
      const mapping = (await bed.os.indices.getMapping({ index: `${names.indexPrefix}-2026.03.14` })).body as Record<string, { mappings: { properties: Record<string, { enabled?: boolean; properties?: unknown }> } }>;
      const props = Object.values(mapping)[0]!.mappings.properties;
      assert.equal(props['responseObject']?.enabled, false);
      assert.equal(props['responseObject']?.properties, undefined);
      const settings = (await bed.os.indices.getSettings({ index: `${names.indexPrefix}-2026.03.14` })).body as Record<string, { settings: { index: { refresh_interval: string } } }>;
      assert.equal(Object.values(settings)[0]!.settings.index.refresh_interval, '1s');
      const metrics = await (await fetch(`http://127.0.0.1:${app.ops}/metrics`)).text();
      assert.match(metrics, /auditgate_indexer_documents_written_total\{service="indexer"\} [1-9]/);
      assert.match(metrics, /auditgate_indexer_consumer_lag_messages\{[^}]*\} 0/);
      assert.match(metrics, /auditgate_indexer_bulk_duration_seconds_count\{[^}]*outcome="ok"[^}]*\} [1-9]/);
      assert.equal((await fetch(`http://127.0.0.1:${app.ops}/readyz`)).status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${app.ops}/healthz`)).status, 200);
    } finally {
      await app.stop();
    }
  });

  it('sends garbage and invalid events to the DLQ with a reason, and keeps indexing what follows', async () => {
    const names = await bed.fresh();
    const app = await startInProcess(indexerEnv(names));
    try {
      const valid = (id: string) => [sampleEvent({ auditID: id, username: 'mallory' }), sampleEvent({ auditID: id, username: 'mallory', stage: 'ResponseComplete' })];
      const invalid = { ...sampleEvent({ auditID: 'bad-event-1', username: 'mallory' }), stage: 'Sideways' };
      const v3 = sampleEvent({ auditID: 'bad-event-2', username: 'mallory' });
      // A version no reader supports yet (3, MCP events and verified MCP correlation, is supported).
      (v3.auditgate as { schemaVersion: number }).schemaVersion = 4;
      const garbage = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x7b]);
      // All on one partition (same key), so the good records after the bad ones prove the partition is not stalled.
      await bed.producer.send({ topic: names.topic, acks: -1, messages: [
        ...valid('before-1-aaaa').map((e) => ({ key: 'mallory', value: JSON.stringify(e) })),
        { key: 'mallory', value: garbage },
        { key: 'mallory', value: JSON.stringify(invalid) },
        { key: 'mallory', value: JSON.stringify(v3) },
        { key: 'mallory', value: '' },
        ...valid('after-1-aaaaa').map((e) => ({ key: 'mallory', value: JSON.stringify(e) })),
      ] });
      await waitForComplete(bed.os, names.indexPrefix, 2);
      const dlq = await readDlq(bed.kafka, names.dlqTopic, 4);
      assert.equal(dlq.length, 4);
      assert.deepEqual(dlq.map((r) => r.code), ['AUDITGATE_E_EVENT_UNDECODABLE', 'AUDITGATE_E_EVENT_INVALID', 'AUDITGATE_E_EVENT_INVALID', 'AUDITGATE_E_EVENT_UNDECODABLE']);
      assert.ok(dlq.every((r) => r.key === 'mallory' && r.sourceTopic === names.topic));
      assert.deepEqual(dlq[0]!.value, garbage, 'the original bytes, untouched');
      assert.match(dlq[1]!.reason, /stage/);
      assert.match(dlq[2]!.reason, /schemaVersion/);
      assert.deepEqual(dlq.map((r) => Number(r.sourceOffset)), [2, 3, 4, 5]);
      const ids = (await allDocs(bed.os, names.indexPrefix)).map((d) => d._id).sort();
      assert.deepEqual(ids, ['after-1-aaaaa', 'before-1-aaaa']);
      const metrics = await (await fetch(`http://127.0.0.1:${app.ops}/metrics`)).text();
      assert.match(metrics, /auditgate_indexer_dlq_records_total\{code="AUDITGATE_E_EVENT_INVALID",service="indexer"\} 2/);
    } finally {
      await app.stop();
    }
  });

  it('while the DLQ cannot be written, commits nothing past the bad record, reads it again after a backoff, and dead-letters it once the DLQ is back', async () => {
    const names = await bed.fresh();
    // The DLQ topic does not exist yet (and the indexer never creates topics): every DLQ send fails until it does.
    const dlqTopic = `${names.dlqTopic}.late`;
    // One record per chunk, so the good records before the bad one commit and the ones after it must not.
    const app = await startInProcess(indexerEnv(names, { INDEXER_DLQ_TOPIC: dlqTopic, INDEXER_RETRY_INITIAL_MS: '200', INDEXER_RETRY_MAX_MS: '1000', INDEXER_BULK_MAX_DOCS: '1' }));
    const admin = bed.kafka.admin();
    await admin.connect();
    const committed = async (): Promise<number> => {
      const [topic] = await admin.fetchOffsets({ groupId: names.groupId, topics: [names.topic] });
      return Math.max(...topic!.partitions.map((p) => Number(p.offset)));
    };
    try {
      const valid = (id: string) => [sampleEvent({ auditID: id, username: 'mallory' }), sampleEvent({ auditID: id, username: 'mallory', stage: 'ResponseComplete' })];
      // One partition (same key): offsets 0-1 good, 2 garbage, 3-4 good.
      await bed.producer.send({ topic: names.topic, acks: -1, messages: [
        ...valid('before-2-aaaa').map((e) => ({ key: 'mallory', value: JSON.stringify(e) })),
        { key: 'mallory', value: Buffer.from('not json') },
        ...valid('after-2-aaaaa').map((e) => ({ key: 'mallory', value: JSON.stringify(e) })),
      ] });
      // Everything is written to OpenSearch all the same; only the commit waits for the DLQ.
      await waitForComplete(bed.os, names.indexPrefix, 2);
      // The DLQ send fails for good (after the producer's own retries): the chunk is rewound, and again after each backoff.
      const rewinds = async (): Promise<number> => metricSum(await readMetrics(app.ops), 'auditgate_indexer_rewinds_total');
      await waitFor('two rewinds of the partition', async () => (await rewinds() >= 2 ? true : undefined), 60_000);
      await waitFor('the records before the bad one committed', async () => (await committed() === 2 ? true : undefined), 10_000);
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(await committed(), 2, 'nothing committed past the record at offset 2, neither indexed nor dead-lettered');
      await ensureTopics(bed.kafka, [{ topic: dlqTopic, numPartitions: 1, configEntries: [] }]);
      const dlq = await readDlq(bed.kafka, dlqTopic, 1);
      assert.equal(dlq[0]!.sourceOffset, '2');
      assert.equal(dlq[0]!.code, 'AUDITGATE_E_EVENT_UNDECODABLE');
      await waitFor('offsets committed to the end', async () => (await committed() === 5 ? true : undefined), 30_000);
      const ids = (await allDocs(bed.os, names.indexPrefix)).map((d) => d._id).sort();
      assert.deepEqual(ids, ['after-2-aaaaa', 'before-2-aaaa'], 'one document per exchange, however often its records were read');
    } finally {
      await admin.disconnect();
      await app.stop();
    }
  });

  it('sends a document OpenSearch rejects for good (mapping error) to the DLQ, and indexes the rest', async () => {
    const names = await bed.fresh();
    const app = await startInProcess(indexerEnv(names));
    try {
      const bad = sampleEvent({ auditID: 'mapping-bad-1', username: 'eve' });
      bad.sourceIPs = ['not-an-ip'];
      await produceEvents(bed.producer, names.topic, [bad, sampleEvent({ auditID: 'mapping-ok-1', username: 'eve', stage: 'ResponseComplete' })]);
      await waitForComplete(bed.os, names.indexPrefix, 1);
      const dlq = await readDlq(bed.kafka, names.dlqTopic, 1);
      assert.equal(dlq[0]!.code, 'AUDITGATE_E_INDEX_REJECTED');
      assert.match(dlq[0]!.reason, /OpenSearch 400/);
      assert.equal(JSON.parse(dlq[0]!.value.toString()).auditID, 'mapping-bad-1');
    } finally {
      await app.stop();
    }
  });

  it('adds object, owner and namespace labels from the cluster cache (real API server), and nothing on a miss', async () => {
    const stack = readStackEnv(process.env);
    const creds = readKubeCredentials(stack);
    const ns = uniqueName('idx-ns');
    await kubectl(stack, creds.adminKubeconfig, ['create', 'namespace', ns]);
    try {
      await kubectl(stack, creds.adminKubeconfig, ['label', 'namespace', ns, 'sensitivity=high']);
      await kubectl(stack, creds.adminKubeconfig, ['-n', ns, 'create', 'secret', 'generic', 'db-creds', '--from-literal=password=hunter2']);
      await kubectl(stack, creds.adminKubeconfig, ['-n', ns, 'label', 'secret', 'db-creds', 'app.kubernetes.io/name=payments', 'tier=db']);
      const cache = createKubeCache({ kubeconfigPath: creds.adminKubeconfig, resources: ['v1/secrets', 'apps/v1/deployments'], maxObjects: 10_000, logger: createLogger({ name: 't', level: 'silent' }) });
      const names = await bed.fresh();
      const app = await startInProcess(indexerEnv(names), cache);
      try {
        await waitFor('the cache to see the secret', async () => cache.object('secrets', ns, 'db-creds'));
        const objectRef = { resource: 'secrets', namespace: ns, name: 'db-creds', apiVersion: 'v1' };
        const missRef = { resource: 'secrets', namespace: ns, name: 'no-such', apiVersion: 'v1' };
        await produceEvents(bed.producer, names.topic, [
          sampleEvent({ auditID: 'kube-hit-0001', stage: 'ResponseComplete', objectRef }),
          sampleEvent({ auditID: 'kube-miss-001', stage: 'ResponseComplete', objectRef: missRef }),
        ]);
        await waitForComplete(bed.os, names.indexPrefix, 2);
        const docs = await allDocs(bed.os, names.indexPrefix);
        const enrichment = (id: string) => ((docs.find((d) => d._id === id)!._source['auditgate'] as Record<string, Record<string, unknown>>)['enrichment']!);
        assert.deepEqual(enrichment('kube-hit-0001')['object'], { labels: { 'app.kubernetes.io/name': 'payments', tier: 'db' } });
        assert.deepEqual((enrichment('kube-hit-0001')['namespace'] as { labels: Record<string, string> }).labels['sensitivity'], 'high');
        assert.equal(enrichment('kube-miss-001')['object'], undefined);
        assert.equal((enrichment('kube-miss-001')['namespace'] as { labels: Record<string, string> }).labels['sensitivity'], 'high');
        const bySensitivity = await bed.os.count({ index: names.indexPrefix, body: { query: { term: { 'auditgate.enrichment.namespace.labels.sensitivity': 'high' } } } });
        assert.equal(bySensitivity.body.count, 2);
      } finally {
        await app.stop();
      }
    } finally {
      await kubectl(stack, creds.adminKubeconfig, ['delete', 'namespace', ns, '--wait=false']).catch(() => undefined);
    }
  });
});

async function readDlq(kafka: Kafka, topic: string, count: number): Promise<Array<{ key: string; value: Buffer; code: string; reason: string; sourceTopic: string; sourceOffset: string }>> {
  const consumer = kafka.consumer({ groupId: uniqueName('idx-dlq-reader'), maxWaitTimeInMs: 100 });
  const got: Array<{ key: string; value: Buffer; code: string; reason: string; sourceTopic: string; sourceOffset: string }> = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const h = (name: string): string => String(message.headers?.[name] ?? '');
        got.push({ key: message.key?.toString() ?? '', value: message.value ?? Buffer.alloc(0), code: h('auditgate-error-code'), reason: h('auditgate-error-reason'), sourceTopic: h('auditgate-source-topic'), sourceOffset: h('auditgate-source-offset') });
      },
    });
    await waitFor(`${count} DLQ records`, async () => (got.length >= count ? true : undefined), 30_000);
    await new Promise((r) => setTimeout(r, 300));
    return got;
  } finally {
    await consumer.disconnect();
  }
}
