/**
 * What the pipeline holds after a row: the audit records on the row's events topic, its consumer groups' progress,
 * and the documents in the row's OpenSearch indices (every document, counted per auditID: a second write under the
 * same `_id` is seen from the stages it carries, a second document under another `_id` or index as a second document).
 */
import type { Kafka } from 'kafkajs';
import { readTopic } from '@auditgate/shared';

/** One audit record read back from Kafka. */
export interface KafkaRecord {
  readonly auditID: string;
  readonly stage: string;
  readonly verb: string;
  readonly userAgent: string;
  readonly resource?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly actor: string;
  readonly requestReceivedTimestamp: string;
  readonly raw: string;
}

/** Reads every record of `topic` up to its current end. */
export async function readAuditRecords(kafka: Kafka, topic: string, timeoutMs = 120_000): Promise<KafkaRecord[]> {
  const out: KafkaRecord[] = [];
  await readTopic(kafka, {
    topic, timeoutMs,
    onRecord: (r) => {
      const raw = r.value?.toString('utf8') ?? '';
      try {
        const e = JSON.parse(raw) as { auditID: string; stage: string; verb: string; userAgent?: string; requestReceivedTimestamp: string; objectRef?: { resource?: string; namespace?: string; name?: string }; auditgate: { actor: { username: string } } };
        out.push({
          auditID: e.auditID, stage: e.stage, verb: e.verb, userAgent: e.userAgent ?? '', actor: e.auditgate.actor.username,
          requestReceivedTimestamp: e.requestReceivedTimestamp, raw,
          ...(e.objectRef?.resource === undefined ? {} : { resource: e.objectRef.resource }),
          ...(e.objectRef?.namespace === undefined ? {} : { namespace: e.objectRef.namespace }),
          ...(e.objectRef?.name === undefined ? {} : { name: e.objectRef.name }),
        });
      } catch {
        out.push({ auditID: '', stage: 'undecodable', verb: '', userAgent: '', actor: '', requestReceivedTimestamp: '', raw });
      }
    },
  });
  return out;
}

/** Records not yet committed by `group` on `topic` (0: the group has processed everything produced so far). */
export async function groupLag(kafka: Kafka, group: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const at = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    return ends.reduce((sum, e) => sum + Math.max(0, Number(e.high) - Math.max(at.get(e.partition) ?? 0, Number(e.low))), 0);
  } finally {
    await admin.disconnect();
  }
}

/** One exchange document, as the oracle reads it. */
export interface StoredDocument {
  readonly index: string;
  readonly id: string;
  readonly auditID: string;
  readonly userAgent: string;
  readonly complete: boolean;
  readonly stages: string[];
  readonly raw: string;
}

/** Every document of the indices `<prefix>-*` (refreshed first), read with a scroll (no sort key can hide a twin). */
export async function readDocuments(opensearchUrl: string, prefix: string): Promise<StoredDocument[]> {
  const call = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const res = await fetch(`${opensearchUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (!res.ok) throw new Error(`OpenSearch ${method} ${path} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    return await res.json() as Record<string, unknown>;
  };
  await call('POST', `/${prefix}-*/_refresh?allow_no_indices=true&expand_wildcards=all`);
  const out: StoredDocument[] = [];
  type Hit = { _index: string; _id: string; _source: Record<string, unknown> };
  let res = await call('POST', `/${prefix}-*/_search?scroll=1m&allow_no_indices=true&expand_wildcards=all`, { size: 1000, sort: ['_doc'], query: { match_all: {} } });
  try {
    for (let page = 0; page < 10_000; page += 1) {
      const hits = ((res['hits'] as { hits?: Hit[] } | undefined)?.hits ?? []);
      if (hits.length === 0) break;
      for (const h of hits) {
        const s = h._source;
        out.push({
          index: h._index, id: h._id, auditID: String(s['auditID'] ?? ''), userAgent: String(s['userAgent'] ?? ''), complete: s['complete'] === true,
          stages: Object.keys((s['stages'] as Record<string, unknown> | undefined) ?? {}), raw: JSON.stringify(s),
        });
      }
      res = await call('POST', '/_search/scroll', { scroll: '1m', scroll_id: res['_scroll_id'] });
    }
  } finally {
    if (typeof res['_scroll_id'] === 'string') await call('DELETE', '/_search/scroll', { scroll_id: res['_scroll_id'] }).catch(() => undefined);
  }
  return out;
}
