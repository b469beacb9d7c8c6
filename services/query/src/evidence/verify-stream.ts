import { chainHash, type AuditEvent, type ChainLink } from '@auditgate/shared';
import type { ChainedRecord, Problem, VerifiedCheckpoint } from './verify-types.js';

/** The verification window and its tolerances. */
export interface VerifyWindow {
  readonly from: number;
  readonly to: number;
  readonly now: number;
  /** Added to a stream's checkpoint interval before it counts as stopped (indexing lag, clock skew). */
  readonly graceMs: number;
  /** Check each checkpoint's `count` against the one before (off where checkpoints may be compacted away). */
  readonly countChecks: boolean;
}

/** One stream's chain positions after verification. */
export interface StreamLine {
  readonly stream: string;
  /** One record per position (inserted duplicates removed). */
  readonly line: ReadonlyMap<number, ChainedRecord>;
  readonly lo: number;
  readonly hi: number;
  readonly checkpoints: readonly VerifiedCheckpoint[];
  readonly problems: Problem[];
}

/** The chain hash of `event`, or undefined when it has no canonical JSON (a stored lone surrogate, say: the gateway never hashes one). */
function hashOrNone(event: AuditEvent): string | undefined {
  try { return chainHash(event); } catch { return undefined; }
}

const hashOf = new WeakMap<ChainedRecord, string | undefined>();
/** The record's recomputed hash (undefined when it cannot be rebuilt or hashed). */
function recomputed(r: ChainedRecord): string | undefined {
  if (!hashOf.has(r)) hashOf.set(r, r.event === undefined ? undefined : hashOrNone(r.event));
  return hashOf.get(r);
}
/** Whether the record rebuilds to an event that hashes to its own link. */
export function intact(r: ChainedRecord): boolean {
  return r.problems.length === 0 && recomputed(r) === r.link.hash;
}
/** The hash `event` would have at `link`'s position. */
function hashAt(event: AuditEvent, link: ChainLink): string | undefined {
  return hashOrNone({ ...event, auditgate: { ...event.auditgate, chain: { stream: link.stream, seq: link.seq, prevHash: link.prevHash, hash: '' } } });
}

const at = (r: ChainedRecord): Pick<Problem, 'stream' | 'seq' | 'auditID' | 'stage' | 'where'> => ({
  stream: r.link.stream, seq: r.link.seq, auditID: r.auditID, stage: r.stage, where: r.where,
});
const when = (c: VerifiedCheckpoint): string => c.payload.time;

/** Keeps one record per position; the others claiming it are inserted. */
function dedupe(records: readonly ChainedRecord[], checkpoints: readonly VerifiedCheckpoint[], problems: Problem[]): Map<number, ChainedRecord> {
  const bySeq = new Map<number, ChainedRecord[]>();
  for (const r of records) bySeq.set(r.link.seq, [...(bySeq.get(r.link.seq) ?? []), r]);
  const line = new Map<number, ChainedRecord>();
  for (const [seq, claims] of bySeq) {
    if (claims.length === 1) { line.set(seq, claims[0]!); continue; }
    const named = new Set([...(bySeq.get(seq + 1) ?? []).map((n) => n.link.prevHash), ...checkpoints.filter((c) => c.payload.seq === seq).map((c) => c.payload.hash)]);
    const genuine = claims.find((r) => intact(r) && named.has(r.link.hash)) ?? claims.find(intact) ?? claims[0]!;
    line.set(seq, genuine);
    for (const r of claims) {
      // The same event delivered twice (Kafka is at-least-once: a send that timed out may still have landed) is a replay.
      const replay = r.link.hash === genuine.link.hash && r.auditID === genuine.auditID && r.stage === genuine.stage && intact(r);
      if (r !== genuine && !replay) problems.push({ kind: 'inserted', ...at(r), detail: `a second event claims position ${seq} (the chain there is ${genuine.auditID} ${genuine.stage})` });
    }
  }
  return line;
}

/** Pairs of broken positions whose events hash correctly at each other's position: swapped. */
function findSwaps(broken: ChainedRecord[], problems: Problem[], flagged: Set<number>): void {
  if (broken.length > 200) return;
  for (let i = 0; i < broken.length; i += 1) {
    const a = broken[i]!;
    if (a.event === undefined || flagged.has(a.link.seq)) continue;
    for (let j = i + 1; j < broken.length; j += 1) {
      const b = broken[j]!;
      if (b.event === undefined || flagged.has(b.link.seq)) continue;
      if (hashAt(a.event, b.link) === b.link.hash && hashAt(b.event, a.link) === a.link.hash) {
        problems.push({
          kind: 'reordered', ...at(a), seqTo: b.link.seq,
          detail: `positions ${a.link.seq} and ${b.link.seq} are swapped: ${a.auditID} ${a.stage} belongs at ${b.link.seq}, ${b.auditID} ${b.stage} at ${a.link.seq}`,
        });
        flagged.add(a.link.seq); flagged.add(b.link.seq);
        break;
      }
    }
  }
}

/**
 * Verifies one stream inside the window: every position from `lo` (after the last checkpoint before the window, else
 * the first event seen) to `hi` (the last event or signed position) is present once, rebuilds to an event that hashes
 * to its link, names its predecessor's hash, and matches every verified checkpoint of that position.
 */
export function verifyStream(stream: string, records: readonly ChainedRecord[], checkpoints: readonly VerifiedCheckpoint[], w: VerifyWindow): StreamLine {
  const problems: Problem[] = [];
  const cps = [...checkpoints].sort((a, b) => when(a).localeCompare(when(b)) || a.payload.seq - b.payload.seq);
  const before = cps.filter((c) => Date.parse(c.payload.time) < w.from).at(-1);
  const seqs = records.map((r) => r.link.seq);
  const lo = before !== undefined ? before.payload.seq + 1 : Math.min(...seqs, ...cps.map((c) => Math.max(1, c.payload.seq)));
  const hi = Math.max(...seqs, ...cps.map((c) => c.payload.seq), lo - 1);
  const line = dedupe(records.filter((r) => r.link.seq >= lo && r.link.seq <= hi), cps, problems);
  const flagged = new Set<number>();

  const broken = [...line.values()].filter((r) => !intact(r)).sort((a, b) => a.link.seq - b.link.seq);
  findSwaps(broken, problems, flagged);
  for (const r of broken) {
    if (flagged.has(r.link.seq)) continue;
    flagged.add(r.link.seq);
    const why = r.problems.length > 0 ? r.problems.join('; ') : 'its content no longer hashes to its link: the event was edited';
    problems.push({ kind: 'changed', ...at(r), detail: why });
  }
  const rewritten = (r: ChainedRecord, detail: string): void => {
    if (flagged.has(r.link.seq)) return;
    flagged.add(r.link.seq);
    problems.push({ kind: 'changed', ...at(r), detail });
  };
  for (const [seq, r] of line) {
    const next = line.get(seq + 1);
    if (next !== undefined && !flagged.has(seq + 1) && next.link.prevHash !== r.link.hash) {
      rewritten(r, `the event at ${seq + 1} names another hash for its predecessor: this event was rewritten and rehashed`);
    }
  }
  const first = line.get(lo);
  if (before !== undefined && first !== undefined && first.link.prevHash !== before.payload.hash) {
    rewritten(first, `the checkpoint signed at ${when(before)} names another hash for position ${before.payload.seq}, which this event's prevHash should repeat`);
  }
  for (const c of cps) {
    const r = line.get(c.payload.seq);
    if (r !== undefined && r.link.hash !== c.payload.hash) rewritten(r, `the checkpoint signed at ${when(c)} names another hash for this position: the event was rewritten`);
    const successor = c.payload.seq === 0 ? line.get(1) : undefined;
    if (successor !== undefined && successor.link.prevHash !== c.payload.hash) rewritten(successor, `the stream's first checkpoint (${when(c)}) names another origin than this event's prevHash`);
  }

  const lastRecord = Math.max(0, ...line.keys());
  const signed = Math.max(0, ...cps.map((c) => c.payload.seq));
  for (let seq = lo; seq <= hi; seq += 1) {
    if (line.has(seq)) continue;
    let end = seq;
    while (end + 1 <= hi && !line.has(end + 1)) end += 1;
    const tail = end === hi && lastRecord < seq;
    const range = end === seq ? `position ${seq}` : `positions ${seq}–${end}`;
    problems.push(tail
      ? { kind: 'deleted-tail', stream, seq, seqTo: end, detail: `${range} missing at the end: a checkpoint signs up to ${signed}` }
      : { kind: 'deleted', stream, seq, seqTo: end, detail: `${range} missing between ${seq - 1} and ${end + 1}` });
    seq = end;
  }

  if (w.countChecks) {
    for (let i = 1; i < cps.length; i += 1) {
      const p = cps[i - 1]!.payload;
      const c = cps[i]!.payload;
      if (c.count !== c.seq - p.seq) {
        problems.push({
          kind: 'missing-checkpoint', stream, seq: p.seq, seqTo: c.seq,
          detail: `the checkpoint of ${c.time} counts ${c.count} events since the previous one, but the one before it here (${p.time}) signs ${p.seq}: a checkpoint between them is missing`,
        });
      }
    }
  }
  return { stream, line, lo, hi, checkpoints: cps, problems };
}
