import { AppError, ErrorCodes } from '@auditgate/shared';

/** Where an alert is in triage. */
export type TriageStatus = 'open' | 'acknowledged' | 'resolved';

/** One triage step. */
export interface TriageEntry { readonly action: 'acknowledge' | 'resolve'; readonly by: string; readonly at: string; readonly note?: string }

/** The `triage` field the query service keeps on an alert document. */
export interface Triage { readonly status: TriageStatus; readonly history: TriageEntry[] }

/** The triage of an alert document; an alert without one is `open`. */
export function triageOf(doc: Record<string, unknown>): Triage {
  const t = doc['triage'] as Partial<Triage> | undefined;
  const status = t?.status === 'acknowledged' || t?.status === 'resolved' ? t.status : 'open';
  return { status, history: Array.isArray(t?.history) ? t.history : [] };
}

/** The triage after `action`: acknowledge only an open alert, resolve an open or acknowledged one; 409 otherwise. */
export function applyTriage(current: Triage, action: TriageEntry['action'], by: string, at: string, note: string | undefined): Triage {
  const allowed = action === 'acknowledge' ? current.status === 'open' : current.status !== 'resolved';
  if (!allowed) throw new AppError(`the alert is ${current.status}; it cannot be ${action === 'acknowledge' ? 'acknowledged' : 'resolved'}`, { code: ErrorCodes.CONFLICT, status: 409 });
  const entry: TriageEntry = { action, by, at, ...(note === undefined ? {} : { note }) };
  return { status: action === 'acknowledge' ? 'acknowledged' : 'resolved', history: [...current.history, entry] };
}
