/**
 * The one detection rule of the fault suite and the pages it must cause: every Secret read (any outcome) is an alert
 * per actor and Secret, paged once (no escalation, one suppression bucket per decade). Which pages are due follows
 * from the exchanges the detector was given (a terminal stage on the events topic), computed with the detector's own
 * identity functions.
 */
import { dedupKey, deliveryKey } from '../../services/detector/src/engine/alert-identity.js';
import type { KafkaRecord } from './pipeline-readers.js';

const RULE_ID = 'FAULTS_SECRET_READ';
const SEVERITY = 'high';
const SUPPRESS_MS = 3650 * 86_400_000;

/** The rule file the row's detector loads (with the built-in rules off). */
export const FAULTS_RULE_YAML = `id: ${RULE_ID}
title: Secret read during the fault suite
severity: ${SEVERITY}
technique: T1552.007
match:
  objectRef.resource: secrets
  verb: get
scope: [objectRef.namespace, objectRef.name]
suppress: 3650d
`;

/** The delivery keys (`dedupKey@severity`, the webhook's Idempotency-Key) the detector must page, once each. */
export function expectedPages(records: readonly KafkaRecord[]): Set<string> {
  const out = new Set<string>();
  for (const r of records) {
    if (r.stage !== 'ResponseComplete' && r.stage !== 'ResponseStarted') continue;
    if (r.resource !== 'secrets' || r.verb !== 'get') continue;
    const t = Date.parse(r.requestReceivedTimestamp);
    const key = dedupKey(RULE_ID, r.actor, `${r.namespace ?? ''}/${r.name ?? ''}`, t, SUPPRESS_MS);
    out.add(deliveryKey({ dedupKey: key, severity: SEVERITY }));
  }
  return out;
}
