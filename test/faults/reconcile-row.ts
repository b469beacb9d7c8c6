/**
 * Judges one fault row against its oracles: the API server's own log (what it served, by our audit ID, with the
 * generator's sequence number from the User-Agent) and the generator's record, compared with the records on Kafka,
 * the documents in OpenSearch and the pages the receiver accepted. The two oracles are checked against each other
 * too: a request the client got the API server's answer for must be in the API server's log (else the log, and so
 * the row, misses requests), and every line of the log naming the row must have been readable.
 */
import type { ApiServerEntry } from './api-server-log.js';
import { expectedPagesFromApiServer, expectedPagesFromKafka } from './expected-alerts.js';
import type { SentRequest } from './load-generator.js';
import type { PagePost } from './page-receiver.js';
import type { KafkaRecord, StoredDocument } from './pipeline-readers.js';

/** The row of the results table, with the evidence behind each number. */
export interface RowResult {
  readonly fault: string;
  readonly sent: number;
  readonly served: number;
  readonly audited: number;
  readonly indexed: number;
  readonly alertsExpected: number;
  readonly alertsPaged: number;
  readonly lost: number;
  readonly duplicated: number;
  /** Pages for alerts no recorded exchange explains (must be 0 too). */
  readonly unexpected: number;
  /**
   * Where the oracles fail each other (must be 0): requests the client got an upstream answer for (an audit ID, no
   * gateway error cause) that the API server's log lacks, and lines of that log naming the row that could not be read.
   */
  readonly oracleGaps: number;
  readonly details: Record<string, unknown>;
}

/** When a proxy was SIGKILLed: requests it was answering may lack their terminal stage (RequestReceived never). */
export interface ProxyKill { readonly at: number }

/** Everything a row collected. */
export interface RowEvidence {
  readonly fault: string;
  readonly marker: string;
  readonly sent: readonly SentRequest[];
  readonly skipped: number;
  readonly apiServer: readonly ApiServerEntry[];
  readonly kafka: readonly KafkaRecord[];
  readonly documents: readonly StoredDocument[];
  readonly pages: readonly PagePost[];
  /** The username of each of the generator's actors (`SentRequest.actor` indexes it). */
  readonly actorNames: readonly string[];
  /** Lines of the API server's log naming the row that could not be read (ApiServerLogFollower.unparseable). */
  readonly apiServerUnparseable: number;
  readonly proxyKills: readonly ProxyKill[];
  /** What the fault did (spool used, producers renewed, lag at the kill…), for the JSON. */
  readonly faultNotes: Record<string, unknown>;
}

const TERMINAL = new Set(['ResponseComplete', 'Panic']);
/** The prefix of the gateway's own error codes: a Status cause with it means the gateway answered, not the API server. */
const GATEWAY_CAUSE = 'AUDITGATE_E_';
const KAFKA_UNAVAILABLE = 'AUDITGATE_E_KAFKA_UNAVAILABLE';
/**
 * A request that ended this long before a proxy SIGKILL must still have its terminal stage. Only RequestReceived is
 * made durable before forwarding (the contract); the terminal stage follows: in spool mode after the spool's fsync of
 * its group, in fail-closed mode after Kafka's acknowledgement or the chain's redelivery (ack timeout 5 s + 1 s), so a
 * kill can take the terminal stage of a request answered up to that long before it.
 */
export const KILL_MARGIN_MS = 10_000;

function seqOf(userAgent: string | undefined, marker: string): number | undefined {
  if (userAgent === undefined || !userAgent.startsWith(marker)) return undefined;
  const n = Number(userAgent.slice(marker.length));
  return Number.isInteger(n) ? n : undefined;
}

function add<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (set === undefined) map.set(key, new Set([value])); else set.add(value);
}

/** Computes the row from its evidence. */
export function reconcileRow(e: RowEvidence): RowResult {
  const bySeq = new Map(e.sent.map((r) => [r.seq, r]));
  // Which generator requests each audit ID names, from every source: more than one is a collision (two requests
  // written under one `_id`).
  const seqsOf = new Map<string, Set<number>>();
  const served = new Set<string>();
  for (const a of e.apiServer) {
    served.add(a.auditID);
    const seq = seqOf(a.userAgent, e.marker);
    if (seq !== undefined) add(seqsOf, a.auditID, seq);
  }
  for (const r of e.sent) if (r.auditId !== undefined) add(seqsOf, r.auditId, r.seq);
  const stagesOf = new Map<string, string[]>();
  for (const k of e.kafka) {
    if (k.auditID === '') continue;
    stagesOf.set(k.auditID, [...(stagesOf.get(k.auditID) ?? []), k.stage]);
    const seq = seqOf(k.userAgent, e.marker);
    if (seq !== undefined) add(seqsOf, k.auditID, seq);
  }
  const docsOf = new Map<string, StoredDocument[]>();
  for (const d of e.documents) {
    docsOf.set(d.auditID, [...(docsOf.get(d.auditID) ?? []), d]);
    const seq = seqOf(d.userAgent, e.marker);
    if (seq !== undefined) add(seqsOf, d.auditID, seq);
  }

  const interruptedByKill = (id: string): boolean => {
    const seqs = [...(seqsOf.get(id) ?? [])];
    return seqs.some((s) => {
      const r = bySeq.get(s);
      if (r === undefined) return false;
      return e.proxyKills.some((k) => r.startedAt <= k.at && (r.endedAt === undefined || r.endedAt > k.at - KILL_MARGIN_MS || r.error !== undefined));
    });
  };

  const missingReceived: string[] = [];
  const missingTerminal: string[] = [];
  let audited = 0;
  let indexed = 0;
  for (const id of served) {
    const stages = stagesOf.get(id) ?? [];
    const received = stages.includes('RequestReceived');
    const terminal = stages.some((s) => TERMINAL.has(s));
    if (!received) missingReceived.push(id);
    else if (!terminal && !interruptedByKill(id)) missingTerminal.push(id);
    else audited += 1;
    const docs = docsOf.get(id) ?? [];
    if (received && docs.length > 0 && (!terminal || docs.some((d) => d.complete))) indexed += 1;
  }
  // Every exchange on Kafka (refused ones included) must be indexed, with its terminal stage when Kafka has it.
  const notIndexed: string[] = [];
  for (const [id, stages] of stagesOf) {
    const docs = docsOf.get(id) ?? [];
    if (docs.length === 0 || (stages.some((s) => TERMINAL.has(s)) && !docs.some((d) => d.complete))) notIndexed.push(id);
  }
  // A request refused because the audit log was down must never have reached the API server.
  const refusedButServed = e.sent.filter((r) => r.status === 503 && r.cause === KAFKA_UNAVAILABLE && r.auditId !== undefined && served.has(r.auditId)).map((r) => r.auditId!);
  // The generator's record as the second oracle. An answer without a gateway cause came from the API server: its log
  // must hold it. An answer the gateway gave itself (other than "the audit log is down") must be on Kafka.
  const upstreamAnswered = e.sent.filter((r) => r.status !== undefined && r.auditId !== undefined && r.cause?.startsWith(GATEWAY_CAUSE) !== true);
  const oracleMissing = upstreamAnswered.filter((r) => !served.has(r.auditId!)).map((r) => r.auditId!);
  const refusedNotAudited = e.sent.filter((r) => r.status !== undefined && r.auditId !== undefined && r.cause?.startsWith(GATEWAY_CAUSE) === true
    && r.cause !== KAFKA_UNAVAILABLE && !served.has(r.auditId) && !stagesOf.has(r.auditId) && !interruptedByKill(r.auditId)).map((r) => r.auditId!);
  // The pages due: from what the API server served (actor from the generator's record) and from what Kafka holds.
  const actorOf = (id: string): string | undefined => {
    for (const s of seqsOf.get(id) ?? []) {
      const r = bySeq.get(s);
      if (r !== undefined) return e.actorNames[r.actor];
    }
    return undefined;
  };
  const excused = (id: string): boolean => interruptedByKill(id) && !(stagesOf.get(id) ?? []).some((s) => TERMINAL.has(s));
  const fromApiServer = expectedPagesFromApiServer(e.apiServer, { actorOf, excused });
  const fromKafka = expectedPagesFromKafka(e.kafka);
  const expectedPages = new Set([...fromApiServer.keys, ...fromKafka]);
  const accepted = new Map<string, number>();
  for (const p of e.pages) if (p.status < 300) accepted.set(p.idempotencyKey, (accepted.get(p.idempotencyKey) ?? 0) + 1);
  const pagesMissing = [...expectedPages].filter((k) => !accepted.has(k));
  const pagesUnexpected = [...accepted.keys()].filter((k) => !expectedPages.has(k));
  const pagesTwice = [...accepted].filter(([, n]) => n > 1);
  const docsTwice = [...docsOf].filter(([, d]) => d.length > 1);
  const collisions = [...seqsOf].filter(([, s]) => s.size > 1);

  const lost = missingReceived.length + missingTerminal.length + notIndexed.length + pagesMissing.length + refusedButServed.length
    + refusedNotAudited.length + fromApiServer.unattributed.length;
  const oracleGaps = oracleMissing.length + e.apiServerUnparseable;
  const duplicated = docsTwice.reduce((n, [, d]) => n + d.length - 1, 0) + pagesTwice.reduce((n, [, c]) => n + c - 1, 0)
    + collisions.reduce((n, [, s]) => n + s.size - 1, 0);
  const kafkaResends = [...stagesOf.values()].reduce((n, stages) => n + stages.length - new Set(stages).size, 0);
  const t0 = e.sent[0]?.startedAt ?? 0;
  /** An audit ID with what the generator knows of its request (ms from the first request), for the report. */
  const describe = (id: string): string => {
    const r = [...(seqsOf.get(id) ?? [])].map((s) => bySeq.get(s)).find((x) => x !== undefined);
    if (r === undefined) return id;
    const kills = e.proxyKills.map((k) => k.at - t0).join(',');
    return `${id} #${r.seq} ${r.kind} ${r.method} start+${r.startedAt - t0} end+${r.endedAt === undefined ? '-' : r.endedAt - t0} ${r.status ?? r.error ?? ''} stages=${(stagesOf.get(id) ?? []).join('/')}${kills === '' ? '' : ` kill+${kills}`}`;
  };
  const sample = (ids: readonly string[]): string[] => ids.slice(0, 5).map(describe);
  const latencies = e.sent.filter((r) => r.endedAt !== undefined && r.kind !== 'watch-configmaps').map((r) => r.endedAt! - r.startedAt).sort((a, b) => a - b);
  const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return {
    fault: e.fault, sent: e.sent.length, served: served.size, audited, indexed,
    alertsExpected: expectedPages.size, alertsPaged: [...expectedPages].filter((k) => accepted.has(k)).length, lost, duplicated,
    unexpected: pagesUnexpected.length, oracleGaps,
    details: {
      ...e.faultNotes,
      skippedTicks: e.skipped,
      latencyMs: { p50: pct(0.5), p95: pct(0.95), max: latencies.at(-1) ?? 0 },
      statuses: Object.fromEntries([...e.sent.reduce((m, r) => m.set(String(r.status ?? r.error ?? 'none'), (m.get(String(r.status ?? r.error ?? 'none')) ?? 0) + 1), new Map<string, number>())]),
      answered: e.sent.filter((r) => r.status !== undefined).length,
      refusedKafkaUnavailable: e.sent.filter((r) => r.cause === 'AUDITGATE_E_KAFKA_UNAVAILABLE').length,
      transportErrors: e.sent.filter((r) => r.error !== undefined).length,
      interruptedByProxyKill: [...served].filter((id) => interruptedByKill(id)).length,
      terminalStageLostWithKilledProxy: sample([...served].filter((id) => interruptedByKill(id) && !(stagesOf.get(id) ?? []).some((s) => TERMINAL.has(s)))),
      terminalStageLostWithKilledProxyCount: [...served].filter((id) => interruptedByKill(id) && !(stagesOf.get(id) ?? []).some((s) => TERMINAL.has(s))).length,
      kafkaRecords: e.kafka.length, kafkaExchanges: stagesOf.size, kafkaResendsAbsorbed: kafkaResends,
      documents: e.documents.length, pagePosts: e.pages.length, pages503: e.pages.filter((p) => p.status === 503).length,
      pagesExpectedFromApiServer: fromApiServer.keys.size, pagesExpectedFromKafka: fromKafka.size,
      pagesExpectedOnlyFromKafka: [...fromKafka].filter((k) => !fromApiServer.keys.has(k)).length,
      oracleBreakdown: {
        answeredButNotInApiServerLog: { count: oracleMissing.length, sample: sample(oracleMissing) },
        unparseableApiServerLogLines: e.apiServerUnparseable,
      },
      lostBreakdown: {
        missingRequestReceived: { count: missingReceived.length, sample: sample(missingReceived) },
        missingTerminalStage: { count: missingTerminal.length, sample: sample(missingTerminal) },
        notIndexed: { count: notIndexed.length, sample: sample(notIndexed) },
        pagesMissing: { count: pagesMissing.length, sample: sample(pagesMissing) },
        pagesUnexpected: { count: pagesUnexpected.length, sample: sample(pagesUnexpected) },
        refusedButServed: { count: refusedButServed.length, sample: sample(refusedButServed) },
        refusedByGatewayNotAudited: { count: refusedNotAudited.length, sample: sample(refusedNotAudited) },
        secretReadsWithoutActor: { count: fromApiServer.unattributed.length, sample: sample(fromApiServer.unattributed) },
      },
      duplicatedBreakdown: {
        documentsTwice: { count: docsTwice.length, sample: docsTwice.slice(0, 5).map(([id, d]) => `${id} in ${d.map((x) => `${x.index}/${x.id}`).join(', ')}`) },
        pagesTwice: { count: pagesTwice.length, sample: pagesTwice.slice(0, 5).map(([k, n]) => `${k} ×${n}`) },
        auditIdCollisions: { count: collisions.length, sample: collisions.slice(0, 5).map(([id, s]) => `${id}: seq ${[...s].join(',')}`) },
      },
    },
  };
}
