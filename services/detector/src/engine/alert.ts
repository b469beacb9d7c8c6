import type { Severity } from '../rules/rule.js';

/** What an alert points at: the object of the triggering event. */
export interface AlertTarget {
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  verb: string;
  requestURI: string;
}

/** One alert, as produced to `auditgate.alerts.v1`, indexed into `auditgate-alerts-*` and sent to sinks. */
export interface Alert {
  /** Derived from `dedupKey`: the same detection always has the same id. */
  id: string;
  /** `rule|actor|scope|bucket`: sinks use it as idempotency key. */
  dedupKey: string;
  rule: string;
  title: string;
  ruleSource: 'native' | 'sigma';
  severity: Severity;
  actor: string;
  onBehalfOf?: string;
  target: AlertTarget;
  /** auditIDs of the events that made the alert, oldest first. */
  evidence: string[];
  firstSeen: string;
  lastSeen: string;
  count: number;
  summary: string;
  /** Link to the triggering event in the query service UI. */
  link: string;
  cluster?: string;
  details: Record<string, unknown>;
}
