/** The fixed gateway's stated behaviour, case by case: which hostile requests it must refuse, never upgrade, or re-encode. */
import type { CaseOutcome } from './case-runner.js';
import type { Finding } from './findings.js';
import { headerValue } from './http-response-parser.js';
import { statusOf, wasForwarded, type AuditIndex } from './response-oracle.js';

const SERVED_MEDIA = new Set(['application/json', 'application/yaml']);
const ADMISSION_REFUSALS = new Set([401, 403, 429]);

/** Checks each outcome against its case's contracts; returns a finding per violation. */
export function checkContracts(outcomes: readonly CaseOutcome[], index: AuditIndex): Finding[] {
  const findings: Finding[] = [];
  for (const outcome of outcomes) {
    const caseId = outcome.testCase.id;
    const { responses } = outcome.result;
    for (const contract of outcome.testCase.contracts ?? []) {
      if (contract === 'refused-400') {
        const first = responses[0];
        const forwarded = first !== undefined && wasForwarded(first, index);
        // A HEAD answer has no body; a refusal at admission (401, 403 by policy, 429) may come before the framing check.
        const status = first !== undefined && (outcome.methods[0] === 'HEAD' || statusOf(first)?.kind === 'Status');
        const code = first !== undefined && (first.statusCode === 400 || ADMISSION_REFUSALS.has(first.statusCode));
        if (first === undefined || !code || forwarded || !status) {
          const got = first === undefined ? `no answer (${outcome.result.end})`
            : `${first.statusCode}${forwarded ? ' from the API server (forwarded)' : ' from the gateway'}${status ? '' : ' without a Status body'}`;
          findings.push({ oracle: 'contract', caseId, what: `ambiguous framing or a body where none belongs must get the gateway's own 400 Status; got ${got.replace(/^\d+/, (s) => `${s[0]}xx`)}`, detail: got });
        }
      } else if (contract === 'no-upgrade') {
        if (responses.some((r) => r.upgraded)) {
          findings.push({ oracle: 'contract', caseId, what: 'upgrade honoured (101) on a request that is not exec/attach/portforward/proxy', detail: `methods ${outcome.methods.join(',')}` });
        }
      } else {
        for (const r of responses) {
          if (r.statusCode < 200 || r.statusCode >= 300) continue;
          const media = (headerValue(r, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
          if (!SERVED_MEDIA.has(media)) {
            findings.push({ oracle: 'contract', caseId, what: `2xx answer in ${media || '(no content-type)'}: only JSON or YAML (made from masked JSON), else 406`, detail: `${r.statusCode} ${headerValue(r, 'content-type') ?? ''}` });
          }
        }
      }
    }
  }
  return findings;
}
