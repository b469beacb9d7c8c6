import type { AuditEvent, ChainLink, Checkpoint } from '@auditgate/shared';

/** What a verifier can find wrong with the trail. */
export type ProblemKind =
  | 'changed' | 'deleted' | 'deleted-tail' | 'reordered' | 'inserted'
  | 'forged-checkpoint' | 'missing-checkpoint' | 'unterminated' | 'broken-link';

/** One problem, located as exactly as the evidence allows. */
export interface Problem {
  readonly kind: ProblemKind;
  readonly stream?: string;
  /** The chain position (first of a range). */
  readonly seq?: number;
  /** Last position of a range (deleted events), or the other position of a reordered pair. */
  readonly seqTo?: number;
  readonly auditID?: string;
  readonly stage?: string;
  /** Where the record lives: `<index>/<_id>` or `<topic>/<partition>@<offset>`. */
  readonly where?: string;
  readonly detail: string;
}

/** One chained event as stored: its link and, when it could be rebuilt, the event as produced. */
export interface ChainedRecord {
  readonly link: ChainLink;
  /** The produced event (its `auditgate.chain` is `link`); undefined when the stored record cannot be rebuilt. */
  readonly event: AuditEvent | undefined;
  /** Why the stored record disagrees with itself (document fields against the chained event, say). */
  readonly problems: readonly string[];
  readonly auditID: string;
  readonly stage: string;
  readonly where: string;
  /** When it was produced (stageTimestamp), in ms. */
  readonly time: number;
}

/** A checkpoint whose signature verified against a published key. */
export interface VerifiedCheckpoint {
  readonly payload: Checkpoint;
  readonly kid: string;
  readonly where: string;
}

/** One stream as verified. */
export interface StreamSummary {
  readonly stream: string;
  /** First and last chain positions seen in the window. */
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly events: number;
  readonly checkpoints: number;
  /** The highest position a verified checkpoint signs. */
  readonly signedSeq: number;
  /** `final` (ended with its final checkpoint), `running` (checkpointed recently), `succeeded` (a successor links to its end), `open`. */
  readonly state: 'final' | 'running' | 'succeeded' | 'open';
  /** What the stream's first event names: `genesis`, a predecessor `<stream>#<seq>`, or `outside the window`. */
  readonly origin?: string;
}

/** The outcome of a verification. */
export interface VerifyReport {
  readonly ok: boolean;
  readonly source: 'opensearch' | 'kafka';
  readonly from: string;
  readonly to: string;
  readonly events: number;
  readonly checkpoints: number;
  readonly streams: StreamSummary[];
  readonly problems: Problem[];
  /** One line: `verified N events in S streams, C checkpoints: OK` or the problem counts by kind. */
  readonly summary: string;
}
