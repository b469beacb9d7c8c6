import type { AuditEvent } from '@auditgate/shared';
import type { AttackTechnique } from './attack-techniques.js';

/** Alert severities, lowest first. */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
/** How urgent an alert is. */
export type Severity = (typeof SEVERITIES)[number];

/** The rank of a severity (info = 0 … critical = 4), for routing thresholds. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** A field lookup over one event: standard audit fields by dotted path, plus `derived.*` facts. */
export type FieldLookup = (path: string) => unknown;

/** A compiled predicate over one event's fields. */
export type Predicate = (field: FieldLookup) => boolean;

/** A windowed threshold: fire when `threshold` events (or distinct values of `distinct`) fall within `windowMs`. */
export interface WindowSpec {
  readonly windowMs: number;
  readonly threshold: number;
  /** Field whose distinct values are counted; plain event count when absent. */
  readonly distinct?: string;
  /** Extra predicates over the whole window (e.g. both allowed and denied requests seen). */
  readonly requireAny?: readonly Predicate[];
  /** Additional distinct-count minimums over other fields (field → minimum distinct values). */
  readonly alsoDistinct?: ReadonlyArray<{ field: string; min: number }>;
  /** Minimums over the events of the window that match a predicate (e.g. at least 3 distinct refused URIs). */
  readonly require?: readonly WindowRequirement[];
}

/** At least `atLeast` events of the window (or distinct values of `distinct` among them) satisfy `match`. */
export interface WindowRequirement {
  readonly match: Predicate;
  readonly atLeast: number;
  readonly distinct?: string;
}

/** A severity override: the first whose predicate holds wins. */
export interface SeverityOverride {
  readonly when?: Predicate;
  /** Window count at or above which this severity applies (windowed escalation). */
  readonly countAtLeast?: number;
  readonly windowMs?: number;
  readonly severity: Severity;
}

/** One detection rule, compiled from a native YAML rule or a Sigma rule. */
export interface CompiledRule {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly source: 'native' | 'sigma';
  /** The MITRE ATT&CK technique the rule detects. */
  readonly technique?: AttackTechnique;
  /** File the rule came from, for error messages. */
  readonly file: string;
  readonly match: Predicate;
  readonly window?: WindowSpec;
  readonly overrides: readonly SeverityOverride[];
  /** Fields that scope the dedup key of an alert (e.g. namespace, name). */
  readonly scope: readonly string[];
  /** Fields recorded into the alert's `details`. */
  readonly record: readonly string[];
  /** Length of the suppression bucket: one page per rule|actor|scope per bucket. */
  readonly suppressMs: number;
}

/** Reads the event field at a dotted path. */
export type EventFieldReader = (event: AuditEvent) => FieldLookup;
