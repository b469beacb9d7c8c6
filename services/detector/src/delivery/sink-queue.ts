import type { Logger } from '@auditgate/shared';
import type { Alert } from '../engine/alert.js';
import { retryDelivery, type RetryPolicy } from './retry-delivery.js';
import type { AlertSink } from '../sinks/alert-sink.js';

/** One unit of work for a sink. */
export interface SinkJob { readonly kind: 'deliver' | 'refresh' | 'resolve' | 'supersede'; readonly alert: Alert; readonly at?: Date }

/** An alert a sink could not take: kept (bounded) for operators. */
export interface DeadLetter { readonly sink: string; readonly kind: SinkJob['kind']; readonly alertId: string; readonly dedupKey: string; readonly reason: string; readonly attempts: number }

/** Options of {@link SinkQueue}. */
export interface SinkQueueOptions extends RetryPolicy {
  readonly sink: AlertSink;
  readonly logger: Logger;
  readonly maxQueue: number;
  /** Where dead letters go. */
  readonly onDeadLetter: (letter: DeadLetter, alert: Alert) => void;
  readonly onResult?: (sink: string, kind: SinkJob['kind'], outcome: 'ok' | 'retry' | 'dead') => void;
}

/** Runs one job against `sink`. */
export function runSinkJob(sink: AlertSink, job: SinkJob): Promise<void> {
  const at = job.at ?? new Date();
  switch (job.kind) {
    case 'deliver': return sink.deliver(job.alert);
    case 'refresh': return sink.refresh!(job.alert, at);
    case 'resolve': return sink.resolve!(job.alert, at);
    case 'supersede': return sink.supersede!(job.alert, at);
  }
}

/**
 * One sink's in-memory queue of lifecycle jobs (re-sends, resolves): delivered in order with exponential backoff on
 * retriable failures; 4xx and exhausted retries become dead letters. What is left at shutdown is dropped: the next
 * start rebuilds the active alerts from the alerts topic and re-sends them.
 */
export class SinkQueue {
  private readonly jobs: SinkJob[] = [];
  private running: Promise<void> | undefined;
  private closed = false;
  private wake: (() => void) | undefined;
  constructor(private readonly options: SinkQueueOptions) {}

  get name(): string { return this.options.sink.name; }
  get depth(): number { return this.jobs.length; }
  /** Whether the sink implements `kind`. */
  supports(kind: SinkJob['kind']): boolean { return kind === 'deliver' || typeof this.options.sink[kind] === 'function'; }

  /** Queues a job; when full, the job becomes a dead letter at once. */
  enqueue(job: SinkJob): void {
    if (!this.supports(job.kind) || this.closed) return;
    if (this.jobs.length >= this.options.maxQueue) {
      this.dead(job, 'queue full', 0);
      return;
    }
    this.jobs.push(job);
    this.running ??= this.work().finally(() => { this.running = undefined; });
  }

  /** Stops taking jobs, waits for the one in flight (at most `deadlineMs`), drops the rest. Safe to call twice. */
  async close(deadlineMs: number): Promise<void> {
    this.closed = true;
    this.wake?.();
    const timer = new Promise<void>((resolve) => setTimeout(resolve, deadlineMs).unref());
    await Promise.race([this.running ?? Promise.resolve(), timer]);
    const left = this.jobs.splice(0);
    if (left.length > 0) this.options.logger.info({ sink: this.name, jobs: left.length }, 'lifecycle jobs dropped at shutdown; rebuilt at the next start');
  }

  private dead(job: SinkJob, reason: string, attempts: number): void {
    this.options.onResult?.(this.name, job.kind, 'dead');
    this.options.onDeadLetter({ sink: this.name, kind: job.kind, alertId: job.alert.id, dedupKey: job.alert.dedupKey, reason, attempts }, job.alert);
  }

  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.wake = undefined; resolve(true); }, ms);
      t.unref();
      this.wake = () => { clearTimeout(t); this.wake = undefined; resolve(false); };
    });
  }

  private async work(): Promise<void> {
    while (this.jobs.length > 0 && !this.closed) {
      const job = this.jobs[0]!;
      const out = await retryDelivery(() => runSinkJob(this.options.sink, job), this.options, {
        sleep: (ms) => this.sleep(ms), stopping: () => this.closed,
        onRetry: (attempt, err) => {
          this.options.onResult?.(this.name, job.kind, 'retry');
          this.options.logger.warn({ sink: this.name, kind: job.kind, alertId: job.alert.id, attempt, err }, 'sink call failed; retrying');
        },
      });
      if (out.ok) this.options.onResult?.(this.name, job.kind, 'ok');
      else if (!out.aborted) this.dead(job, out.reason, out.attempts);
      this.jobs.shift();
    }
  }
}
