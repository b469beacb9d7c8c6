import { isAppError, type Logger } from '@auditgate/shared';
import type { Alert } from '../engine/alert.js';
import type { AlertSink } from './alert-sink.js';

/** One unit of work for a sink. */
export interface SinkJob { readonly kind: 'deliver' | 'refresh' | 'resolve'; readonly alert: Alert; readonly at?: Date }

/** An alert a sink could not take: kept (bounded) for operators. */
export interface DeadLetter { readonly sink: string; readonly kind: SinkJob['kind']; readonly alertId: string; readonly dedupKey: string; readonly reason: string; readonly attempts: number }

/** Options of {@link SinkQueue}. */
export interface SinkQueueOptions {
  readonly sink: AlertSink;
  readonly logger: Logger;
  readonly maxQueue: number;
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Where dead letters go (a bounded list shared by all queues). */
  readonly onDeadLetter: (letter: DeadLetter) => void;
  readonly onResult?: (sink: string, kind: SinkJob['kind'], outcome: 'ok' | 'retry' | 'dead') => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * One sink's queue and worker: jobs are delivered in order with exponential backoff on retriable failures; 4xx and
 * exhausted retries become dead letters. Detection only enqueues, so a slow or dead sink never blocks it.
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
    if (!this.supports(job.kind)) return;
    if (this.closed || this.jobs.length >= this.options.maxQueue) {
      this.dead(job, this.closed ? 'queue closed' : 'queue full', 0);
      return;
    }
    this.jobs.push(job);
    this.running ??= this.work().finally(() => { this.running = undefined; });
  }

  /** Waits until the queue is empty or `deadlineMs` passed; what is left becomes dead letters. Safe to call twice. */
  async close(deadlineMs: number): Promise<void> {
    this.closed = true;
    this.wake?.();
    const timer = new Promise<void>((resolve) => setTimeout(resolve, deadlineMs).unref());
    await Promise.race([this.running ?? Promise.resolve(), timer]);
    for (const job of this.jobs.splice(0)) this.dead(job, 'not delivered before shutdown', 0);
  }

  private dead(job: SinkJob, reason: string, attempts: number): void {
    this.options.onResult?.(this.name, job.kind, 'dead');
    this.options.onDeadLetter({ sink: this.name, kind: job.kind, alertId: job.alert.id, dedupKey: job.alert.dedupKey, reason, attempts });
  }

  private sleep(ms: number): Promise<void> {
    if (this.options.sleep !== undefined) return this.options.sleep(ms);
    return new Promise((resolve) => {
      const t = setTimeout(() => { this.wake = undefined; resolve(); }, ms);
      t.unref();
      this.wake = () => { clearTimeout(t); this.wake = undefined; resolve(); };
    });
  }

  private async work(): Promise<void> {
    while (this.jobs.length > 0) {
      const job = this.jobs[0]!;
      const sink = this.options.sink;
      for (let attempt = 1; ; attempt += 1) {
        try {
          if (job.kind === 'deliver') await sink.deliver(job.alert);
          else if (job.kind === 'refresh') await sink.refresh!(job.alert, job.at ?? new Date());
          else await sink.resolve!(job.alert, job.at ?? new Date());
          this.options.onResult?.(this.name, job.kind, 'ok');
          break;
        } catch (error) {
          const retriable = isAppError(error) ? error.retriable : true;
          const reason = (error as Error).message;
          if (!retriable || attempt >= this.options.maxAttempts || this.closed) {
            this.dead(job, reason, attempt);
            break;
          }
          this.options.onResult?.(this.name, job.kind, 'retry');
          this.options.logger.warn({ sink: this.name, alertId: job.alert.id, attempt, err: reason }, 'sink delivery failed; retrying');
          await this.sleep(Math.min(this.options.maxBackoffMs, this.options.initialBackoffMs * 2 ** (attempt - 1)));
        }
      }
      this.jobs.shift();
    }
  }
}
