import { randomUUID } from 'node:crypto';
import { ErrorCodes } from '@auditgate/shared';
import type { AuditLog } from './audit-log.js';
import { redactTokens } from './redact-tokens.js';

/** One refused authentication (the token itself is never part of it). */
export interface Refusal {
  /** Why: `missing_token`, `malformed`, `unknown_issuer`, `ERR_JWT_EXPIRED`, … */
  readonly reason: string;
  readonly method: string;
  readonly path: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  /** What the token claimed, unverified (`iss`, `sub`), when it decoded. */
  readonly claimedIssuer?: string;
  readonly claimedSubject?: string;
}

/** Options of {@link createRefusalAudit}. */
export interface RefusalAuditOptions {
  readonly log: AuditLog;
  readonly now: () => number;
  readonly newId?: () => string;
  /** Length of an aggregation window (default 60 s). */
  readonly windowMs?: number;
  /** Distinct (source IP, reason) records per window; further ones share one `overflow` record (default 50). */
  readonly maxKeys?: number;
  /** Told whether each record write succeeded. */
  readonly onWrite?: (ok: boolean) => void;
}

/**
 * Audit records of failed authentications, aggregated so a flood cannot fill the index: per window, the first refusal
 * of each (source IP, reason) is written at once (route `auth.refused`, outcome `unauthenticated`, status 401) and
 * later ones only raise its `results` count, written when the window closes; past `maxKeys` keys they share one
 * `overflow` record. At most `maxKeys + 1` records per window, whatever the rate. Best effort: a refusal is answered
 * 401 whether or not its record could be written.
 */
export interface RefusalAudit {
  refused(refusal: Refusal): void;
  /** Closes the current window, writing its counts (the window's timer does this too); safe to call twice. */
  flush(): Promise<void>;
}

interface Slot { readonly id: string; count: number; last: number; readonly written: Promise<{ index: string } | undefined> }
interface Window { readonly slots: Map<string, Slot>; readonly timer: NodeJS.Timeout }

const clip = (s: string | undefined, n: number): string | undefined => (s === undefined ? undefined : redactTokens(s).slice(0, n));

/** A {@link RefusalAudit} writing to `log`. */
export function createRefusalAudit(o: RefusalAuditOptions): RefusalAudit {
  const windowMs = o.windowMs ?? 60_000;
  const maxKeys = o.maxKeys ?? 50;
  let current: Window | undefined;

  async function flush(): Promise<void> {
    const w = current;
    current = undefined;
    if (w === undefined) return;
    clearTimeout(w.timer);
    await Promise.all([...w.slots.values()].map(async (slot) => {
      const where = await slot.written;
      if (where !== undefined && slot.count > 1) o.onWrite?.(await o.log.recount(where.index, slot.id, slot.count, slot.last));
    }));
  }

  return {
    refused(r) {
      const at = o.now();
      if (current === undefined) {
        const timer = setTimeout(() => { void flush(); }, windowMs);
        timer.unref();
        current = { slots: new Map(), timer };
      }
      let key = `${r.sourceIp ?? '-'}|${r.reason}`;
      if (!current.slots.has(key) && current.slots.size >= maxKeys) key = 'overflow';
      const slot = current.slots.get(key);
      if (slot !== undefined) { slot.count += 1; slot.last = at; return; }
      const overflow = key === 'overflow';
      const id = o.newId?.() ?? randomUUID();
      const claimedIssuer = clip(r.claimedIssuer, 256);
      const claimedSubject = clip(r.claimedSubject, 256);
      const userAgent = clip(r.userAgent, 512);
      const params: Record<string, string> = {
        reason: overflow ? 'various' : r.reason.slice(0, 64),
        ...(overflow ? { overflow: 'true' } : {}),
        ...(claimedIssuer === undefined ? {} : { claimedIssuer }),
        ...(claimedSubject === undefined ? {} : { claimedSubject }),
      };
      const written = o.log.refused({
        id, at, completedAt: at, username: null, issuer: null, roles: [], method: r.method, route: 'auth.refused',
        path: redactTokens(r.path).slice(0, 4096), params, outcome: 'unauthenticated', status: 401,
        errorCode: ErrorCodes.UNAUTHENTICATED, results: 1,
        ...(overflow || r.sourceIp === undefined ? {} : { sourceIp: r.sourceIp }),
        ...(userAgent === undefined ? {} : { userAgent }),
      }).then((where) => { o.onWrite?.(true); return where; }, () => { o.onWrite?.(false); return undefined; });
      current.slots.set(key, { id, count: 1, last: at, written });
    },
    flush,
  };
}
