import { compactVerify, createLocalJWKSet, errors, type JSONWebKeySet } from 'jose';
import { CHECKPOINT_TYP, checkpointProblems, type Checkpoint } from '@auditgate/shared';
import type { Problem, VerifiedCheckpoint } from './verify-types.js';

/** A checkpoint as a source stored it: the JWS, where it is, and the fields a document shows beside it. */
export interface StoredCheckpoint {
  readonly jws: string;
  readonly where: string;
  /** Searchable fields of the checkpoint document (OpenSearch), compared with the signed payload. */
  readonly shown?: Record<string, unknown>;
}

const forged = (c: StoredCheckpoint, detail: string, payload?: Partial<Checkpoint>): Problem => ({
  kind: 'forged-checkpoint', where: c.where, detail,
  ...(typeof payload?.stream === 'string' ? { stream: payload.stream } : {}), ...(typeof payload?.seq === 'number' ? { seq: payload.seq } : {}),
});

/** The payload of a JWS, unverified, for naming a forged checkpoint's stream and position. */
function peek(jws: string): Partial<Checkpoint> | undefined {
  try { return JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8')) as Partial<Checkpoint>; } catch { return undefined; }
}

/** Fields a document shows that disagree with the signed payload. */
function disagreements(shown: Record<string, unknown>, p: Checkpoint): string[] {
  const out: string[] = [];
  for (const key of ['stream', 'seq', 'hash', 'count', 'intervalMs'] as const) if (shown[key] !== p[key]) out.push(key);
  if (typeof shown['time'] !== 'string' || Date.parse(shown['time']) !== Date.parse(p.time)) out.push('time');
  if ((shown['final'] === true) !== (p.final === true)) out.push('final');
  return out;
}

/**
 * Verifies each stored checkpoint against the published keys (EdDSA or ES256, `typ` of a checkpoint): the valid ones
 * come back with their payload; the others are forged checkpoints (unknown key, bad signature, malformed, or document
 * fields that differ from what was signed).
 */
export async function checkCheckpoints(stored: readonly StoredCheckpoint[], jwks: JSONWebKeySet): Promise<{ valid: VerifiedCheckpoint[]; problems: Problem[] }> {
  const keys = createLocalJWKSet(jwks);
  const known = new Set(jwks.keys.map((k) => k.kid));
  const valid: VerifiedCheckpoint[] = [];
  const problems: Problem[] = [];
  for (const c of stored) {
    const peeked = peek(c.jws);
    try {
      const { payload, protectedHeader } = await compactVerify(c.jws, keys, { algorithms: ['EdDSA', 'ES256'] });
      if (protectedHeader.typ !== CHECKPOINT_TYP) { problems.push(forged(c, `signed, but not as a checkpoint (typ ${String(protectedHeader.typ)})`, peeked)); continue; }
      const parsed = JSON.parse(new TextDecoder().decode(payload)) as unknown;
      const malformed = checkpointProblems(parsed);
      if (malformed.length > 0) { problems.push(forged(c, `signed payload is not a checkpoint: ${malformed.join('; ')}`, peeked)); continue; }
      const checkpoint = parsed as Checkpoint;
      const differ = c.shown === undefined ? [] : disagreements(c.shown, checkpoint);
      if (differ.length > 0) { problems.push(forged(c, `the stored ${differ.join(', ')} differ from the signed payload`, checkpoint)); continue; }
      valid.push({ payload: checkpoint, kid: protectedHeader.kid ?? '', where: c.where });
    } catch (error) {
      const kid = (() => { try { return (JSON.parse(Buffer.from(c.jws.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: string }).kid; } catch { return undefined; } })();
      const detail = error instanceof errors.JWKSNoMatchingKey || (kid !== undefined && !known.has(kid))
        ? `signed by a key that is not among the published keys (kid ${kid ?? 'none'})`
        : error instanceof errors.JWSSignatureVerificationFailed
          ? `its signature does not verify with the published key ${kid ?? ''}`.trim()
          : `not a valid checkpoint JWS: ${(error as Error).message}`;
      problems.push(forged(c, detail, peeked));
    }
  }
  return { valid, problems };
}
