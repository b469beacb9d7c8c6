/** Spreads requests over several callers and paces each below the policy's per-actor rate, so few cases end as 429s. */
import type { Agent } from './fixtures.js';

/** Hands out a caller with room for `requests` more requests, waiting when every caller is at its pace. */
export interface AgentPool {
  acquire(requests: number): Promise<Agent>;
}

/** Token buckets per agent (`ratePerSecond`, up to `capacity`), the fullest one chosen first. */
export function createAgentPool(agents: readonly Agent[], ratePerSecond: number, capacity: number, now: () => number = Date.now): AgentPool {
  const buckets = agents.map((agent) => ({ agent, tokens: capacity, last: now() }));
  return {
    async acquire(requests) {
      const need = Math.min(Math.max(requests, 1), capacity);
      for (;;) {
        const at = now();
        for (const b of buckets) { b.tokens = Math.min(capacity, b.tokens + ((at - b.last) * ratePerSecond) / 1000); b.last = at; }
        const best = buckets.reduce((a, b) => (b.tokens > a.tokens ? b : a));
        if (best.tokens >= need) { best.tokens -= need; return best.agent; }
        await new Promise((r) => setTimeout(r, Math.ceil(((need - best.tokens) * 1000) / ratePerSecond)));
      }
    },
  };
}
