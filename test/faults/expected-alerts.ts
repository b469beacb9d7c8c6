/**
 * The one detection rule of the fault suite and the pages it must cause: every Secret read (any outcome) is an alert
 * per actor and Secret, paged once (no escalation, one suppression bucket per decade). Which pages are due follows
 * from two sources, computed with the detector's own identity functions: the Secret gets the API server served (its
 * own log; the actor is the service account the generator sent the request as), and the exchanges the detector was
 * given (a terminal stage on the events topic, which also holds the exchanges the gateway answered itself). A record
 * with a wrong actor, namespace or name then pages a key the API server's log does not explain, and the key it does
 * explain stays unpaged.
 */
import { dedupKey, deliveryKey } from '../../services/detector/src/engine/alert-identity.js';
import type { ApiServerEntry } from './api-server-log.js';
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

const TERMINAL = new Set(['ResponseComplete', 'ResponseStarted']);

/** The delivery key (`dedupKey@severity`, the webhook's Idempotency-Key) of a Secret read. */
export function secretReadPage(actor: string, namespace: string, name: string, eventTimeMs: number): string {
  return deliveryKey({ dedupKey: dedupKey(RULE_ID, actor, `${namespace}/${name}`, eventTimeMs, SUPPRESS_MS), severity: SEVERITY });
}

/** The delivery keys the detector must page, once each, for the Secret reads on the events topic. */
export function expectedPagesFromKafka(records: readonly KafkaRecord[]): Set<string> {
  const out = new Set<string>();
  for (const r of records) {
    if (!TERMINAL.has(r.stage) || r.resource !== 'secrets' || r.verb !== 'get') continue;
    out.add(secretReadPage(r.actor, r.namespace ?? '', r.name ?? '', Date.parse(r.requestReceivedTimestamp)));
  }
  return out;
}

/** What {@link expectedPagesFromApiServer} needs besides the log. */
export interface ApiServerPagesOptions {
  /** The actor (username) the generator sent request `seq` as, from the User-Agent's sequence number. */
  readonly actorOf: (auditID: string) => string | undefined;
  /** True for a request whose exchange the detector may legitimately not have seen (a proxy SIGKILL took its terminal stage). */
  readonly excused: (auditID: string) => boolean;
}

/**
 * The delivery keys the detector must page for the Secret gets the API server served (a terminal stage in its own log),
 * with `unattributed`: served Secret gets whose actor the generator's record does not name (the row fails on any).
 */
export function expectedPagesFromApiServer(entries: readonly ApiServerEntry[], o: ApiServerPagesOptions): { keys: Set<string>; unattributed: string[] } {
  const keys = new Set<string>();
  const unattributed: string[] = [];
  for (const e of entries) {
    if (!TERMINAL.has(e.stage) || e.verb !== 'get' || e.objectRef?.resource !== 'secrets' || o.excused(e.auditID)) continue;
    const actor = o.actorOf(e.auditID);
    const t = Date.parse(e.requestReceivedTimestamp ?? '');
    if (actor === undefined || Number.isNaN(t)) { unattributed.push(e.auditID); continue; }
    keys.add(secretReadPage(actor, e.objectRef.namespace ?? '', e.objectRef.name ?? '', t));
  }
  return { keys, unattributed };
}
