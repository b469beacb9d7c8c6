import { HASH_PATTERN } from './chain-hash.js';

/** The JWS `typ` of a signed checkpoint. */
export const CHECKPOINT_TYP = 'auditgate-checkpoint+jws';

/**
 * A signed statement of a stream's head: `seq` and `hash` of its last event made durable (seq 0 and the origin's
 * hash before the first), `count` events since the stream's previous produced checkpoint (0 for a heartbeat), `time`
 * of signing. `final` marks the checkpoint a stream ends with on a clean shutdown. `intervalMs` is the longest the
 * gateway waits between checkpoints, so a verifier knows when a silent stream is overdue.
 */
export interface Checkpoint {
  readonly stream: string;
  readonly seq: number;
  readonly hash: string;
  readonly time: string;
  readonly count: number;
  readonly intervalMs: number;
  readonly final?: true;
}

/** A checkpoint JWS split into its parts, not verified. */
export interface ParsedCheckpoint {
  readonly jws: string;
  readonly header: { alg?: string; kid?: string; typ?: string };
  readonly payload: Checkpoint;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** What is wrong with `value` as a checkpoint payload; empty when valid. */
export function checkpointProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['payload: must be an object'];
  const c = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof c['stream'] !== 'string' || c['stream'] === '') problems.push('stream: must be a non-empty string');
  if (!isCount(c['seq'])) problems.push('seq: must be a whole number');
  if (typeof c['hash'] !== 'string' || !HASH_PATTERN.test(c['hash'])) problems.push('hash: must be a hex SHA-256');
  if (typeof c['time'] !== 'string' || !Number.isFinite(Date.parse(c['time']))) problems.push('time: must be an RFC 3339 timestamp');
  if (!isCount(c['count'])) problems.push('count: must be a whole number');
  if (!isCount(c['intervalMs'])) problems.push('intervalMs: must be a whole number');
  if (c['final'] !== undefined && c['final'] !== true) problems.push('final: must be true when present');
  return problems;
}

/** Splits a compact JWS and parses its header and checkpoint payload, without checking the signature; throws on malformed input. */
export function parseCheckpointJws(jws: string): ParsedCheckpoint {
  const parts = jws.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) throw new Error('not a compact JWS');
  const json = (part: string): unknown => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  const header = json(parts[0]!) as ParsedCheckpoint['header'];
  const payload = json(parts[1]!);
  const problems = checkpointProblems(payload);
  if (problems.length > 0) throw new Error(`not a checkpoint: ${problems.join('; ')}`);
  return { jws, header, payload: payload as Checkpoint };
}
