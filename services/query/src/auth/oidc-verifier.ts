import { createRemoteJWKSet, customFetch, decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { AppError, ErrorCodes } from '@auditgate/shared';
import type { QueryIssuer } from '../config/query-config.js';
import { createCaFetch } from './ca-fetch.js';

/** A verified analyst token: who, from which issuer, and all of its claims (for role mapping). */
export interface VerifiedToken {
  readonly issuer: string;
  readonly username: string;
  readonly groups: string[];
  readonly claims: JWTPayload;
}

/** Verifies analyst bearer tokens against the trusted issuers. */
export interface OidcVerifier {
  /** Resolves the token's identity or rejects with `AUDITGATE_E_UNAUTHENTICATED` (401). */
  verify(token: string): Promise<VerifiedToken>;
}

/** Options of {@link createOidcVerifier}. */
export interface OidcVerifierOptions {
  readonly issuers: readonly QueryIssuer[];
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  readonly fetchTimeoutMs?: number;
  /** How long a discovery document is reused (default 1 hour). */
  readonly discoveryMaxAgeMs?: number;
}

const FORBIDDEN_ALG = /^(none|HS\d+)$/i;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_TOKEN_BYTES = 16 * 1024;

function unauthenticated(reason: string, message: string, cause?: unknown): AppError {
  return new AppError(message, { code: ErrorCodes.UNAUTHENTICATED, status: 401, details: { reason }, ...(cause === undefined ? {} : { cause }) });
}

interface Entry { issuer: QueryIssuer; algorithms: string[]; fetch: typeof fetch; keys?: { jwks: JWTVerifyGetKey; until: number }; pending?: Promise<JWTVerifyGetKey> }

/** A jose verifier with OIDC discovery and a JWKS cache per issuer (keys rotate without restart). */
export function createOidcVerifier(options: OidcVerifierOptions): OidcVerifier {
  const now = options.now ?? Date.now;
  const timeout = options.fetchTimeoutMs ?? 5000;
  const maxAge = options.discoveryMaxAgeMs ?? 3_600_000;
  const entries = new Map<string, Entry>();
  for (const issuer of options.issuers) {
    const fetchFn = issuer.caFile !== undefined ? createCaFetch(issuer.caFile, timeout) : (options.fetch ?? fetch);
    entries.set(issuer.issuer, { issuer, algorithms: issuer.algorithms ?? ['RS256', 'ES256'], fetch: fetchFn });
  }

  async function discover(entry: Entry): Promise<JWTVerifyGetKey> {
    const url = `${entry.issuer.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    let doc: Record<string, unknown>;
    try {
      const response = await entry.fetch(url, { signal: AbortSignal.timeout(timeout), redirect: 'manual' });
      if (response.status !== 200) throw new Error(`discovery answered HTTP ${response.status}`);
      doc = (await response.json()) as Record<string, unknown>;
    } catch (cause) {
      throw unauthenticated('jwks_unreachable', `discovery of issuer ${entry.issuer.issuer} failed`, cause);
    }
    if (doc['issuer'] !== entry.issuer.issuer) throw unauthenticated('wrong_issuer', `discovery names issuer ${String(doc['issuer'])}`);
    const jwksUri = typeof doc['jwks_uri'] === 'string' ? doc['jwks_uri'] : '';
    if (!/^https?:\/\//.test(jwksUri)) throw unauthenticated('jwks_unreachable', `issuer ${entry.issuer.issuer} has no usable jwks_uri`);
    const jwks = createRemoteJWKSet(new URL(jwksUri), {
      timeoutDuration: timeout, cacheMaxAge: 600_000, cooldownDuration: 30_000,
      [customFetch]: (u, init) => entry.fetch(u, init as RequestInit),
    });
    entry.keys = { jwks, until: now() + maxAge };
    return jwks;
  }

  async function keysOf(entry: Entry): Promise<JWTVerifyGetKey> {
    if (entry.keys !== undefined && now() < entry.keys.until) return entry.keys.jwks;
    entry.pending ??= discover(entry).catch((error: unknown) => {
      // A stale key set beats none through an outage of the discovery endpoint.
      if (entry.keys !== undefined) { entry.keys = { ...entry.keys, until: now() + 60_000 }; return entry.keys.jwks; }
      throw error;
    }).finally(() => { delete entry.pending; });
    return entry.pending;
  }

  return {
    async verify(token) {
      if (token === '') throw unauthenticated('missing_token', 'no bearer token');
      if (Buffer.byteLength(token) > MAX_TOKEN_BYTES || !COMPACT_JWS.test(token)) throw unauthenticated('malformed', 'not a compact JWS');
      let alg: unknown;
      let iss: unknown;
      try { alg = decodeProtectedHeader(token).alg; iss = decodeJwt(token).iss; } catch { throw unauthenticated('malformed', 'header or claims are not JSON'); }
      if (typeof alg !== 'string' || FORBIDDEN_ALG.test(alg)) throw unauthenticated('alg_not_allowed', `algorithm ${String(alg)} is never accepted`);
      const entry = typeof iss === 'string' ? entries.get(iss) : undefined;
      if (entry === undefined) throw unauthenticated('unknown_issuer', 'the token\'s issuer is not trusted');
      if (!entry.algorithms.includes(alg)) throw unauthenticated('alg_not_allowed', `algorithm ${alg} is not allowed`);
      const jwks = await keysOf(entry);
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, jwks, {
          issuer: entry.issuer.issuer, audience: entry.issuer.audiences, algorithms: entry.algorithms,
          clockTolerance: 30, currentDate: new Date(now()), requiredClaims: ['exp', 'sub'],
        }));
      } catch (cause) {
        throw unauthenticated((cause as { code?: string }).code ?? 'invalid', `token rejected: ${(cause as Error).message}`, cause);
      }
      const username = payload[entry.issuer.usernameClaim ?? 'sub'];
      if (typeof username !== 'string' || username === '') throw unauthenticated('missing_claim', 'the token has no username claim');
      const rawGroups = payload[entry.issuer.groupsClaim ?? 'groups'];
      const groups = Array.isArray(rawGroups) ? rawGroups.filter((g): g is string => typeof g === 'string') : [];
      return { issuer: entry.issuer.issuer, username, groups, claims: payload };
    },
  };
}
