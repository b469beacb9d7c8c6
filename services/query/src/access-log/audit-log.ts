import type { Client } from '@opensearch-project/opensearch';
import { AppError, ErrorCodes } from '@auditgate/shared';
import { auditIndexName, auditTemplate } from './audit-template.js';

/** What is recorded before a call runs. */
export interface AuditStart {
  readonly id: string;
  readonly at: number;
  readonly username: string | null;
  readonly issuer: string | null;
  readonly roles: string[];
  readonly method: string;
  readonly route: string;
  readonly path: string;
  readonly params: Record<string, string>;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  readonly format?: string;
  /** `started`, or `unauthenticated`/`forbidden` for calls refused before they ran. */
  readonly outcome: string;
}

/** What is recorded once the call is over. */
export interface AuditEnd {
  readonly status: number;
  readonly results?: number;
  readonly durationMs: number;
  readonly outcome: 'ok' | 'error' | 'aborted';
  readonly errorCode?: string;
  readonly completedAt: number;
}

/** A record of attempts refused before any call ran (failed authentication), written whole; `results` counts them. */
export interface AuditRefusal extends AuditStart {
  readonly status: number;
  readonly errorCode: string;
  readonly results: number;
  /** The last attempt the record stands for. */
  readonly completedAt: number;
}

/** The query service's own audit trail in OpenSearch. */
export interface AuditLog {
  /** Installs the index template (idempotent). */
  ensureTemplate(): Promise<void>;
  /** Writes the start record; rejects with a 503 AppError when it cannot. */
  begin(record: AuditStart): Promise<{ index: string }>;
  /** Adds the outcome to the start record (best effort: resolves false on failure). */
  end(index: string, id: string, end: AuditEnd): Promise<boolean>;
  /** Writes a refusal record; rejects when it cannot. */
  refused(record: AuditRefusal): Promise<{ index: string }>;
  /** Sets how many attempts a refusal record stands for and when the last was (best effort: false on failure). */
  recount(index: string, id: string, results: number, lastAt: number): Promise<boolean>;
}

/** An {@link AuditLog} writing to `<prefix>-YYYY.MM`. */
export function createAuditLog(client: Client, prefix: string): AuditLog {
  return {
    async ensureTemplate() {
      await client.indices.putIndexTemplate({ name: `${prefix}-template`, body: auditTemplate(prefix) as never });
    },
    async begin(record) {
      const index = auditIndexName(prefix, record.at);
      const { at, ...rest } = record;
      try {
        await client.index({ index, id: record.id, op_type: 'create', body: { ...rest, '@timestamp': new Date(at).toISOString() } as never });
      } catch (cause) {
        throw new AppError('the query audit record could not be written; refusing to run unaudited', {
          code: ErrorCodes.OPENSEARCH_UNAVAILABLE, status: 503, retriable: true, cause,
        });
      }
      return { index };
    },
    async refused(record) {
      const index = auditIndexName(prefix, record.at);
      const { at, completedAt, ...rest } = record;
      await client.index({ index, id: record.id, op_type: 'create', body: { ...rest, '@timestamp': new Date(at).toISOString(), completedAt: new Date(completedAt).toISOString() } as never });
      return { index };
    },
    async recount(index, id, results, lastAt) {
      try {
        await client.update({ index, id, retry_on_conflict: 3, body: { doc: { results, completedAt: new Date(lastAt).toISOString() } } as never });
        return true;
      } catch { return false; }
    },
    async end(index, id, end) {
      const { completedAt, ...rest } = end;
      try {
        await client.update({ index, id, retry_on_conflict: 3, body: { doc: { ...rest, completedAt: new Date(completedAt).toISOString() } } as never });
        return true;
      } catch { return false; }
    },
  };
}
