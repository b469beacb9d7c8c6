import type { JSONWebKeySet } from 'jose';
import { checkCheckpoints } from './check-checkpoints.js';
import type { StoredEvidence } from './opensearch-evidence.js';
import { verifyChains } from './verify-chains.js';
import type { Problem, ProblemKind, VerifyReport } from './verify-types.js';

/** A verification to run. */
export interface VerifyRequest {
  readonly source: VerifyReport['source'];
  readonly from: number;
  readonly to: number;
  readonly now: number;
  readonly jwks: JSONWebKeySet;
  /** Reads the stored evidence of the window (OpenSearch or Kafka). */
  readonly load: () => Promise<StoredEvidence>;
  /** Tolerance before a silent stream counts as stopped (default 15 s). */
  readonly graceMs?: number;
}

const ORDER: ProblemKind[] = ['changed', 'deleted', 'deleted-tail', 'reordered', 'inserted', 'forged-checkpoint', 'missing-checkpoint', 'unterminated', 'broken-link'];

/** The one-line summary of a report. */
export function summarize(r: Omit<VerifyReport, 'summary'>): string {
  const scope = `${r.events} events in ${r.streams.length} stream${r.streams.length === 1 ? '' : 's'}, ${r.checkpoints} checkpoint${r.checkpoints === 1 ? '' : 's'} (${r.source}, ${r.from} → ${r.to})`;
  if (r.problems.length === 0) return `verified: ${scope}`;
  const counts = ORDER.map((k) => [k, r.problems.filter((p) => p.kind === k).length] as const).filter(([, n]) => n > 0);
  return `NOT verified: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'} (${counts.map(([k, n]) => `${n} ${k}`).join(', ')}) in ${scope}`;
}

/** Loads the evidence, checks every checkpoint signature and every chain, and reports each problem where it is. */
export async function runVerify(req: VerifyRequest): Promise<VerifyReport> {
  const stored = await req.load();
  const checked = await checkCheckpoints(stored.checkpoints, req.jwks);
  const origins = await checkCheckpoints(stored.origins, req.jwks);
  const { problems, streams } = verifyChains(
    { records: stored.records, checkpoints: checked.valid, origins: origins.valid },
    { from: req.from, to: req.to, now: req.now, graceMs: req.graceMs ?? 15_000, countChecks: req.source === 'opensearch' },
  );
  const all: Problem[] = [...stored.problems, ...checked.problems, ...problems];
  const report = {
    ok: all.length === 0, source: req.source, from: new Date(req.from).toISOString(), to: new Date(req.to).toISOString(),
    events: stored.read, checkpoints: checked.valid.length, streams, problems: all,
  };
  return { ...report, summary: summarize(report) };
}
