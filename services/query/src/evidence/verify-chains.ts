import { GENESIS_HASH, instanceOfStream } from '@auditgate/shared';
import type { ChainedRecord, Problem, StreamSummary, VerifiedCheckpoint } from './verify-types.js';
import { verifyStream, type StreamLine, type VerifyWindow } from './verify-stream.js';

export type { VerifyWindow } from './verify-stream.js';

/** The chained records and verified checkpoints of a window, from either source. */
export interface ChainEvidence {
  readonly records: readonly ChainedRecord[];
  readonly checkpoints: readonly VerifiedCheckpoint[];
  /** Verified first checkpoints (seq 0) of streams anywhere in time: each names its predecessor's last hash. */
  readonly origins?: readonly VerifiedCheckpoint[];
}

/** What a stream's first event names, and the problem when that predecessor's end is not in the trail. */
function originOf(s: StreamLine, lines: readonly StreamLine[]): { origin?: string; problem?: Problem } {
  const first = s.line.get(1);
  if (first === undefined) return {};
  const named = first.link.prevHash;
  if (named === GENESIS_HASH) return { origin: 'genesis' };
  for (const p of lines) {
    if (p === s) continue;
    for (const [seq, r] of p.line) {
      if (r.link.hash !== named) continue;
      const last = Math.max(...p.line.keys());
      if (seq !== last) {
        return { origin: `${p.stream}#${seq}`, problem: { kind: 'broken-link', stream: s.stream, seq: 1, auditID: first.auditID, stage: first.stage, where: first.where, detail: `the stream starts after ${p.stream}#${seq}, but that stream goes on to ${last}` } };
      }
      return { origin: `${p.stream}#${seq}` };
    }
    const signed = p.checkpoints.find((c) => c.payload.hash === named);
    if (signed !== undefined) return { origin: `${p.stream}#${signed.payload.seq}` };
  }
  const instance = instanceOfStream(s.stream);
  const candidate = lines.find((p) => p !== s && instanceOfStream(p.stream) === instance && p.line.size > 0
    && Math.max(...[...p.line.values()].map((r) => r.time)) <= first.time);
  if (candidate === undefined) return { origin: 'outside the window' };
  return {
    origin: 'not found',
    problem: { kind: 'broken-link', stream: s.stream, seq: 1, auditID: first.auditID, stage: first.stage, where: first.where, detail: `the stream's first event names a predecessor hash that is nowhere in the trail, though ${candidate.stream} of the same gateway ended before it: that stream's last events were deleted or rewritten` },
  };
}

/** How a stream ends: `final`, still `running`, `succeeded` by a linked stream, or `open` (a problem). */
function endOf(s: StreamLine, lines: readonly StreamLine[], origins: readonly VerifiedCheckpoint[], w: VerifyWindow): { state: StreamSummary['state']; problems: Problem[] } {
  const last = Math.max(0, ...s.line.keys());
  const lastHash = s.line.get(last)?.link.hash ?? s.checkpoints.at(-1)?.payload.hash;
  const cps = s.checkpoints;
  const finalCp = cps.find((c) => c.payload.final === true);
  if (finalCp !== undefined) {
    const after = [...s.line.values()].filter((r) => r.link.seq > finalCp.payload.seq);
    return {
      state: 'final',
      problems: after.map((r) => ({ kind: 'inserted' as const, stream: s.stream, seq: r.link.seq, auditID: r.auditID, stage: r.stage, where: r.where, detail: `after the stream's final checkpoint (${finalCp.payload.time}, position ${finalCp.payload.seq})` })),
    };
  }
  const latest = cps.at(-1);
  const interval = latest?.payload.intervalMs ?? 10_000;
  const liveSince = Math.min(w.to, w.now) - (2 * interval + w.graceMs);
  const lastActivity = Math.max(latest === undefined ? 0 : Date.parse(latest.payload.time), ...[...s.line.values()].map((r) => r.time));
  const succeeded = lastHash !== undefined && (lines.some((o) => o !== s && o.line.get(1)?.link.prevHash === lastHash)
    || [...origins, ...lines.flatMap((o) => o.checkpoints)].some((c) => c.payload.stream !== s.stream && c.payload.seq === 0 && c.payload.hash === lastHash));
  if (succeeded) return { state: 'succeeded', problems: [] };
  if (lastActivity >= liveSince) return { state: 'running', problems: [] };
  const signed = Math.max(0, ...cps.map((c) => c.payload.seq));
  if (latest === undefined) {
    return { state: 'open', problems: [{ kind: 'missing-checkpoint', stream: s.stream, seq: s.lo, seqTo: last, detail: `no verified checkpoint signs positions ${s.lo}–${last}` }] };
  }
  return {
    state: 'open',
    problems: [{ kind: 'unterminated', stream: s.stream, seq: last, detail: `the stream stops at ${last} without its final checkpoint (last checkpoint ${latest.payload.time} signs ${signed}) and no stream continues from it` }],
  };
}

/** Verifies every stream of the evidence; problems are ordered by stream and position. */
export function verifyChains(evidence: ChainEvidence, w: VerifyWindow): { problems: Problem[]; streams: StreamSummary[] } {
  const names = new Set([...evidence.records.map((r) => r.link.stream), ...evidence.checkpoints.map((c) => c.payload.stream)]);
  const lines = [...names].sort().map((stream) => verifyStream(
    stream, evidence.records.filter((r) => r.link.stream === stream), evidence.checkpoints.filter((c) => c.payload.stream === stream), w,
  ));
  const problems: Problem[] = [];
  const streams: StreamSummary[] = [];
  for (const s of lines) {
    const { origin, problem } = originOf(s, lines);
    const end = endOf(s, lines, evidence.origins ?? [], w);
    problems.push(...s.problems, ...(problem === undefined ? [] : [problem]), ...end.problems);
    const seqs = [...s.line.keys()];
    streams.push({
      stream: s.stream, firstSeq: seqs.length === 0 ? s.lo : Math.min(...seqs), lastSeq: seqs.length === 0 ? s.hi : Math.max(...seqs),
      events: s.line.size, checkpoints: s.checkpoints.length, signedSeq: Math.max(0, ...s.checkpoints.map((c) => c.payload.seq)),
      state: end.state, ...(origin === undefined ? {} : { origin }),
    });
  }
  problems.sort((a, b) => (a.stream ?? '').localeCompare(b.stream ?? '') || (a.seq ?? 0) - (b.seq ?? 0));
  return { problems, streams };
}
