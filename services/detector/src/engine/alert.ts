import type { AttackTechnique } from '../rules/attack-techniques.js';
import type { Outcome } from '../rules/event-fields.js';
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

/**
 * What this version of an alert is: `raised` (new: page), `escalated` (same alert at a higher severity: page again),
 * `updated` (more events in the same dedup window: count, evidence and outcomes grow; recorded, never paged).
 */
export type AlertChange = 'raised' | 'escalated' | 'updated';

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
  /** The MITRE ATT&CK technique of the rule, when it names one. */
  technique?: AttackTechnique;
  actor: string;
  onBehalfOf?: string;
  target: AlertTarget;
  // outcome, outcomes, change and revision are always set by this detector; alerts of older versions lack them.
  /** How the latest event of the alert ended: allowed, refused by our policy, forbidden by RBAC, failed. */
  outcome?: Outcome;
  /** How many of the alert's events ended each way (allowed and refused attempts mix in one alert). */
  outcomes?: Partial<Record<Outcome, number>>;
  /** Absent means `raised`. */
  change?: AlertChange;
  /** 1 when raised; each escalation or update of the same alert adds one. */
  revision?: number;
  /** auditIDs of the events that made the alert, oldest first (the latest ones when there are many). */
  evidence: string[];
  firstSeen: string;
  lastSeen: string;
  /** Events of the alert so far (grows with updates while the dedup window lasts). */
  count: number;
  summary: string;
  /** Link to the triggering event in the query service UI. */
  link: string;
  cluster?: string;
  details: Record<string, unknown>;
}
