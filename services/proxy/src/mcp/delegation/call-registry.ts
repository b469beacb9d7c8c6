/** What the registry knows of one delegated call token. */
export type CallState = 'live' | 'ended' | 'unknown';

/** Tool calls in progress, so a delegated token is accepted only while its call runs (replays after it are refused). */
export interface CallRegistry {
  /** A call's token was minted; it is live until {@link end} or `expiresAt`. */
  begin(jti: string, call: { readonly callId: string; readonly server: string; readonly expiresAt: number }): void;
  /** The call ended (answered, cancelled, failed): its token is refused from now on. */
  end(jti: string): void;
  /** The token's state, with the server its call went to. */
  state(jti: string): { readonly state: CallState; readonly server?: string; readonly callId?: string };
  /** Calls live now (for metrics). */
  live(): number;
}

interface Entry { readonly callId: string; readonly server: string; readonly expiresAt: number; ended: boolean }

/**
 * An in-process registry. Ended calls are remembered until their token expires (after that the token's own `exp`
 * refuses it), so the map holds at most the calls of one token lifetime; beyond `maxEntries` the oldest are dropped
 * (their tokens then count as unknown, which is refused too).
 */
export function createCallRegistry(options: { now: () => number; maxEntries?: number; graceMs?: number }): CallRegistry {
  const entries = new Map<string, Entry>();
  const maxEntries = options.maxEntries ?? 100_000;
  const graceMs = options.graceMs ?? 60_000;
  function prune(): void {
    const at = options.now();
    for (const [jti, e] of entries) {
      if (e.expiresAt + graceMs > at) break;
      entries.delete(jti);
    }
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
  }
  return {
    begin(jti, call) {
      prune();
      entries.set(jti, { ...call, ended: false });
    },
    end(jti) {
      const e = entries.get(jti);
      if (e !== undefined) e.ended = true;
    },
    state(jti) {
      const e = entries.get(jti);
      if (e === undefined) return { state: 'unknown' };
      const ended = e.ended || options.now() >= e.expiresAt;
      return { state: ended ? 'ended' : 'live', server: e.server, callId: e.callId };
    },
    live() {
      const at = options.now();
      let n = 0;
      for (const e of entries.values()) if (!e.ended && e.expiresAt > at) n += 1;
      return n;
    },
  };
}
