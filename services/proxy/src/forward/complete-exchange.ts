import { isAppError, toAppError, ErrorCodes } from '@auditgate/shared';
import type { ServerResponse } from 'node:http';
import { buildAuditEvent, type ExchangeRecord } from '../audit/exchange-record.js';
import { kubeStatus, sendStatus } from '../http/kube-status.js';
import type { ExchangeDeps } from './exchange-deps.js';

/** Produces the ResponseComplete event of a finished exchange; failures to record are logged and counted, never thrown. */
export function recordCompletion(deps: ExchangeDeps, record: ExchangeRecord): void {
  const elapsed = (deps.now() - record.receivedAt) / 1000;
  deps.metrics.duration.observe({ verb: record.verb }, elapsed);
  deps.metrics.requests.inc({ verb: record.verb, code: String(record.responseCode ?? 0), decision: record.policy?.decision ?? 'none' });
  if (deps.sink === undefined) return;
  deps.sink.record(buildAuditEvent(deps.facts, record, 'ResponseComplete', deps.now())).catch((error: unknown) => {
    const e = toAppError(error, ErrorCodes.KAFKA_UNAVAILABLE, true);
    deps.metrics.auditFailures.inc({ code: e.code });
    deps.logger.error({ auditID: record.auditID, code: e.code, err: e.message }, 'ResponseComplete audit event could not be recorded');
  });
}

/** Produces a ResponseStarted event (watch, logs -f, exec) without waiting for it. */
export function recordStarted(deps: ExchangeDeps, record: ExchangeRecord): void {
  if (deps.sink === undefined) return;
  deps.sink.record(buildAuditEvent(deps.facts, record, 'ResponseStarted', deps.now())).catch((error: unknown) => {
    const e = toAppError(error, ErrorCodes.KAFKA_UNAVAILABLE, true);
    deps.metrics.auditFailures.inc({ code: e.code });
    deps.logger.error({ auditID: record.auditID, code: e.code, err: e.message }, 'ResponseStarted audit event could not be recorded');
  });
}

/** Answers a request the gateway refused or could not serve with a Kubernetes Status, and audits it. */
export function rejectExchange(deps: ExchangeDeps, res: ServerResponse, record: ExchangeRecord, error: unknown): void {
  const e = isAppError(error) ? error : toAppError(error, ErrorCodes.INTERNAL);
  const status = e.status >= 400 && e.status < 600 ? e.status : 500;
  if (e.code === ErrorCodes.UNAUTHENTICATED) {
    deps.metrics.authFailures.inc({ reason: String(e.details['reason'] ?? 'unknown') });
    record.decision ??= { allowed: false, reason: `unauthenticated: ${String(e.details['reason'] ?? 'unknown')}` };
  }
  if (status >= 500) deps.logger.error({ auditID: record.auditID, code: e.code, err: e.message }, 'request failed in the gateway');
  record.responseCode = status;
  record.responseMessage = e.message;
  record.errorCode = e.code;
  const headers: Record<string, string> = { 'audit-id': record.auditID };
  if (status === 429) headers['retry-after'] = '1';
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="auditgate"';
  sendStatus(res, kubeStatus(status, e.message, e.code), headers);
  recordCompletion(deps, record);
}
