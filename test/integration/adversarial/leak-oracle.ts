/** Oracle (c): no byte sequence of a test Secret's values, plain or base64, in anything the gateway sent back. */
import type { CaseOutcome } from './case-runner.js';
import type { Finding } from './findings.js';

/** A byte sequence that must never be seen, and what it is a piece of. */
export interface Needle {
  readonly label: string;
  readonly bytes: Buffer;
}

/**
 * Every `window`-byte piece of each value and of its base64 (so a cut or partial leak is caught too); the values are
 * random alphanumerics, so a 12-byte piece appearing by chance is out of the question.
 */
export function secretNeedles(values: readonly string[], window = 12): Needle[] {
  const out: Needle[] = [];
  for (const [i, value] of values.entries()) {
    const forms: Array<[string, string]> = [['plain', value], ['base64', Buffer.from(value).toString('base64')], ['hex', Buffer.from(value).toString('hex')]];
    for (const [form, text] of forms) {
      for (let at = 0; at + window <= text.length; at += 1) out.push({ label: `value#${i} ${form}[${at}..${at + window})`, bytes: Buffer.from(text.slice(at, at + window)) });
    }
  }
  return out;
}

/** The first needle found in `raw`, with where it was and what surrounds it; undefined when clean. */
export function findLeak(raw: Buffer, needles: readonly Needle[]): { label: string; offset: number; context: string } | undefined {
  for (const needle of needles) {
    const offset = raw.indexOf(needle.bytes);
    if (offset !== -1) {
      // The piece itself is shown as <SECRET>: the report says where a leak is, not what it is.
      const printable = (b: Buffer): string => b.toString('latin1').replace(/[^\x20-\x7e]/g, '.');
      const context = `${printable(raw.subarray(Math.max(0, offset - 80), offset))}<SECRET>${printable(raw.subarray(offset + needle.bytes.length, offset + needle.bytes.length + 20))}`;
      return { label: needle.label, offset, context };
    }
  }
  return undefined;
}

/** Scans every byte each case and its innocent follow-up got back; one finding per leaking connection. */
export function scanForLeaks(outcomes: readonly CaseOutcome[], needles: readonly Needle[]): Finding[] {
  const findings: Finding[] = [];
  for (const outcome of outcomes) {
    const connections: Array<[string, Buffer, number | undefined]> = [[outcome.testCase.id, outcome.result.raw, outcome.result.responses[0]?.statusCode]];
    if (outcome.innocent !== undefined) connections.push([`${outcome.testCase.id}/innocent`, outcome.innocent.result.raw, outcome.innocent.result.responses[0]?.statusCode]);
    for (const [caseId, raw, status] of connections) {
      const leak = findLeak(raw, needles);
      if (leak === undefined) continue;
      const denied = /value#[345] /.test(leak.label) ? 'denied (kube-system)' : 'masked';
      findings.push({ oracle: 'c:leak', caseId, what: `a ${denied} Secret value in the answer (${leak.label.split(' ')[1]!.replace(/\[.*/, '')})`, detail: `status ${status ?? '?'} at byte ${leak.offset}: ${leak.context}` });
    }
  }
  return findings;
}
