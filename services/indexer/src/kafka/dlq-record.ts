/** Headers of a DLQ record, besides the original record's own. */
export const DlqHeaders = {
  errorCode: 'auditgate-error-code',
  errorReason: 'auditgate-error-reason',
  sourceTopic: 'auditgate-source-topic',
  sourcePartition: 'auditgate-source-partition',
  sourceOffset: 'auditgate-source-offset',
  failedAt: 'auditgate-failed-at',
} as const;

/** Where a failed record came from and why it failed. */
export interface DlqInput {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: Readonly<Record<string, Buffer | string | undefined | Array<Buffer | string>>> | undefined;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** An `AUDITGATE_E_*` code. */
  readonly code: string;
  readonly reason: string;
  readonly now: number;
}

/** A kafkajs message for the DLQ. */
export interface DlqMessage {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | string>;
}

const MAX_REASON = 1000;

/** Builds the DLQ record of a failed input record: original key and bytes untouched, the reason in headers. */
export function buildDlqRecord(input: DlqInput): DlqMessage {
  const headers: Record<string, Buffer | string> = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    if (value === undefined || name.startsWith('auditgate-error') || name.startsWith('auditgate-source')) continue;
    headers[name] = Array.isArray(value) ? (value[0] ?? '') : value;
  }
  headers[DlqHeaders.errorCode] = input.code;
  headers[DlqHeaders.errorReason] = input.reason.length > MAX_REASON ? `${input.reason.slice(0, MAX_REASON)}…` : input.reason;
  headers[DlqHeaders.sourceTopic] = input.topic;
  headers[DlqHeaders.sourcePartition] = String(input.partition);
  headers[DlqHeaders.sourceOffset] = input.offset;
  headers[DlqHeaders.failedAt] = new Date(input.now).toISOString();
  return { key: input.key, value: input.value, headers };
}
