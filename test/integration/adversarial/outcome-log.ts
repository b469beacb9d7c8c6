/** Writes one JSON line per case (answers, audit ids, how the connection ended), for reading a run after the fact. */
import { writeFileSync } from 'node:fs';
import type { AuditEvent } from '@auditgate/shared';
import type { CaseOutcome } from './case-runner.js';
import type { RawResult } from './raw-client.js';
import { auditIdsOf, statusOf, wasForwarded, type AuditIndex } from './response-oracle.js';

function summarize(result: RawResult, index: AuditIndex): Record<string, unknown> {
  return {
    end: result.end, ...(result.error === undefined ? {} : { error: result.error }), ms: result.elapsedMs, bytes: result.raw.length,
    answers: result.responses.map((r) => ({
      status: r.statusCode, headers: r.headers.map(([n, v]) => `${n}: ${v.slice(0, 120)}`), auditIds: auditIdsOf(r), forwarded: wasForwarded(r, index),
      complete: r.complete, bodyBytes: r.body.length,
      // Only a Status's message: bodies may hold what the leak oracle looks for.
      ...(statusOf(r)?.kind === 'Status' ? { message: String((statusOf(r) as { message?: unknown }).message ?? '').slice(0, 200) } : {}),
    })),
  };
}

/** Writes `outcomes` to `file` as JSON lines. */
export function writeOutcomeLog(file: string, outcomes: readonly CaseOutcome[], index: AuditIndex): void {
  const lines = outcomes.map((o) => JSON.stringify({
    id: o.testCase.id, ...(o.testCase.describe === undefined ? {} : { spec: o.testCase.describe }), agent: o.agent, batch: o.batch,
    ...summarize(o.result, index),
    ...(o.innocent === undefined ? {} : { innocent: { name: o.innocent.name, ...summarize(o.innocent.result, index) } }),
  }));
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/** Writes our audit events (the fields that say what happened, not the recorded objects) to `file` as JSON lines. */
export function writeEventLog(file: string, events: readonly AuditEvent[]): void {
  const lines = events.map((e) => JSON.stringify({
    auditID: e.auditID, stage: e.stage, verb: e.verb, requestURI: e.requestURI.slice(0, 300), userAgent: (e.userAgent ?? '').slice(0, 200),
    code: e.responseStatus?.code, errorCode: e.auditgate.errorCode, decision: e.auditgate.policy?.decision, objectRef: e.objectRef,
  }));
  writeFileSync(file, `${lines.join('\n')}\n`);
}
