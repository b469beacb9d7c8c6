import { createRemoteJWKSet, customFetch, errors, type CryptoKey, type FlattenedJWSInput, type JWSHeaderParameters, type RemoteJWKSet } from 'jose';
import type { Logger } from '../logging/create-logger.js';
import { createTokenFile } from '../kube/token-file.js';
import { authError } from './auth-error.js';
import type { IssuerFetch } from './issuer-fetch.js';
import type { TrustedIssuer } from './types.js';

/** Signing keys of one issuer, found through OIDC discovery and its JWKS. */
export interface IssuerKeys {
  /** jose key resolver: the public key for the token's header; rejects with a 401 AppError (`unknown_kid`, `jwks_unreachable`). */
  getKey(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey>;
}

/** Dependencies of {@link createIssuerKeys}. */
export interface IssuerKeysDeps {
  fetch: IssuerFetch;
  now: () => number;
  fetchTimeoutMs: number;
  jwksCacheMaxAgeMs: number;
  jwksCooldownMs: number;
  discoveryMaxAgeMs: number;
  logger?: Logger | undefined;
}

interface Discovered { jwksUri: string; jwks: RemoteJWKSet; refreshAt: number }

const DISCOVERY_RETRY_MS = 60_000;

/** Discovery document address of `issuer`: on its API server when it has one, else configured or the default. */
export function discoveryUrlOf(issuer: TrustedIssuer): string {
  if (issuer.apiServer !== undefined) return onApiServer(issuer.apiServer.target().server, '.well-known/openid-configuration');
  return issuer.discoveryUrl ?? `${issuer.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

/** `path` under the API server's address (which may itself carry a path prefix). */
function onApiServer(server: URL, path: string): string {
  return new URL(path, server.href.endsWith('/') ? server.href : `${server.href}/`).href;
}

/** Lazily discovers `issuer` (cached, refreshed after `discoveryMaxAgeMs`, retried after a failure) and serves its keys. */
export function createIssuerKeys(issuer: TrustedIssuer, deps: IssuerKeysDeps): IssuerKeys {
  const discoveryUrl = discoveryUrlOf(issuer);
  let current: Discovered | undefined;
  let pending: Promise<Discovered> | undefined;
  // Re-read on each fetch: fetches are rare and projected tokens rotate.
  const tokenFile = issuer.tokenFile === undefined ? undefined : createTokenFile({ path: issuer.tokenFile, reloadMs: 0, what: 'issuer token file' });

  // Only this issuer's discovery URL and the JWKS address its discovery names see the token; never a redirect target
  // (IssuerFetch does not follow redirects). An API-server issuer's credentials are added by its IssuerFetch instead.
  async function withBearer(headers: Headers | Record<string, string> | undefined): Promise<Headers> {
    const out = new Headers(headers);
    if (tokenFile !== undefined) out.set('authorization', `Bearer ${await tokenFile.token()}`);
    return out;
  }

  async function discover(): Promise<Discovered> {
    let doc: unknown;
    try {
      const response = await deps.fetch.fetch(discoveryUrl, { headers: await withBearer({ accept: 'application/json' }) });
      if (response.status !== 200) throw new Error(`discovery answered HTTP ${response.status}`);
      doc = await response.json();
    } catch (cause) {
      throw authError('jwks_unreachable', `discovery for issuer ${issuer.issuer} failed`, cause);
    }
    const fields = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
    if (fields['issuer'] !== issuer.issuer) {
      throw authError('wrong_issuer', `discovery at ${discoveryUrl} names issuer ${String(fields['issuer'])}, not ${issuer.issuer}`);
    }
    // An API server's discovery names its keys at the address it advertises (often inside the cluster's network):
    // the keys are read where the discovery was, at the API server's own /openid/v1/jwks.
    const jwksUri = issuer.apiServer === undefined ? parseJwksUri(fields['jwks_uri'], discoveryUrl) : onApiServer(issuer.apiServer.target().server, 'openid/v1/jwks');
    const refreshAt = deps.now() + deps.discoveryMaxAgeMs;
    if (current?.jwksUri === jwksUri) return { ...current, refreshAt };
    const jwks = createRemoteJWKSet(new URL(jwksUri), {
      timeoutDuration: deps.fetchTimeoutMs,
      cacheMaxAge: deps.jwksCacheMaxAgeMs,
      cooldownDuration: deps.jwksCooldownMs,
      [customFetch]: async (url, init) => deps.fetch.fetch(url, { ...init, headers: await withBearer(init.headers as Headers | Record<string, string> | undefined) }),
    });
    return { jwksUri, jwks, refreshAt };
  }

  function refresh(): Promise<Discovered> {
    pending ??= discover().then(
      (found) => { current = found; return found; },
      (error: unknown) => {
        if (current === undefined) throw error;
        // A stale document beats none: keys keep working through an outage of the discovery endpoint.
        deps.logger?.warn({ issuer: issuer.issuer, err: error }, 'issuer re-discovery failed; keeping the previous JWKS address');
        current = { ...current, refreshAt: deps.now() + Math.min(DISCOVERY_RETRY_MS, deps.discoveryMaxAgeMs) };
        return current;
      },
    ).finally(() => { pending = undefined; });
    return pending;
  }

  async function resolve(): Promise<RemoteJWKSet> {
    if (current === undefined) return (await refresh()).jwks;
    // Re-discovery runs in the background so requests never wait on it once keys are known.
    if (deps.now() >= current.refreshAt) refresh().catch(() => undefined);
    return current.jwks;
  }

  return {
    async getKey(header, token) {
      const jwks = await resolve();
      try {
        return await jwks(header, token);
      } catch (error) {
        if (error instanceof errors.JWKSMultipleMatchingKeys) throw error;
        if (error instanceof errors.JWKSNoMatchingKey) throw authError('unknown_kid', `no key of issuer ${issuer.issuer} matches the token's kid and alg`);
        throw authError('jwks_unreachable', `keys of issuer ${issuer.issuer} unavailable`, error);
      }
    },
  };
}

function parseJwksUri(value: unknown, discoveryUrl: string): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  const plainAllowed = new URL(discoveryUrl).protocol === 'http:';
  if (url === undefined || !(url.protocol === 'https:' || (plainAllowed && url.protocol === 'http:'))) {
    throw authError('jwks_unreachable', `discovery at ${discoveryUrl} has no usable jwks_uri`);
  }
  return url.href;
}
