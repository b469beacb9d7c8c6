import type { Client } from '@opensearch-project/opensearch';
import { AppError, ErrorCodes, type Logger } from '@auditgate/shared';
import type { PartialDocument } from './build-document.js';

/** One upsert of an exchange document. */
export interface BulkOp<S> {
  readonly index: string;
  readonly id: string;
  readonly doc: PartialDocument;
  /** The input records this op came from (to route a rejection to the DLQ). */
  readonly sources: readonly S[];
}

/** An op OpenSearch refused for good (a mapping error, say). */
export interface RejectedOp<S> { readonly op: BulkOp<S>; readonly status: number; readonly reason: string }

/** Hooks and settings of a {@link BulkWriter}. */
export interface BulkWriterOptions {
  readonly client: Client;
  readonly logger: Logger;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  /** Called when OpenSearch stops or resumes answering (transport errors, or every item retriable). */
  readonly onAvailability?: (available: boolean) => void;
  readonly onBulk?: (seconds: number, outcome: 'ok' | 'partial' | 'error') => void;
  readonly onRetry?: (items: number, reason: string) => void;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * What the indexer reads of a `_bulk` answer: each item's status and error. OpenSearch leaves out the rest (index, id,
 * version, shards, seq_no of every item), which it would otherwise serialize and the indexer parse, per document.
 */
export const BULK_ANSWER_FIELDS = 'errors,items.*.status,items.*.error';

const retriable = (status: number): boolean => status === 429 || status === 409 || status >= 500;

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void { clearTimeout(timer); signal.removeEventListener('abort', done); resolve(); }
    signal.addEventListener('abort', done, { once: true });
  });
}

interface BulkItem { status: number; error?: { type?: string; reason?: string } }

/**
 * Writes upserts with `_bulk`: retries the whole request on transport errors and each item on 429/409/5xx, with
 * exponential backoff, until every item is acknowledged or rejected for good; gives up only when `signal` aborts.
 */
export class BulkWriter {
  private available = true;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  constructor(private readonly o: BulkWriterOptions) { this.sleep = o.sleep ?? defaultSleep; }

  /** Whether the last request reached OpenSearch. */
  isAvailable(): boolean { return this.available; }

  /** Writes `ops` (already merged, at most one per index+id); resolves with the rejected ones. */
  async write<S>(ops: readonly BulkOp<S>[], signal: AbortSignal): Promise<RejectedOp<S>[]> {
    const rejected: RejectedOp<S>[] = [];
    let pending = [...ops];
    let delay = this.o.retryInitialMs;
    while (pending.length > 0) {
      if (signal.aborted) throw new AppError('indexing aborted before OpenSearch acknowledged', { code: ErrorCodes.OPENSEARCH_UNAVAILABLE, retriable: true });
      const lines: string[] = [];
      for (const op of pending) {
        lines.push(`{"update":{"_index":${JSON.stringify(op.index)},"_id":${JSON.stringify(op.id)},"retry_on_conflict":5}}`,
          `{"doc":${JSON.stringify(op.doc)},"doc_as_upsert":true}`);
      }
      const started = performance.now();
      let items: BulkItem[];
      try {
        const response = await this.o.client.bulk({ body: `${lines.join('\n')}\n` as never, filter_path: BULK_ANSWER_FIELDS });
        items = ((response.body.items ?? []) as Array<Record<string, BulkItem>>).map((item) => Object.values(item)[0]!);
        if (items.length !== pending.length) throw new Error(`the bulk answer lists ${items.length} items for ${pending.length} operations`);
      } catch (error) {
        this.o.onBulk?.((performance.now() - started) / 1000, 'error');
        this.setAvailable(false, (error as Error).message);
        this.o.onRetry?.(pending.length, 'transport');
        await this.sleep(delay, signal);
        delay = Math.min(delay * 2, this.o.retryMaxMs);
        continue;
      }
      const retry: BulkOp<S>[] = [];
      let lastReason = '';
      items.forEach((item, i) => {
        const op = pending[i]!;
        if (item.status < 300) return;
        const reason = `${item.error?.type ?? 'error'}: ${item.error?.reason ?? `status ${item.status}`}`;
        if (retriable(item.status)) { retry.push(op); lastReason = reason; } else rejected.push({ op, status: item.status, reason });
      });
      this.o.onBulk?.((performance.now() - started) / 1000, retry.length === 0 ? 'ok' : 'partial');
      this.setAvailable(retry.length < pending.length, lastReason);
      pending = retry;
      if (retry.length > 0) {
        this.o.onRetry?.(retry.length, lastReason);
        this.o.logger.warn({ items: retry.length, reason: lastReason, delayMs: delay }, 'bulk items to retry');
        await this.sleep(delay, signal);
        delay = Math.min(delay * 2, this.o.retryMaxMs);
      }
    }
    return rejected;
  }

  private setAvailable(available: boolean, reason: string): void {
    if (available === this.available) return;
    this.available = available;
    if (available) this.o.logger.info('OpenSearch answering again');
    else this.o.logger.warn({ reason }, 'OpenSearch unavailable or overloaded: pausing intake, retrying with backoff');
    this.o.onAvailability?.(available);
  }
}
