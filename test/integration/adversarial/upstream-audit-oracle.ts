/**
 * Oracle (b): every request the API server logged from the gateway's identity matches exactly one audit event of ours
 * by auditID, with the same verb, objectRef and impersonated identity (nothing impersonated beyond what ours says); and
 * nothing of this run reached the API server under any other identity: not a smuggled one (anonymous, an agent's), not
 * a spoofed one (`X-Remote-User`, `Impersonate-*` taken at face value), whoever it names. The only other identities
 * allowed are the ones the suite itself uses directly (its admin setup, before the run began) and, on requests that
 * merely name the run's namespace, the cluster's own components (controllers reacting to that namespace).
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
  readonly requestReceivedTimestamp?: string;
  readonly user?: { username?: string };
  readonly impersonatedUser?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
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
  /** Identities the suite uses directly against the API server, each only for requests it received before `until` (ms). */
  readonly direct: readonly { readonly username: string; readonly until: number }[];
  /** The cluster's own components (controllers, scheduler, nodes), allowed only on requests not sent by this run. */
  readonly clusterComponent?: (username: string) => boolean;
  /** Maps a User-Agent back to the case that sent it. */
  readonly caseOf: (userAgent: string | undefined) => string;
}

/** The identities of a local cluster's control plane and nodes (never one a client of the gateway can get). */
export function isClusterComponent(username: string): boolean {
  return ['system:kube-controller-manager', 'system:kube-scheduler', 'system:apiserver'].includes(username)
    || username.startsWith('system:serviceaccount:kube-system:') || username.startsWith('system:node:');
}

/** Groups the API server adds to an impersonated user itself (so they need not be in our record). */
function addedByApiServer(group: string, username: string): boolean {
  if (group === 'system:authenticated') return true;
  const sa = /^system:serviceaccount:([^:]+):[^:]+$/.exec(username);
  return sa !== null && (group === 'system:serviceaccounts' || group === `system:serviceaccounts:${sa[1]}`);
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
  const expected = ours.impersonatedUser ?? (ours.auditgate.upstream?.impersonated === true ? ours.user : undefined);
  const theirs = kube.impersonatedUser;
  if ((theirs?.username ?? '') !== (expected?.username ?? '')) problems.push(`impersonated "${theirs?.username ?? ''}" vs ours "${expected?.username ?? ''}"`);
  if (theirs !== undefined) {
    // What the API server impersonated beyond our record (a forwarded Impersonate-Group/-Uid/-Extra-*).
    const groups = (theirs.groups ?? []).filter((g) => !(expected?.groups ?? []).includes(g) && !addedByApiServer(g, theirs.username ?? ''));
    if (groups.length > 0) problems.push(`impersonated groups "${groups.join(',')}" not in ours`);
    if ((theirs.uid ?? '') !== '' && theirs.uid !== expected?.uid) problems.push(`impersonated uid "${theirs.uid}" vs ours "${expected?.uid ?? ''}"`);
    const extra = Object.keys(theirs.extra ?? {}).filter((k) => !Object.keys(expected?.extra ?? {}).includes(k));
    if (extra.length > 0) problems.push(`impersonated extra "${extra.join(',')}" not in ours`);
  }
  return problems.length === 0 ? undefined : problems.join('; ');
}

/** Checks every in-scope API server request; returns how many were checked and a finding per unmatched one. */
export function matchUpstreamAudit(input: UpstreamAuditInput): { checked: number; findings: Finding[] } {
  // Sent by this run (through the gateway): its tag in the User-Agent, or an auditID of ours.
  const sentByRun = (e: KubeAuditEvent): boolean => (e.userAgent ?? '').includes(input.tag) || input.ours.has(e.auditID);
  const inScope = (e: KubeAuditEvent): boolean => sentByRun(e) || (e.requestURI ?? '').includes(input.tag);
  const component = input.clusterComponent ?? isClusterComponent;
  const allowedElsewhere = (e: KubeAuditEvent, username: string): boolean => {
    if (sentByRun(e)) return false;
    const received = Date.parse(e.requestReceivedTimestamp ?? '');
    return input.direct.some((d) => d.username === username && Number.isFinite(received) && received < d.until) || component(username);
  };
  const findings: Finding[] = [];
  const byId = new Map<string, KubeAuditEvent[]>();
  const otherRequests = new Set<string>();
  let checked = 0;
  for (const e of input.kubeEvents) {
    if (!inScope(e)) continue;
    const username = e.user?.username ?? '';
    if (username === input.gatewayUsername) {
      byId.set(e.auditID, [...(byId.get(e.auditID) ?? []), e]);
      continue;
    }
    // One finding per request, whichever of its stages the audit policy logs.
    const request = `${e.auditID}|${e.requestReceivedTimestamp ?? ''}|${e.requestURI ?? ''}`;
    if (otherRequests.has(request)) continue;
    otherRequests.add(request);
    checked += 1;
    if (allowedElsewhere(e, username)) continue;
    findings.push({
      oracle: 'b:unmatched', caseId: input.caseOf(e.userAgent),
      what: `a request of this run reached the API server under "${username || '(unauthenticated)'}", not the gateway's identity (smuggled, or a spoofed identity taken at face value)`,
      detail: `${e.verb} ${e.requestURI} -> ${e.responseStatus?.code ?? '?'} ua=${e.userAgent ?? ''} at ${e.requestReceivedTimestamp ?? '?'}`,
    });
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
