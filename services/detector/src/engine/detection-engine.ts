import type { AuditEvent } from '@auditgate/shared';
import { eventFields } from '../rules/event-fields.js';
import { severityRank, type CompiledRule, type FieldLookup, type Severity } from '../rules/rule.js';
import type { Alert } from './alert.js';
import { alertId, dedupKey } from './alert-identity.js';
import { BoundedMap } from './bounded-map.js';
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
  /** Dedup keys remembered as already alerted (with the severity paged, so an escalation updates the same alert). */
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

/**
 * Runs every rule over each event, keeps windows per actor, and returns the alerts to page. Deterministic: the same
 * events in the same order give the same alerts with the same ids, so a replay after restart rebuilds the state
 * (windows, seen auditIDs, already-fired dedup keys) and pages nothing already paged.
 */
export class DetectionEngine {
  private readonly windows: WindowStore;
  private readonly seen: BoundedMap<string, true>;
  private readonly fired: BoundedMap<string, { rank: number; firstSeen: string }>;
  private readonly maxEvidence: number;
  constructor(private readonly options: DetectionEngineOptions) {
    this.windows = new WindowStore({ maxKeys: options.maxWindowKeys ?? 100_000, maxEntriesPerKey: options.maxEntriesPerWindow ?? 500 });
    this.seen = new BoundedMap(options.maxSeenAuditIds ?? 200_000);
    this.fired = new BoundedMap(options.maxFiredKeys ?? 100_000);
    this.maxEvidence = options.maxEvidence ?? 50;
  }

  /** Alerts newly raised by `event` (empty for other stages and for an exchange already counted). */
  process(event: AuditEvent): Alert[] {
    if (!STAGES.has(event.stage) || this.seen.has(event.auditID)) return [];
    this.seen.set(event.auditID, true);
    const fields = eventFields(event);
    const t = Date.parse(event.requestReceivedTimestamp);
    const actor = actorKeyOf(event);
    const alerts: Alert[] = [];
    for (const rule of this.options.rules) {
      if (!rule.match(fields)) continue;
      const alert = rule.window === undefined ? this.single(rule, event, fields, t, actor) : this.windowed(rule, event, fields, t, actor);
      if (alert === undefined) continue;
      const before = this.fired.get(alert.dedupKey);
      const rank = severityRank(alert.severity);
      if (before !== undefined && rank <= before.rank) continue;
      // An escalation is the same alert (same dedup key and id) at a higher severity, not a second page.
      if (before !== undefined && before.firstSeen < alert.firstSeen) alert.firstSeen = before.firstSeen;
      this.fired.set(alert.dedupKey, { rank, firstSeen: alert.firstSeen });
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

  private single(rule: CompiledRule, event: AuditEvent, fields: FieldLookup, t: number, actor: string): Alert | undefined {
    let severity: Severity = rule.severity;
    let escalated = false;
    let entries: readonly WindowEntry[] = [];
    for (const o of rule.overrides) {
      if (o.when !== undefined && !o.when(fields)) continue;
      if (o.countAtLeast !== undefined && o.windowMs !== undefined) {
        entries = this.windows.add(`${rule.id}\u0000${actor}`, o.windowMs, { t, auditID: event.auditID, values: {}, flags: [] });
        if (entries.length < o.countAtLeast) continue;
        escalated = true;
      }
      severity = o.severity;
      break;
    }
    const evidence = escalated ? entries : [{ t, auditID: event.auditID, values: {}, flags: [] }];
    return this.build(rule, event, fields, t, actor, severity, evidence);
  }

  private windowed(rule: CompiledRule, event: AuditEvent, fields: FieldLookup, t: number, actor: string): Alert | undefined {
    const w = rule.window!;
    const values: Record<string, string> = {};
    if (w.distinct !== undefined) values[w.distinct] = str(fields(w.distinct));
    for (const a of w.alsoDistinct ?? []) values[a.field] = str(fields(a.field));
    const flags = (w.requireAny ?? []).map((p) => p(fields));
    const entries = this.windows.add(`${rule.id}\u0000${actor}`, w.windowMs, { t, auditID: event.auditID, values, flags });
    const distinct = (field: string): number => new Set(entries.map((e) => e.values[field])).size;
    const count = w.distinct === undefined ? entries.length : distinct(w.distinct);
    if (count < w.threshold) return undefined;
    if ((w.alsoDistinct ?? []).some((a) => distinct(a.field) < a.min)) return undefined;
    if ((w.requireAny ?? []).some((_, i) => !entries.some((e) => e.flags[i] === true))) return undefined;
    let severity = rule.severity;
    for (const o of rule.overrides) if (o.when === undefined || o.when(fields)) { severity = o.severity; break; }
    const alert = this.build(rule, event, fields, t, actor, severity, entries);
    if (w.distinct !== undefined) alert.details['distinct'] = [...new Set(entries.map((e) => e.values[w.distinct!]))];
    return alert;
  }

  private build(rule: CompiledRule, event: AuditEvent, fields: FieldLookup, t: number, actor: string, severity: Severity,
    entries: readonly WindowEntry[]): Alert {
    const scope = rule.scope.length === 0 ? '*' : rule.scope.map((f) => str(fields(f))).join('/');
    const key = dedupKey(rule.id, actor, scope, t, rule.suppressMs);
    const ref = event.objectRef ?? {};
    const times = entries.map((e) => e.t);
    const evidence = entries.map((e) => e.auditID).slice(-this.maxEvidence);
    const details: Record<string, unknown> = { stage: event.stage, status: event.responseStatus?.code };
    for (const f of rule.record) { const v = fields(f); if (v !== undefined) details[f.replace(/^derived\./, '')] = v; }
    const obo = event.auditgate.onBehalfOf?.username;
    const where = [ref.namespace, ref.resource, ref.name].filter((p) => p !== undefined && p !== '').join('/');
    const alert: Alert = {
      id: alertId(key), dedupKey: key, rule: rule.id, title: rule.title, ruleSource: rule.source, severity,
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
      evidence,
      firstSeen: new Date(Math.min(...times, t)).toISOString(),
      lastSeen: new Date(Math.max(...times, t)).toISOString(),
      count: entries.length,
      summary: `[${severity}] ${rule.title}: ${event.auditgate.actor.username}${obo === undefined ? '' : ` (on behalf of ${obo})`} ${event.verb} ${where || event.requestURI}${entries.length > 1 ? ` (${entries.length} events)` : ''}`,
      link: `${this.options.queryUrl.replace(/\/+$/, '')}/ui/events/${encodeURIComponent(event.auditID)}`,
      cluster: event.auditgate.cluster.name,
      details,
    };
    return alert;
  }
}
