/**
 * Oracle (b): every request the API server logged from the gateway's identity matches exactly one audit event of ours
 * by auditID, with the same verb, objectRef and impersonated user; and nothing of this run reached the API server under
 * another identity (only a smuggled request can: the gateway always sends its own credentials).
 */
import type { AuditEvent } from '@auditgate/shared';
import type { Finding } from './findings.js';

/** The fields of an API server audit event this oracle reads. */
export interface KubeAuditEvent {
  readonly auditID: string;
  readonly stage: string;
  readonly verb?: string;
  readonly requestURI?: string;
  readonly userAgent?: string;
  readonly user?: { username?: string };
  readonly impersonatedUser?: { username?: string };
  readonly objectRef?: { apiGroup?: string; resource?: string; subresource?: string; namespace?: string; name?: string };
  readonly responseStatus?: { code?: number };
}

/** Inputs of {@link matchUpstreamAudit}. */
export interface UpstreamAuditInput {
  /** The API server's events since the suite began. */
  readonly kubeEvents: readonly KubeAuditEvent[];
  /** Our events, by auditID. */
  readonly ours: ReadonlyMap<string, readonly AuditEvent[]>;
  readonly gatewayUsername: string;
  /** This run's requests: its tag in the User-Agent or URI (other suites may share the cluster and the identity). */
  readonly tag: string;
  /** Identities a smuggled request of this run would carry: anonymous (none) or one of the run's agents. */
  readonly smuggledIdentity: (username: string) => boolean;
  /** Maps a User-Agent back to the case that sent it. */
  readonly caseOf: (userAgent: string | undefined) => string;
}

const STAGE_ORDER = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];
const REF_FIELDS = ['apiGroup', 'resource', 'subresource', 'namespace', 'name'] as const;

function final<T extends { stage: string }>(events: readonly T[]): T {
  return events.reduce((a, b) => (STAGE_ORDER.indexOf(b.stage) >= STAGE_ORDER.indexOf(a.stage) ? b : a));
}

/** Compares one API server request with our record of it; returns what differs, or undefined. */
function compare(kube: KubeAuditEvent, ours: AuditEvent): string | undefined {
  const problems: string[] = [];
  if ((kube.verb ?? '') !== ours.verb) problems.push(`verb ${kube.verb} vs ours ${ours.verb}`);
  for (const field of REF_FIELDS) {
    const theirs = kube.objectRef?.[field] ?? '';
    const mine = ours.objectRef?.[field] ?? '';
    if (theirs !== mine) problems.push(`objectRef.${field} "${theirs}" vs ours "${mine}"`);
  }
  const expected = ours.impersonatedUser?.username ?? (ours.auditgate.upstream?.impersonated === true ? ours.user.username : undefined);
  if ((kube.impersonatedUser?.username ?? '') !== (expected ?? '')) problems.push(`impersonated "${kube.impersonatedUser?.username ?? ''}" vs ours "${expected ?? ''}"`);
  return problems.length === 0 ? undefined : problems.join('; ');
}

/** Checks every in-scope API server request; returns how many were checked and a finding per unmatched one. */
export function matchUpstreamAudit(input: UpstreamAuditInput): { checked: number; findings: Finding[] } {
  const inScope = (e: KubeAuditEvent): boolean => (e.userAgent ?? '').includes(input.tag) || (e.requestURI ?? '').includes(input.tag) || input.ours.has(e.auditID);
  const findings: Finding[] = [];
  const byId = new Map<string, KubeAuditEvent[]>();
  let checked = 0;
  for (const e of input.kubeEvents) {
    if (!inScope(e)) continue;
    const username = e.user?.username ?? '';
    if (username === input.gatewayUsername) {
      byId.set(e.auditID, [...(byId.get(e.auditID) ?? []), e]);
    } else if (input.smuggledIdentity(username) && e.stage === 'RequestReceived') {
      checked += 1;
      findings.push({
        oracle: 'b:unmatched', caseId: input.caseOf(e.userAgent),
        what: `a request reached the API server under "${username || '(unauthenticated)'}", not the gateway's identity (smuggled on the gateway's upstream connection)`,
        detail: `${e.verb} ${e.requestURI} -> ${e.responseStatus?.code ?? '?'} ua=${e.userAgent ?? ''}`,
      });
    }
  }
  for (const [auditID, events] of byId) {
    const requests = Math.max(1, events.filter((e) => e.stage === 'RequestReceived').length);
    checked += requests;
    const kube = final(events);
    const caseId = input.caseOf(kube.userAgent);
    const where = `${kube.verb} ${kube.requestURI} -> ${kube.responseStatus?.code ?? '?'} auditID=${auditID}`;
    // All but one of the requests sharing an auditID cannot be the one our event records.
    for (let extra = 1; extra < requests; extra += 1) {
      findings.push({ oracle: 'b:unmatched', caseId, what: 'several API server requests share one auditID (a client-chosen Audit-ID forwarded?)', detail: `${requests} requests, ${where}` });
    }
    const ours = input.ours.get(auditID);
    if (ours === undefined || ours.length === 0) {
      findings.push({ oracle: 'b:unmatched', caseId, what: 'gateway-identity request with no audit event of ours under its auditID', detail: where });
      continue;
    }
    const mismatch = compare(kube, final(ours));
    if (mismatch !== undefined) {
      findings.push({ oracle: 'b:unmatched', caseId, what: `our event disagrees with the API server's: ${mismatch.replace(/"[^"]*"/g, '"…"')}`, detail: `${mismatch}; ${where}` });
    }
  }
  return { checked, findings };
}
