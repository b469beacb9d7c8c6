/** What the gateway knows of one MCP session. */
export interface SessionInfo {
  readonly server: string;
  /** `issuer#subject` of the caller who opened it: nobody else may use it. */
  readonly owner: string;
  protocolVersion?: string;
  client?: { name?: string; version?: string };
  lastSeen: number;
  /** Tool calls counted, per budget (rule id). */
  readonly calls: Map<string, number>;
}

/** The outcome of taking one call from a session's budgets. */
export type BudgetOutcome =
  | { readonly ok: true; readonly counted?: { readonly ruleId: string; readonly used: number; readonly limit: number } }
  | { readonly ok: false; readonly ruleId: string; readonly used: number; readonly limit: number };

/** MCP sessions seen through the gateway, bound to the caller who opened them, with their call budgets. */
export interface SessionRegistry {
  /** `ok`: the caller owns it (or the gateway never saw it: adopted); `foreign`: another caller's session. */
  claim(server: string, sessionId: string, owner: string): 'ok' | 'foreign';
  /** The session, when known. */
  get(server: string, sessionId: string): SessionInfo | undefined;
  /** Counts one call against every budget, all or none: refused when any is spent. */
  take(key: { server: string; sessionId: string | undefined; owner: string }, budgets: ReadonlyArray<{ ruleId: string; limit: number }>): BudgetOutcome;
  /** Forgets a session (DELETE). */
  end(server: string, sessionId: string): void;
}

/**
 * An in-process registry; sessions idle for `idleMs` are forgotten, at most `maxSessions` are kept (oldest first out).
 * A session the gateway does not know (after a restart) is adopted by its next caller; budgets restart with it.
 * Calls without a session (stateless servers) count against one budget per caller and server.
 */
export function createSessionRegistry(options: { now: () => number; idleMs?: number; maxSessions?: number }): SessionRegistry {
  const sessions = new Map<string, SessionInfo>();
  const idleMs = options.idleMs ?? 24 * 3600_000;
  const maxSessions = options.maxSessions ?? 50_000;
  const keyOf = (server: string, sessionId: string): string => `${server}\u0000${sessionId}`;
  function touch(key: string, server: string, owner: string): SessionInfo {
    const at = options.now();
    let s = sessions.get(key);
    if (s !== undefined && at - s.lastSeen > idleMs) { sessions.delete(key); s = undefined; }
    if (s === undefined) {
      s = { server, owner, lastSeen: at, calls: new Map() };
      while (sessions.size >= maxSessions) sessions.delete(sessions.keys().next().value!);
    } else sessions.delete(key);
    s.lastSeen = at;
    sessions.set(key, s);
    return s;
  }
  return {
    claim(server, sessionId, owner) {
      const existing = sessions.get(keyOf(server, sessionId));
      if (existing !== undefined && existing.owner !== owner && options.now() - existing.lastSeen <= idleMs) return 'foreign';
      touch(keyOf(server, sessionId), server, owner);
      return 'ok';
    },
    get: (server, sessionId) => sessions.get(keyOf(server, sessionId)),
    take(key, budgets) {
      if (budgets.length === 0) return { ok: true };
      const s = touch(keyOf(key.server, key.sessionId ?? `no-session:${key.owner}`), key.server, key.owner);
      for (const b of budgets) {
        const used = s.calls.get(b.ruleId) ?? 0;
        if (used >= b.limit) return { ok: false, ruleId: b.ruleId, used, limit: b.limit };
      }
      for (const b of budgets) s.calls.set(b.ruleId, (s.calls.get(b.ruleId) ?? 0) + 1);
      const first = budgets[0]!;
      return { ok: true, counted: { ruleId: first.ruleId, used: s.calls.get(first.ruleId)!, limit: first.limit } };
    },
    end(server, sessionId) { sessions.delete(keyOf(server, sessionId)); },
  };
}
