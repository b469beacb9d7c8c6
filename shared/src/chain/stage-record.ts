import type { AuditEvent } from '../events/audit-event.js';
import type { GatewayEvent } from '../events/gateway-event.js';
import { ErrorCodes } from '../errors/codes.js';
import { toIJson } from './canonical-json.js';
import { canonicalDigest } from './chain-hash.js';
import type { ChainLink } from './hash-chain.js';

/** Top-level fields a stage record may leave to the exchange document, named by their digest. */
export const ELIDABLE_FIELDS = ['requestObject', 'responseObject'] as const;
type Elidable = (typeof ELIDABLE_FIELDS)[number];

/**
 * What the indexer keeps of one chained stage under `stages.<Stage>`: the link, and the event exactly as produced, so a
 * verifier can recompute its hash. The bulky request and response objects are not stored twice: they are left to the
 * document's own field (which this stage writes) and named by the SHA-256 of their canonical JSON.
 */
export interface StageRecord {
  readonly chain: ChainLink;
  readonly event: Record<string, unknown>;
  readonly elided?: Partial<Record<Elidable, string>>;
}

/**
 * The digest naming an elided object: the SHA-256 of its canonical JSON. An object without one (a lone surrogate from
 * an older or foreign producer: the gateway makes every event I-JSON before linking it) is digested as made I-JSON, so
 * the indexer and the verifier never fail on it; its event's chain hash cannot match, and verify names it changed.
 */
function elidedDigest(value: unknown): string {
  try {
    return canonicalDigest(value);
  } catch (error) {
    if ((error as { code?: string }).code !== ErrorCodes.NOT_CANONICAL_JSON) throw error;
    const copy = [structuredClone(value)];
    toIJson(copy);
    return canonicalDigest(copy[0]);
  }
}

/** Whether the exchange document takes `field` from this stage's event (see exchange-document.ts). */
function documentCarries(event: GatewayEvent, field: Elidable): boolean {
  return field === 'requestObject' || event.stage === 'ResponseComplete' || event.stage === 'Panic';
}

/** The stage record of a chained event; undefined when the event carries no chain link. */
export function stageRecord(event: GatewayEvent): StageRecord | undefined {
  const chain = event.auditgate.chain;
  if (chain === undefined) return undefined;
  const stored: Record<string, unknown> = { ...event };
  const elided: Partial<Record<Elidable, string>> = {};
  for (const field of ELIDABLE_FIELDS) {
    if (event[field] === undefined || !documentCarries(event, field)) continue;
    elided[field] = elidedDigest(event[field]);
    delete stored[field];
  }
  return {
    chain: { stream: chain.stream, seq: chain.seq, prevHash: chain.prevHash, hash: chain.hash },
    event: stored,
    ...(Object.keys(elided).length === 0 ? {} : { elided }),
  };
}

/** A stage's event rebuilt from its record and the document, or why it cannot be. */
export type RebuiltEvent = { readonly event: AuditEvent; readonly problems: readonly [] } | { readonly event: undefined; readonly problems: readonly string[] };

/** Rebuilds the produced event of a stage record, taking elided fields from `document` when their digest matches. */
export function rebuildStageEvent(record: StageRecord, document: Record<string, unknown>): RebuiltEvent {
  const event: Record<string, unknown> = { ...record.event };
  const problems: string[] = [];
  for (const field of ELIDABLE_FIELDS) {
    const digest = record.elided?.[field];
    if (digest === undefined) continue;
    const value = document[field];
    if (value === undefined) problems.push(`the document lost ${field}`);
    else if (elidedDigest(value) !== digest) problems.push(`the document's ${field} differs from the one the ${String(event['stage'])} event recorded`);
    else event[field] = value;
  }
  return problems.length > 0 ? { event: undefined, problems } : { event: event as unknown as AuditEvent, problems: [] };
}
