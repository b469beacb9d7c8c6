import { AppError, ErrorCodes } from '@auditgate/shared';
import { isGatewayOwnCall } from '@auditgate/shared/kube';
import type { ApiServerEvent } from './read-apiserver-log.js';

/** The gateway's upstream identities and how they were established. */
export interface GatewayIdentities {
  readonly identities: ReadonlySet<string>;
  /** `named`: given by the operator; `learned`: from the API server's log (own calls) and the audit IDs both logs share. */
  readonly source: 'named' | 'learned';
  /** Per learned identity, what named it: audit IDs shared with our records, or else its own calls (TokenReview, issuer reads). */
  readonly evidence: Readonly<Record<string, { ownCalls: number; sharedAuditIDs: number }>>;
}

/**
 * The identities whose requests reconcile considers: the named ones; else the users of requests whose audit ID our
 * records carry; else (an emptied index shares none) the users of the gateway's own calls in the window, marked by an
 * audit ID no client can send through the gateway (another gateway on the same cluster is named too: its requests then
 * count as missing, never as covered). Refuses (`AUDITGATE_E_RECONCILE_NO_IDENTITY`) when nothing names one, because
 * "no identity" would otherwise read as "nothing to reconcile", 100 %.
 */
export function gatewayIdentities(input: {
  named?: readonly string[]; theirs: ReadonlyMap<string, ApiServerEvent>; ours: ReadonlySet<string>; inWindow: (e: ApiServerEvent) => boolean;
}): GatewayIdentities {
  const named = (input.named ?? []).filter((n) => n !== '');
  if (named.length > 0) return { identities: new Set(named), source: 'named', evidence: {} };
  const evidence: Record<string, { ownCalls: number; sharedAuditIDs: number }> = {};
  const note = (user: string, what: 'ownCalls' | 'sharedAuditIDs'): void => { (evidence[user] ??= { ownCalls: 0, sharedAuditIDs: 0 })[what] += 1; };
  for (const [id, e] of input.theirs) if (e.user?.username !== undefined && input.ours.has(id)) note(e.user.username, 'sharedAuditIDs');
  if (Object.keys(evidence).length === 0) {
    for (const e of input.theirs.values()) if (e.user?.username !== undefined && isGatewayOwnCall(e) && input.inWindow(e)) note(e.user.username, 'ownCalls');
  }
  const identities = new Set(Object.keys(evidence));
  if (identities.size === 0) {
    const inWindow = [...input.theirs.values()].filter(input.inWindow).length;
    throw new AppError(
      `the gateway's upstream identity could not be established: of the ${input.theirs.size} requests in the API server's log `
      + `(${inWindow} in the window), none shares an audit ID with our records and none in the window is one of the gateway's own calls; `
      + 'without it no request can be told to be the gateway\'s, so coverage cannot be measured. '
      + 'Name the identity with --upstream-user (or AUDITGATE_UPSTREAM_USER), e.g. system:serviceaccount:auditgate:gateway',
      { code: ErrorCodes.RECONCILE_NO_IDENTITY, status: 400, details: { requests: input.theirs.size, inWindow } },
    );
  }
  return { identities, source: 'learned', evidence };
}
