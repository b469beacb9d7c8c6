/**
 * Did the fault strike? A row whose fault changed nothing (an outage too short to matter, a kill between batches, a
 * broker restart no producer noticed) would show 0 lost and prove nothing. Each row names the evidence its fault must
 * leave, read from what the fault saw, the generator's record and the services' logs; the row fails without it.
 */
import type { SentRequest } from './load-generator.js';

/** What a check reads. */
export interface StruckEvidence {
  /** What the fault returned (faults.ts). */
  readonly notes: Readonly<Record<string, unknown>>;
  readonly sent: readonly SentRequest[];
  /** Per service, the counts of log lines by pattern (fault-row.ts `logEvidence`). */
  readonly logs: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** Returns why the fault did not strike (empty: it struck). */
export type StruckCheck = (e: StruckEvidence) => string[];

const KAFKA_UNAVAILABLE = 'AUDITGATE_E_KAFKA_UNAVAILABLE';
const num = (notes: Readonly<Record<string, unknown>>, key: string): number => (typeof notes[key] === 'number' ? notes[key] : Number.NaN);
/** `problem` unless `value` > 0 (NaN, a missing note, fails too). */
const positive = (value: number, problem: string): string[] => (value > 0 ? [] : [`${problem} (${String(value)})`]);

/** 1a: in fail-closed mode some requests sent during the outage were refused with 503 because Kafka was down. */
export const failClosedRefused: StruckCheck = ({ notes, sent }) => {
  const from = num(notes, 'outageFrom');
  const to = num(notes, 'outageTo');
  const refused = sent.filter((r) => r.status === 503 && r.cause === KAFKA_UNAVAILABLE && r.startedAt >= from && r.startedAt <= to).length;
  return positive(refused, 'no request sent during the Kafka outage was refused with 503 AUDITGATE_E_KAFKA_UNAVAILABLE');
};

/** No request refused because Kafka was down (spool mode keeps serving). */
function noneRefused(sent: readonly SentRequest[]): string[] {
  const refused = sent.filter((r) => r.cause === KAFKA_UNAVAILABLE).length;
  return refused === 0 ? [] : [`${refused} requests refused with AUDITGATE_E_KAFKA_UNAVAILABLE in spool mode`];
}

/** 1b: the spool held records during the outage, and nothing was refused for Kafka. */
export const spooled: StruckCheck = ({ notes, sent }) => [
  ...positive(num(notes, 'spoolBytesDuringOutage'), 'the spool was empty at the end of the Kafka outage'),
  ...noneRefused(sent),
];

/** 1c: the proxy was SIGKILLed with a spool that was not empty, and nothing was refused for Kafka. */
export const spooledAtKill: StruckCheck = ({ notes, sent }) => [
  ...positive(num(notes, 'spoolBytesAtKill'), 'the spool was empty when the proxy was SIGKILLed'),
  ...noneRefused(sent),
];

/** 2: the indexer fell behind and saw OpenSearch fail during the outage. */
export const indexerHeldUp: StruckCheck = ({ notes }) => [
  ...positive(num(notes, 'indexerLagDuringOutage'), 'the indexer had no lag during the OpenSearch outage'),
  ...positive(num(notes, 'indexerFailedBulksDuringOutage') + num(notes, 'indexerRetriedItemsDuringOutage'), 'the indexer saw no failed bulk during the OpenSearch outage'),
];

/** 3: the indexer was SIGKILLed with a bulk OpenSearch had written but the indexer had not been told of. */
export const bulkInFlight: StruckCheck = ({ notes }) => [
  ...positive(num(notes, 'bulksHeldAtKill'), 'no bulk was in flight when the indexer was SIGKILLed'),
  ...positive(num(notes, 'docsInHeldBulks'), 'the bulk in flight at the SIGKILL carried no document'),
];

/** 4: alerts were pending delivery and the receiver had refused some when the detector was SIGKILLed. */
export const alertsPending: StruckCheck = ({ notes }) => [
  ...positive(num(notes, 'alertsPendingAtKill'), 'no alert was pending delivery at the detector SIGKILL'),
  ...positive(num(notes, 'rejectedBeforeKill'), 'the receiver refused no page before the detector SIGKILL'),
];

/** 5: requests were in flight at the proxy SIGKILL, and some client saw its connection cut by it. */
export const requestsCut: StruckCheck = ({ notes, sent }) => {
  const killedAt = num(notes, 'killedAt');
  const cut = sent.filter((r) => r.error !== undefined && r.startedAt <= killedAt).length;
  return [
    ...positive(num(notes, 'requestsInFlightAtKill'), 'no request was in flight at the proxy SIGKILL'),
    ...positive(cut, 'no request was cut by the proxy SIGKILL'),
  ];
};

/** 6: produce answers were lost, and a service replaced a producer whose sequence numbers kafkajs had rolled back. */
export const producerReplaced: StruckCheck = ({ notes, logs }) => {
  const replaced = Object.values(logs).reduce((n, l) => n + (l['producerReplaced'] ?? 0), 0);
  return [
    ...positive(num(notes, 'produceAnswersLost'), 'no produce answer was lost'),
    ...positive(replaced, 'no service replaced its producer after the broker restart'),
  ];
};
