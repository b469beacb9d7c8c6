/**
 * The fault suite's judge, given planted losses and duplicates: each must show in `lost`, `duplicated`, `unexpected`
 * or `oracleGaps`, and a clean row must show none (so a 0 in the table means something).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiServerEntry } from './api-server-log.js';
import { secretReadPage } from './expected-alerts.js';
import type { SentRequest } from './load-generator.js';
import type { PagePost } from './page-receiver.js';
import type { KafkaRecord, StoredDocument } from './pipeline-readers.js';
import { reconcileRow, type RowEvidence } from './reconcile-row.js';

const M = 'auditgate-faults/test/row/';
const NS = 'faults-ns';
const ACTORS = ['system:serviceaccount:faults-ns:agent-0', 'system:serviceaccount:faults-ns:agent-1'];
const T0 = Date.parse('2026-12-05T05:00:00.000Z');

interface Planned { readonly kind: 'get-secret' | 'get-configmap' | 'create-configmap'; readonly name: string }
const PLAN: readonly Planned[] = [
  { kind: 'get-configmap', name: 'cm-1' }, { kind: 'get-secret', name: 's-1' }, { kind: 'create-configmap', name: 'cm-2' },
  { kind: 'get-secret', name: 's-2' }, { kind: 'get-configmap', name: 'cm-2' },
];
const resourceOf = (p: Planned): string => (p.kind === 'get-secret' ? 'secrets' : 'configmaps');
const verbOf = (p: Planned): string => (p.kind === 'create-configmap' ? 'create' : 'get');
const at = (seq: number): string => new Date(T0 + seq * 10).toISOString();

/** A clean row: every request served, audited with both stages, indexed once, each Secret read paged once. */
function cleanRow(): RowEvidence & { sent: SentRequest[]; apiServer: ApiServerEntry[]; kafka: KafkaRecord[]; documents: StoredDocument[]; pages: PagePost[] } {
  const sent: SentRequest[] = PLAN.map((p, seq) => ({
    seq, actor: seq % ACTORS.length, kind: p.kind, method: p.kind === 'create-configmap' ? 'POST' : 'GET', path: `/api/v1/namespaces/${NS}/${resourceOf(p)}/${p.name}`,
    startedAt: T0 + seq * 10, endedAt: T0 + seq * 10 + 5, status: p.kind === 'create-configmap' ? 201 : 200, auditId: `id-${seq}`, complete: true,
  }));
  const apiServer: ApiServerEntry[] = PLAN.flatMap((p, seq) => ['RequestReceived', 'ResponseComplete'].map((stage) => ({
    auditID: `id-${seq}`, stage, verb: verbOf(p), requestURI: sent[seq]!.path, userAgent: `${M}${seq}`,
    objectRef: { resource: resourceOf(p), namespace: NS, name: p.name }, requestReceivedTimestamp: at(seq),
  })));
  const kafka: KafkaRecord[] = PLAN.flatMap((p, seq) => ['RequestReceived', 'ResponseComplete'].map((stage) => ({
    auditID: `id-${seq}`, stage, verb: verbOf(p), userAgent: `${M}${seq}`, resource: resourceOf(p), namespace: NS, name: p.name,
    actor: ACTORS[seq % ACTORS.length]!, requestReceivedTimestamp: at(seq), raw: '',
  })));
  const documents: StoredDocument[] = PLAN.map((_, seq) => ({
    index: 'row-events-2026.12.05', id: `id-${seq}`, auditID: `id-${seq}`, userAgent: `${M}${seq}`, complete: true, stages: ['RequestReceived', 'ResponseComplete'], raw: '',
  }));
  const pages: PagePost[] = PLAN.flatMap((p, seq) => (p.kind === 'get-secret'
    ? [{ idempotencyKey: secretReadPage(ACTORS[seq % ACTORS.length]!, NS, p.name, Date.parse(at(seq))), alertId: `a-${seq}`, status: 200, at: T0 + 1000 }]
    : []));
  return {
    fault: 'planted', marker: M, sent, skipped: 0, apiServer, kafka, documents, pages, actorNames: ACTORS, apiServerUnparseable: 0, proxyKills: [], faultNotes: {},
  };
}

const breakdown = (r: ReturnType<typeof reconcileRow>, group: 'lostBreakdown' | 'duplicatedBreakdown' | 'oracleBreakdown'): Record<string, { count: number } | number> =>
  r.details[group] as Record<string, { count: number } | number>;
const count = (r: ReturnType<typeof reconcileRow>, group: 'lostBreakdown' | 'duplicatedBreakdown' | 'oracleBreakdown', key: string): number => {
  const v = breakdown(r, group)[key];
  return typeof v === 'number' ? v : v!.count;
};
const without = <T>(list: readonly T[], drop: (x: T) => boolean): T[] => list.filter((x) => !drop(x));

describe('reconcileRow (the fault suite\'s judge)', () => {
  it('a clean row: nothing lost, duplicated, unexpected or missing from an oracle', () => {
    const r = reconcileRow(cleanRow());
    assert.deepEqual({ sent: r.sent, served: r.served, audited: r.audited, indexed: r.indexed, alertsExpected: r.alertsExpected, alertsPaged: r.alertsPaged },
      { sent: 5, served: 5, audited: 5, indexed: 5, alertsExpected: 2, alertsPaged: 2 });
    assert.deepEqual({ lost: r.lost, duplicated: r.duplicated, unexpected: r.unexpected, oracleGaps: r.oracleGaps }, { lost: 0, duplicated: 0, unexpected: 0, oracleGaps: 0 });
  });

  it('a served request without its RequestReceived record is lost', () => {
    const row = cleanRow();
    const r = reconcileRow({ ...row, kafka: without(row.kafka, (k) => k.auditID === 'id-2' && k.stage === 'RequestReceived') });
    assert.equal(r.lost, 1);
    assert.equal(count(r, 'lostBreakdown', 'missingRequestReceived'), 1);
    assert.equal(r.audited, 4);
  });

  it('a served request without its terminal stage is lost, unless a proxy SIGKILL took it', () => {
    const row = cleanRow();
    const kafka = without(row.kafka, (k) => k.auditID === 'id-2' && k.stage === 'ResponseComplete');
    const r = reconcileRow({ ...row, kafka });
    assert.equal(r.lost, 1);
    assert.equal(count(r, 'lostBreakdown', 'missingTerminalStage'), 1);
    const killed = reconcileRow({ ...row, kafka, proxyKills: [{ at: row.sent[2]!.startedAt + 1 }] });
    assert.equal(killed.lost, 0);
    // A request that ended long before the kill must still have its terminal stage.
    const late = reconcileRow({ ...row, kafka, proxyKills: [{ at: row.sent[2]!.endedAt! + 60_000 }] });
    assert.equal(late.lost, 1);
  });

  it('a Secret read whose terminal stage a proxy SIGKILL took is not a page due', () => {
    const row = cleanRow();
    const kafka = without(row.kafka, (k) => k.auditID === 'id-1' && k.stage === 'ResponseComplete');
    const pages = row.pages.slice(1);
    const r = reconcileRow({ ...row, kafka, pages, proxyKills: [{ at: row.sent[1]!.startedAt + 1 }] });
    assert.deepEqual({ lost: r.lost, alertsExpected: r.alertsExpected, alertsPaged: r.alertsPaged }, { lost: 0, alertsExpected: 1, alertsPaged: 1 });
  });

  it('an exchange on Kafka without a document, or with one lacking the terminal stage, is lost', () => {
    const row = cleanRow();
    const r = reconcileRow({ ...row, documents: without(row.documents, (d) => d.auditID === 'id-3') });
    assert.equal(r.lost, 1);
    assert.equal(count(r, 'lostBreakdown', 'notIndexed'), 1);
    assert.equal(r.indexed, 4);
    const partial = reconcileRow({ ...row, documents: row.documents.map((d) => (d.auditID === 'id-3' ? { ...d, complete: false, stages: ['RequestReceived'] } : d)) });
    assert.equal(partial.lost, 1);
  });

  it('a page due and never accepted is lost; one refused with 503 does not count as paged', () => {
    const row = cleanRow();
    const r = reconcileRow({ ...row, pages: [row.pages[0]!, { ...row.pages[1]!, status: 503 }] });
    assert.equal(r.lost, 1);
    assert.equal(count(r, 'lostBreakdown', 'pagesMissing'), 1);
    assert.equal(r.alertsPaged, 1);
  });

  it('a second document of an exchange is a duplicate, in another index or under another _id', () => {
    const row = cleanRow();
    const twin = row.documents[0]!;
    const otherIndex = reconcileRow({ ...row, documents: [...row.documents, { ...twin, index: 'row-events-2026.12.06' }] });
    assert.equal(otherIndex.duplicated, 1);
    assert.equal(count(otherIndex, 'duplicatedBreakdown', 'documentsTwice'), 1);
    const otherId = reconcileRow({ ...row, documents: [...row.documents, { ...twin, id: 'another-id' }] });
    assert.equal(otherId.duplicated, 1);
  });

  it('a page accepted twice is a duplicate (a 503 then a 200 is not)', () => {
    const row = cleanRow();
    const twice = reconcileRow({ ...row, pages: [...row.pages, { ...row.pages[0]!, at: T0 + 2000 }] });
    assert.equal(twice.duplicated, 1);
    assert.equal(count(twice, 'duplicatedBreakdown', 'pagesTwice'), 1);
    const retried = reconcileRow({ ...row, pages: [{ ...row.pages[0]!, status: 503 }, ...row.pages] });
    assert.equal(retried.duplicated, 0);
  });

  it('two requests sharing an audit ID are a duplicate (one would hide the other under one _id)', () => {
    const row = cleanRow();
    // The API server served a second request (seq 7) under id-0: its document would overwrite the first one's.
    const r = reconcileRow({ ...row, apiServer: [...row.apiServer, { ...row.apiServer[1]!, userAgent: `${M}7` }] });
    assert.equal(r.duplicated, 1);
    assert.equal(count(r, 'duplicatedBreakdown', 'auditIdCollisions'), 1);
    // Seen from the generator's side: two of its requests got the same Audit-Id.
    const sent = reconcileRow({ ...row, sent: row.sent.map((s) => (s.seq === 4 ? { ...s, auditId: 'id-0' } : s)) });
    assert.ok(sent.duplicated >= 1);
  });

  it('a request refused with 503 because Kafka was down, yet served by the API server, is lost', () => {
    const row = cleanRow();
    const sent = row.sent.map((s) => (s.seq === 4 ? { ...s, status: 503, cause: 'AUDITGATE_E_KAFKA_UNAVAILABLE' } : s));
    const r = reconcileRow({ ...row, sent });
    assert.equal(r.lost, 1);
    assert.equal(count(r, 'lostBreakdown', 'refusedButServed'), 1);
  });

  it('a refusal because Kafka was down that never reached the API server is neither lost nor an oracle gap', () => {
    const row = cleanRow();
    const refused: SentRequest = { ...row.sent[4]!, seq: 5, auditId: 'id-5', status: 503, cause: 'AUDITGATE_E_KAFKA_UNAVAILABLE' };
    const r = reconcileRow({ ...row, sent: [...row.sent, refused] });
    assert.deepEqual({ lost: r.lost, duplicated: r.duplicated, oracleGaps: r.oracleGaps }, { lost: 0, duplicated: 0, oracleGaps: 0 });
  });

  it('a refusal the gateway gave for another reason must be audited', () => {
    const row = cleanRow();
    const refused: SentRequest = { ...row.sent[4]!, seq: 5, auditId: 'id-5', status: 403, cause: 'AUDITGATE_E_FORBIDDEN' };
    const r = reconcileRow({ ...row, sent: [...row.sent, refused] });
    assert.equal(r.lost, 1);
    assert.equal(count(r, 'lostBreakdown', 'refusedByGatewayNotAudited'), 1);
  });

  it('an upstream answer the API server log lacks is an oracle gap (found even when Kafka lacks it too)', () => {
    const row = cleanRow();
    const r = reconcileRow({ ...row, apiServer: without(row.apiServer, (a) => a.auditID === 'id-4') });
    assert.equal(r.oracleGaps, 1);
    assert.equal(count(r, 'oracleBreakdown', 'answeredButNotInApiServerLog'), 1);
    const answeredNowhere: SentRequest = { ...row.sent[4]!, seq: 5, auditId: 'id-x' };
    assert.equal(reconcileRow({ ...row, sent: [...row.sent, answeredNowhere] }).oracleGaps, 1);
  });

  it('unreadable lines of the API server log are oracle gaps', () => {
    assert.equal(reconcileRow({ ...cleanRow(), apiServerUnparseable: 2 }).oracleGaps, 2);
  });

  it('a Secret read recorded with a wrong actor, name or namespace leaves the page the API server log explains unpaged', () => {
    const row = cleanRow();
    const wrongActor = row.kafka.map((k) => (k.auditID === 'id-1' ? { ...k, actor: ACTORS[0]! } : k));
    // The detector pages what Kafka says: the wrong actor's key.
    const paged = [secretReadPage(ACTORS[0]!, NS, 's-1', Date.parse(at(1))), row.pages[1]!.idempotencyKey].map((k) => ({ ...row.pages[0]!, idempotencyKey: k }));
    const r = reconcileRow({ ...row, kafka: wrongActor, pages: paged });
    assert.equal(r.lost, 1);
    assert.equal(count(r, 'lostBreakdown', 'pagesMissing'), 1);
    const wrongName = row.kafka.map((k) => (k.auditID === 'id-3' ? { ...k, name: 's-9' } : k));
    const pagedName = [row.pages[0]!.idempotencyKey, secretReadPage(ACTORS[1]!, NS, 's-9', Date.parse(at(3)))].map((k) => ({ ...row.pages[0]!, idempotencyKey: k }));
    assert.equal(reconcileRow({ ...row, kafka: wrongName, pages: pagedName }).lost, 1);
  });

  it('a page no recorded exchange explains is unexpected', () => {
    const row = cleanRow();
    const stray = { ...row.pages[0]!, idempotencyKey: secretReadPage(ACTORS[1]!, NS, 'never-read', T0) };
    assert.equal(reconcileRow({ ...row, pages: [...row.pages, stray] }).unexpected, 1);
  });

  it('a served Secret read whose request the generator never sent cannot be attributed, and is lost', () => {
    const row = cleanRow();
    const apiServer = row.apiServer.map((a) => (a.auditID === 'id-1' ? { ...a, userAgent: `${M}99` } : a));
    const kafka = row.kafka.map((k) => (k.auditID === 'id-1' ? { ...k, userAgent: `${M}99` } : k));
    const r = reconcileRow({ ...row, apiServer, kafka, sent: without(row.sent, (s) => s.seq === 1) });
    assert.ok(r.lost >= 1);
    assert.equal(count(r, 'lostBreakdown', 'secretReadsWithoutActor'), 1);
  });
});
