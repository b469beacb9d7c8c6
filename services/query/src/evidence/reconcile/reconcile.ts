import { isGatewayOwnCall } from '@auditgate/shared/kube';
import { gatewayIdentities, type GatewayIdentities } from './gateway-identity.js';
import type { ApiServerEvent } from './read-apiserver-log.js';

/** What reconcile needs of one of our exchange documents. */
export interface OurExchange {
  readonly auditID: string;
  readonly verb: string;
  readonly requestURI: string;
  readonly objectRef?: Record<string, string | undefined>;
  readonly code?: number;
  readonly complete: boolean;
  /** The gateway refused or failed the exchange itself (`auditgate.errorCode`): it claims no forwarded request. */
  readonly errorCode?: string;
  readonly receivedAt: number;
}

/** A request whose facts disagree between the two logs. */
export interface Disagreement {
  readonly auditID: string;
  readonly requestURI: string;
  /** `field: theirs ≠ ours` per differing field. */
  readonly fields: string[];
}

/** The reconciliation of a window. */
export interface ReconcileReport {
  readonly ok: boolean;
  readonly from: string;
  readonly to: string;
  /** The API server identities whose requests were considered (the gateway's upstream identity). */
  readonly identities: string[];
  /** How they were established: named by the operator, or learned from the API server's log. */
  readonly identitySource: GatewayIdentities['source'];
  /** Per learned identity, what named it (its own calls, audit IDs both logs share). */
  readonly identityEvidence: GatewayIdentities['evidence'];
  /** Requests the API server served to those identities in the window. */
  readonly considered: number;
  readonly matched: number;
  /** The gateway's own calls (TokenReview, issuer discovery through the upstream): not forwarded, so not counted. */
  readonly ownCalls: number;
  /** matched / considered, in percent (100 when nothing was considered). */
  readonly coverage: number;
  /** Requests the API server served that we have no record of. */
  readonly missing: Array<{ auditID: string; verb?: string; requestURI?: string; user?: string; impersonatedUser?: string; code?: number; at?: string }>;
  readonly disagreements: Disagreement[];
  /** Our records of forwarded requests the API server never saw. */
  readonly unseen: Array<{ auditID: string; verb: string; requestURI: string; code?: number }>;
  readonly summary: string;
}

const STAGE_RANK: Record<string, number> = { RequestReceived: 0, ResponseStarted: 1, ResponseComplete: 2, Panic: 2 };
const REF_FIELDS = ['resource', 'subresource', 'namespace', 'name', 'apiGroup', 'apiVersion'] as const;
const time = (s: string | undefined): number => Date.parse((s ?? '').replace(/(\.\d{3})\d+/, '$1'));

/** The furthest stage the API server logged of each request. */
function lastStages(events: readonly ApiServerEvent[]): Map<string, ApiServerEvent> {
  const byId = new Map<string, ApiServerEvent>();
  for (const e of events) {
    const seen = byId.get(e.auditID);
    if (seen === undefined || (STAGE_RANK[e.stage] ?? 0) >= (STAGE_RANK[seen.stage] ?? 0)) byId.set(e.auditID, e);
  }
  return byId;
}

/** Field-by-field differences of one request (verb, objectRef, final response code). */
function compare(theirs: ApiServerEvent, ours: OurExchange): string[] {
  const fields: string[] = [];
  if ((theirs.verb ?? '') !== ours.verb) fields.push(`verb: ${theirs.verb ?? '∅'} ≠ ${ours.verb}`);
  for (const key of REF_FIELDS) {
    const a = theirs.objectRef?.[key] ?? '';
    const b = ours.objectRef?.[key] ?? '';
    if (a !== b) fields.push(`objectRef.${key}: ${a || '∅'} ≠ ${b || '∅'}`);
  }
  const theirCode = (STAGE_RANK[theirs.stage] ?? 0) >= 2 ? theirs.responseStatus?.code : undefined;
  if (theirCode !== undefined && ours.complete && ours.code !== undefined && theirCode !== ours.code) fields.push(`responseStatus.code: ${theirCode} ≠ ${ours.code}`);
  return fields;
}

/**
 * Reconciles the API server's own audit log with our records, matching on audit ID: every request the API server
 * served in [from, to] to the gateway's upstream identity (named, or else learned: see {@link gatewayIdentities};
 * impersonated requests are served to it too) must be ours, with the same verb, objectRef and response code, and each
 * of our forwarded requests must be in the API server's log. Throws `AUDITGATE_E_RECONCILE_NO_IDENTITY` when the
 * identity is neither named nor learnable: never a success for want of knowing whose requests to count.
 */
export function reconcile(input: {
  apiServer: readonly ApiServerEvent[]; ours: readonly OurExchange[]; from: number; to: number; identities?: readonly string[];
}): ReconcileReport {
  const theirs = lastStages(input.apiServer);
  const ours = new Map(input.ours.map((o) => [o.auditID, o]));
  const inWindow = (t: number): boolean => t >= input.from && t <= input.to;
  const established = gatewayIdentities({
    ...(input.identities === undefined ? {} : { named: input.identities }), theirs, ours: new Set(ours.keys()),
    inWindow: (e) => inWindow(time(e.requestReceivedTimestamp)),
  });
  const { identities } = established;
  const considered = [...theirs.values()].filter((e) => identities.has(e.user?.username ?? '') && inWindow(time(e.requestReceivedTimestamp)));
  const missing: ReconcileReport['missing'] = [];
  const disagreements: Disagreement[] = [];
  let matched = 0;
  let ownCalls = 0;
  for (const e of considered) {
    const o = ours.get(e.auditID);
    if (o === undefined && isGatewayOwnCall(e)) { ownCalls += 1; continue; }
    if (o === undefined) {
      missing.push({
        auditID: e.auditID, ...(e.verb === undefined ? {} : { verb: e.verb }), ...(e.requestURI === undefined ? {} : { requestURI: e.requestURI }),
        ...(e.user?.username === undefined ? {} : { user: e.user.username }), ...(e.impersonatedUser?.username === undefined ? {} : { impersonatedUser: e.impersonatedUser.username }),
        ...(e.responseStatus?.code === undefined ? {} : { code: e.responseStatus.code }), ...(e.requestReceivedTimestamp === undefined ? {} : { at: e.requestReceivedTimestamp }),
      });
      continue;
    }
    matched += 1;
    const fields = compare(e, o);
    if (fields.length > 0) disagreements.push({ auditID: e.auditID, requestURI: e.requestURI ?? o.requestURI, fields });
  }
  const unseen = input.ours
    .filter((o) => o.complete && o.errorCode === undefined && inWindow(o.receivedAt) && !theirs.has(o.auditID))
    .map((o) => ({ auditID: o.auditID, verb: o.verb, requestURI: o.requestURI, ...(o.code === undefined ? {} : { code: o.code }) }));
  const forwarded = considered.length - ownCalls;
  const coverage = forwarded === 0 ? 100 : Math.floor((matched / forwarded) * 10_000) / 100;
  const ok = missing.length === 0 && disagreements.length === 0 && unseen.length === 0;
  const summary = `${ok ? 'reconciled' : 'NOT reconciled'}: coverage ${coverage.toFixed(2)} % (${matched} of ${forwarded} requests served to ${[...identities].join(', ')}, ${established.source}; ${ownCalls} of the gateway's own calls set aside), `
    + `${missing.length} missing, ${disagreements.length} disagreeing, ${unseen.length} unseen by the API server`;
  return {
    ok, from: new Date(input.from).toISOString(), to: new Date(input.to).toISOString(), identities: [...identities].sort(),
    identitySource: established.source, identityEvidence: established.evidence,
    considered: considered.length, matched, ownCalls, coverage, missing, disagreements, unseen, summary,
  };
}
