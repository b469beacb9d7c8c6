/**
 * Checks on what each connection got back: every gateway answer is audited (its Audit-Id has an event of ours in
 * Kafka), every refusal carries a Kubernetes Status, an innocent request after a smuggling attempt gets its own answer.
 * Also sorts answers into forwarded (reached the API server) and refused (answered by the gateway itself).
 */
import type { AuditEvent } from '@auditgate/shared';
import type { CaseOutcome } from './case-runner.js';
import type { Finding } from './findings.js';
import { headerValue, headerValues, type ParsedResponse } from './http-response-parser.js';

/** What the oracles know about audit ids. */
export interface AuditIndex {
  /** Our events by auditID. */
  readonly ours: ReadonlyMap<string, readonly AuditEvent[]>;
  /** auditIDs the API server logged (any identity). */
  readonly kube: ReadonlySet<string>;
}

/** Counts over the run. */
export interface Tally {
  cases: number;
  refused: number;
  forwarded: number;
  /** Cases with no answer at all. */
  silent: number;
  rateLimited: number;
  responses: number;
  unaudited: number;
  statusless: number;
  innocentsCrossed: number;
}

/** The distinct Audit-Id values of an answer. */
export function auditIdsOf(response: ParsedResponse): string[] {
  return [...new Set(headerValues(response, 'audit-id').flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== ''))];
}

/** True when the answer came from the API server: its auditID is in the API server's log or had a write-ahead event. */
export function wasForwarded(response: ParsedResponse, index: AuditIndex): boolean {
  return auditIdsOf(response).some((id) => index.kube.has(id) || (index.ours.get(id) ?? []).some((e) => e.stage === 'RequestReceived'));
}

/** The body as a Kubernetes Status, or undefined. */
export function statusOf(response: ParsedResponse): { kind?: string; code?: number; details?: { name?: string }; metadata?: { name?: string } } | undefined {
  try {
    const parsed = JSON.parse(response.body.toString('utf8')) as { kind?: string };
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function checkAnswer(caseId: string, method: string, response: ParsedResponse, index: AuditIndex, tally: Tally, findings: Finding[]): void {
  tally.responses += 1;
  if (response.statusCode === 429) tally.rateLimited += 1;
  const ids = auditIdsOf(response);
  if (ids.length === 0) {
    tally.unaudited += 1;
    findings.push({ oracle: 'audited', caseId, what: `answer ${response.statusCode} without an Audit-Id header`, detail: `${response.statusCode} content-type=${headerValue(response, 'content-type') ?? ''}` });
  } else if (ids.length > 1) {
    findings.push({ oracle: 'audited', caseId, what: 'answer carries several different Audit-Id values', detail: ids.join(' | ') });
  }
  for (const id of ids) {
    if (!index.ours.has(id)) {
      tally.unaudited += 1;
      findings.push({ oracle: 'audited', caseId, what: 'answer whose Audit-Id has no audit event of ours in Kafka', detail: `${response.statusCode} Audit-Id=${id}` });
    }
  }
  const refused = !wasForwarded(response, index);
  if (refused && response.statusCode >= 400 && method !== 'HEAD' && statusOf(response)?.kind !== 'Status') {
    tally.statusless += 1;
    findings.push({ oracle: 'status-body', caseId, what: `refusal ${response.statusCode} without a Status JSON body`, detail: `content-type=${headerValue(response, 'content-type') ?? ''} body=${response.body.subarray(0, 80).toString('latin1')}` });
  }
}

/** Runs the response checks over every outcome; fills `tally` and returns the findings. */
export function checkResponses(outcomes: readonly CaseOutcome[], index: AuditIndex): { tally: Tally; findings: Finding[] } {
  const tally: Tally = { cases: outcomes.length, refused: 0, forwarded: 0, silent: 0, rateLimited: 0, responses: 0, unaudited: 0, statusless: 0, innocentsCrossed: 0 };
  const findings: Finding[] = [];
  for (const outcome of outcomes) {
    const id = outcome.testCase.id;
    const { responses, garbage, end, error } = outcome.result;
    const first = responses[0];
    if (first === undefined) {
      tally.silent += 1;
      if (outcome.testCase.silentOk !== true) {
        tally.statusless += 1;
        findings.push({ oracle: 'status-body', caseId: id, what: `no answer at all (connection ${end}${error === undefined ? '' : `: ${error}`})` });
      }
    } else if (wasForwarded(first, index)) {
      tally.forwarded += 1;
    } else {
      tally.refused += 1;
    }
    if (garbage !== undefined) findings.push({ oracle: 'status-body', caseId: id, what: 'bytes that are not an HTTP response', detail: garbage.subarray(0, 60).toString('latin1') });
    for (const [i, response] of responses.entries()) checkAnswer(id, outcome.methods[i] ?? 'GET', response, index, tally, findings);
    const innocent = outcome.innocent;
    if (innocent === undefined) continue;
    const answer = innocent.result.responses[0];
    for (const response of innocent.result.responses) checkAnswer(`${id}/innocent`, 'GET', response, index, tally, findings);
    const status = answer === undefined ? undefined : statusOf(answer);
    const auditId = answer === undefined ? undefined : auditIdsOf(answer)[0];
    const recordedUri = auditId === undefined ? undefined : index.ours.get(auditId)?.[0]?.requestURI;
    const own = answer !== undefined && answer.statusCode === 404 && status?.kind === 'Status' && status.details?.name === innocent.name
      && (recordedUri === undefined || recordedUri === innocent.path);
    if (!own) {
      tally.innocentsCrossed += 1;
      const got = answer === undefined ? `no answer (${innocent.result.end})` : `${answer.statusCode} ${status?.kind ?? headerValue(answer, 'content-type') ?? ''} ${status?.metadata?.name ?? status?.details?.name ?? ''}`;
      findings.push({ oracle: 'innocent', caseId: id, what: 'the innocent request on a fresh connection did not get its own answer', detail: `expected 404 for configmap ${innocent.name}, got ${got}` });
    }
  }
  return { tally, findings };
}
