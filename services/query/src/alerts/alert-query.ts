import type { AlertFilters } from './alert-store.js';

/** The `bool` query of alert filters: triage status (`open` includes alerts never triaged), terms, and a `lastSeen` range. */
export function alertQuery(f: AlertFilters): Record<string, unknown> {
  const filter: Array<Record<string, unknown>> = [];
  if (f.status === 'open') filter.push({ bool: { should: [{ term: { 'triage.status': 'open' } }, { bool: { must_not: { exists: { field: 'triage.status' } } } }], minimum_should_match: 1 } });
  else if (f.status !== undefined) filter.push({ term: { 'triage.status': f.status } });
  for (const key of ['severity', 'rule', 'actor'] as const) if (f[key] !== undefined) filter.push({ terms: { [key]: f[key] } });
  if (f.from !== undefined || f.to !== undefined) {
    filter.push({ range: { lastSeen: { ...(f.from === undefined ? {} : { gte: new Date(f.from).toISOString() }), ...(f.to === undefined ? {} : { lte: new Date(f.to).toISOString() }) } } });
  }
  return { bool: { filter } };
}
