import type { AuditEvent } from '@auditgate/shared';
import { eventFields, outcomeOf, type Outcome } from '../rules/event-fields.js';
import { type CompiledRule, type FieldLookup, type Severity } from '../rules/rule.js';
import type { Alert } from './alert.js';
import { alertId, dedupKey } from './alert-identity.js';
import { firedStateOf, mergeIntoFired, type FiredState } from './alert-merge.js';
import { alertSummary } from './alert-summary.js';
import { BoundedMap } from './bounded-map.js';
import { SuppressionEpisodes } from './suppression-episodes.js';
import { WindowStore, type WindowEntry } from './window-store.js';

/** Options of {@link DetectionEngine}. */
export interface DetectionEngineOptions {
  readonly rules: readonly CompiledRule[];
  /** Base URL of the query service; alerts link to `${queryUrl}/ui/events/<auditID>`. */
  readonly queryUrl: string;
  readonly maxWindowKeys?: number;
  readonly maxEntriesPerWindow?: number;
  /** auditIDs remembered to count each exchange once (ResponseStarted + ResponseComplete). */
  readonly maxSeenAuditIds?: number;
  /** Dedup keys remembered as already alerted (with what was paged, so repeats update the same alert). */
  readonly maxFiredKeys?: number;
  readonly maxEvidence?: number;
}

const STAGES = new Set(['ResponseStarted', 'ResponseComplete']);
const str = (v: unknown): string => (v === undefined || v === null ? '' : Array.isArray(v) ? v.join(',') : String(v));

/** The actor key of windows and dedup: actor username, plus on-behalf-of when present. */
export function actorKeyOf(event: AuditEvent): string {
  const obo = event.auditgate.onBehalfOf?.username;
  return obo === undefined ? event.auditgate.actor.username : `${event.auditgate.actor.username}|obo:${obo}`;
}

/** One event as the engine sees it. */
interface Seen { readonly event: AuditEvent; readonly fields: FieldLookup; readonly t: number; readonly actor: string; readonly outcome: Outcome }

/**
 * Runs every rule over each event, keeps windows per actor, and returns the alerts to publish: `raised` and `escalated`
 * ones page, `updated` ones (a repeat inside the dedup window) only grow the count, evidence and outcomes of the same
 * alert. Deterministic: the same events in the same order give the same alerts with the same ids, so a replay after
 * restart rebuilds the state (windows, seen auditIDs, fired alerts) and pages nothing already paged.
 */
export class DetectionEngine {
  private readonly windows: WindowStore;
  private readonly seen: BoundedMap<string, true>;
  private readonly fired: BoundedMap<string, FiredState>;
  private readonly episodes: SuppressionEpisodes;
  private readonly maxEvidence: number;
  constructor(private readonly options: DetectionEngineOptions) {
    this.windows = new WindowStore({ maxKeys: options.maxWindowKeys ?? 100_000, maxEntriesPerKey: options.maxEntriesPerWindow ?? 500 });
    this.seen = new BoundedMap(options.maxSeenAuditIds ?? 200_000);
    this.fired = new BoundedMap(options.maxFiredKeys ?? 100_000);
    this.episodes = new SuppressionEpisodes(options.maxFiredKeys ?? 100_000);
    this.maxEvidence = options.maxEvidence ?? 50;
  }

  /** Alerts raised, escalated or updated by `event` (empty for other stages and for an exchange already counted). */
  process(event: AuditEvent): Alert[] {
    if (!STAGES.has(event.stage) || this.seen.has(event.auditID)) return [];
    this.seen.set(event.auditID, true);
    const fields = eventFields(event);
    const s: Seen = { event, fields, t: Date.parse(event.requestReceivedTimestamp), actor: actorKeyOf(event), outcome: outcomeOf(event) };
    const alerts: Alert[] = [];
    for (const rule of this.options.rules) {
      if (!rule.match(fields)) continue;
      const candidate = rule.window === undefined ? this.single(rule, s) : this.windowed(rule, s);
      if (candidate === undefined) continue;
      const before = this.fired.get(candidate.dedupKey);
      const alert = before === undefined ? candidate : mergeIntoFired(before, candidate, event.auditID, s.outcome, this.maxEvidence);
      alert.summary = alertSummary(alert);
      this.fired.set(alert.dedupKey, firedStateOf(alert));
      alerts.push(alert);
    }
    return alerts;
  }

  /** Drops windows that can no longer fire; call periodically with the wall clock. */
  expire(nowMs: number): number { return this.windows.expire(nowMs); }

  /** Sizes of the bounded state, for metrics. */
  stats(): { windows: number; seen: number; fired: number } {
    return { windows: this.windows.size, seen: this.seen.size, fired: this.fired.size };
  }

  private entry(s: Seen, extra: Partial<WindowEntry> = {}): WindowEntry {
    return { t: s.t, auditID: s.event.auditID, values: {}, flags: [], outcome: s.outcome, ...extra };
  }

  private single(rule: CompiledRule, s: Seen): Alert | undefined {
    let severity: Severity = rule.severity;
    let escalated = false;
    let entries: readonly WindowEntry[] = [];
    for (const o of rule.overrides) {
      if (o.when !== undefined && !o.when(s.fields)) continue;
      if (o.countAtLeast !== undefined && o.windowMs !== undefined) {
        entries = this.windows.add(`${rule.id}\u0000${s.actor}`, o.windowMs, this.entry(s));
        if (entries.length < o.countAtLeast) continue;
        escalated = true;
      }
      severity = o.severity;
      break;
    }
    return this.build(rule, s, severity, escalated ? entries : [this.entry(s)]);
  }

  private windowed(rule: CompiledRule, s: Seen): Alert | undefined {
    const w = rule.window!;
    const values: Record<string, string> = {};
    if (w.distinct !== undefined) values[w.distinct] = str(s.fields(w.distinct));
    for (const a of w.alsoDistinct ?? []) values[a.field] = str(s.fields(a.field));
    const flags = (w.requireAny ?? []).map((p) => p(s.fields));
    const required = (w.require ?? []).map((r) => (r.match(s.fields) ? (r.distinct === undefined ? '1' : str(s.fields(r.distinct))) : null));
    const entries = this.windows.add(`${rule.id}\u0000${s.actor}`, w.windowMs, this.entry(s, { values, flags, required }));
    const distinct = (field: string): number => new Set(entries.map((e) => e.values[field])).size;
    const count = w.distinct === undefined ? entries.length : distinct(w.distinct);
    if (count < w.threshold) return undefined;
    if ((w.alsoDistinct ?? []).some((a) => distinct(a.field) < a.min)) return undefined;
    if ((w.requireAny ?? []).some((_, i) => !entries.some((e) => e.flags[i] === true))) return undefined;
    for (const [i, r] of (w.require ?? []).entries()) {
      const hits = entries.map((e) => e.required?.[i]).filter((v): v is string => v !== null && v !== undefined);
      if ((r.distinct === undefined ? hits.length : new Set(hits).size) < r.atLeast) return undefined;
    }
    let severity = rule.severity;
    for (const o of rule.overrides) if (o.when === undefined || o.when(s.fields)) { severity = o.severity; break; }
    const alert = this.build(rule, s, severity, entries);
    if (w.distinct !== undefined) alert.details['distinct'] = [...new Set(entries.map((e) => e.values[w.distinct!]))];
    return alert;
  }

  private build(rule: CompiledRule, s: Seen, severity: Severity, entries: readonly WindowEntry[]): Alert {
    const { event, fields, t, actor } = s;
    const scope = rule.scope.length === 0 ? '*' : rule.scope.map((f) => str(fields(f))).join('/');
    // A repeat within the suppression time of the previous bucket's alert joins it (no page at a bucket boundary).
    const keyTime = this.episodes.keyTime(`${rule.id}\u0000${actor}\u0000${scope}`, t, rule.suppressMs);
    const key = dedupKey(rule.id, actor, scope, keyTime, rule.suppressMs);
    const ref = event.objectRef ?? {};
    const times = entries.map((e) => e.t);
    const details: Record<string, unknown> = { stage: event.stage, status: event.responseStatus?.code };
    for (const f of rule.record) { const v = fields(f); if (v !== undefined) details[f.replace(/^derived\./, '')] = v; }
    if (event.auditgate.policy?.decision === 'deny' && event.auditgate.policy.ruleId !== undefined) details['policyRule'] = event.auditgate.policy.ruleId;
    const outcomes: Partial<Record<Outcome, number>> = {};
    for (const e of entries) { const o = (e.outcome ?? s.outcome) as Outcome; outcomes[o] = (outcomes[o] ?? 0) + 1; }
    const obo = event.auditgate.onBehalfOf?.username;
    return {
      id: alertId(key), dedupKey: key, rule: rule.id, title: rule.title, ruleSource: rule.source, severity,
      ...(rule.technique === undefined ? {} : { technique: rule.technique }),
      actor: event.auditgate.actor.username,
      ...(obo === undefined ? {} : { onBehalfOf: obo }),
      target: {
        verb: event.verb, requestURI: event.requestURI,
        ...(ref.apiGroup === undefined ? {} : { apiGroup: ref.apiGroup }),
        ...(ref.resource === undefined ? {} : { resource: ref.resource }),
        ...(ref.subresource === undefined ? {} : { subresource: ref.subresource }),
        ...(ref.namespace === undefined ? {} : { namespace: ref.namespace }),
        ...(ref.name === undefined ? {} : { name: ref.name }),
      },
      outcome: s.outcome, outcomes, change: 'raised', revision: 1,
      evidence: entries.map((e) => e.auditID).slice(-this.maxEvidence),
      firstSeen: new Date(Math.min(...times, t)).toISOString(),
      lastSeen: new Date(Math.max(...times, t)).toISOString(),
      count: entries.length,
      summary: '',
      link: `${this.options.queryUrl.replace(/\/+$/, '')}/ui/events/${encodeURIComponent(event.auditID)}`,
      cluster: event.auditgate.cluster.name,
      details,
    };
  }
}

/** True when `alert` pages (a new alert or an escalation); false for an update of one already paged. */
export function pages(alert: Pick<Alert, 'change'>): boolean {
  return alert.change !== 'updated';
}
