import type { Logger } from '@auditgate/shared';
import type { Alert } from '../engine/alert.js';
import { BoundedMap } from '../engine/bounded-map.js';
import { severityRank, type Severity } from '../rules/rule.js';
import type { DeadLetter, SinkQueue } from './sink-queue.js';

/** One route: alerts at or above `minSeverity` go to `queue`. */
export interface SinkRoute { readonly queue: SinkQueue; readonly minSeverity: Severity }

/** Options of {@link AlertRouter}. */
export interface AlertRouterOptions {
  readonly routes: readonly SinkRoute[];
  readonly logger: Logger;
  readonly now: () => number;
  /** How long an alert stays active (re-sent to sinks that need it) before it is resolved. */
  readonly activeForMs: number;
  readonly resendIntervalMs: number;
  readonly maxActive: number;
  readonly maxDeadLetters: number;
  readonly onDeadLetter?: (letter: DeadLetter) => void;
}

/** Routes alerts by severity to per-sink queues, re-sends active ones, resolves them when they expire. */
export class AlertRouter {
  private readonly active: BoundedMap<string, { alert: Alert; endsAt: number; routes: SinkRoute[] }>;
  private readonly dead: DeadLetter[] = [];
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly options: AlertRouterOptions) {
    this.active = new BoundedMap(options.maxActive);
  }

  /** Records a dead letter: kept in a bounded list and logged. */
  deadLetter(letter: DeadLetter): void {
    this.dead.push(letter);
    if (this.dead.length > this.options.maxDeadLetters) this.dead.splice(0, this.dead.length - this.options.maxDeadLetters);
    this.options.logger.error({ deadLetter: letter }, 'alert undeliverable to a sink; kept as a dead letter');
    this.options.onDeadLetter?.(letter);
  }

  /** The most recent dead letters, oldest first. */
  deadLetters(): readonly DeadLetter[] { return [...this.dead]; }

  /** Enqueues `alert` on every sink its severity reaches; never waits for a sink. */
  route(alert: Alert): void {
    const routes = this.options.routes.filter((r) => severityRank(alert.severity) >= severityRank(r.minSeverity));
    for (const r of routes) r.queue.enqueue({ kind: 'deliver', alert });
    if (routes.some((r) => r.queue.supports('resolve') || r.queue.supports('refresh'))) {
      this.active.set(alert.id, { alert, endsAt: this.options.now() + this.options.activeForMs, routes });
    }
  }

  /** One pass of the lifecycle: re-send active alerts, resolve expired ones. */
  tick(): void {
    const now = this.options.now();
    for (const [id, entry] of [...this.active.entries()]) {
      if (now >= entry.endsAt) {
        for (const r of entry.routes) r.queue.enqueue({ kind: 'resolve', alert: entry.alert, at: new Date(now) });
        this.active.delete(id);
      } else {
        for (const r of entry.routes) r.queue.enqueue({ kind: 'refresh', alert: entry.alert, at: new Date(entry.endsAt) });
      }
    }
  }

  /** Starts the re-send timer (unref'd). */
  start(): void {
    this.timer ??= setInterval(() => this.tick(), this.options.resendIntervalMs);
    this.timer.unref();
  }

  /** Stops the timer and drains every queue under `deadlineMs`. Safe to call twice. */
  async close(deadlineMs: number): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all(this.options.routes.map((r) => r.queue.close(deadlineMs)));
  }

  /** Queue depths by sink, for metrics. */
  depths(): Record<string, number> {
    return Object.fromEntries(this.options.routes.map((r) => [r.queue.name, r.queue.depth]));
  }

  /** Number of active alerts. */
  get activeCount(): number { return this.active.size; }
}
