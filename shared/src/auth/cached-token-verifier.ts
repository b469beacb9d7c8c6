import type { TokenVerifier, VerifiedIdentity } from './types.js';

/** Options for {@link createCachedTokenVerifier}. */
export interface CachedTokenVerifierOptions {
  /** Most tokens remembered; the least recently used is forgotten beyond it. Default 10 000. */
  readonly maxEntries?: number;
  /** How long a verification is reused, at most (never past the token's own expiry). Default 60 s. */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

interface Entry { readonly identity: VerifiedIdentity; readonly until: number }

/**
 * Remembers successful verifications, so a client that reuses its token (every kubectl and client-go does) pays for
 * the signature check once a minute instead of on every request. Failures are never cached; a remembered token
 * is still refused once it expires.
 */
export function createCachedTokenVerifier(inner: TokenVerifier, options: CachedTokenVerifierOptions = {}): TokenVerifier {
  const maxEntries = options.maxEntries ?? 10_000;
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  return {
    async verify(token: string): Promise<VerifiedIdentity> {
      const at = now();
      const hit = entries.get(token);
      if (hit !== undefined) {
        entries.delete(token);
        if (hit.until > at) {
          entries.set(token, hit);
          return hit.identity;
        }
      }
      const identity = await inner.verify(token);
      entries.set(token, { identity, until: Math.min(at + maxAgeMs, identity.expiresAt) });
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      return identity;
    },
    async close(): Promise<void> {
      entries.clear();
      await inner.close();
    },
  };
}
