import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { AppError, isAppError } from '../errors/app-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { authError } from './auth-error.js';
import { createIssuerFetch, type IssuerFetch } from './issuer-fetch.js';
import { createIssuerKeys, type IssuerKeys } from './issuer-keys.js';
import { mapIdentity } from './map-identity.js';
import type { TokenVerifier, TokenVerifierOptions, TrustedIssuer, VerifiedIdentity } from './types.js';

const DEFAULT_ALGORITHMS = ['RS256', 'ES256'];
// HMAC "verified" with a public key as the secret is a classic forgery; unsigned tokens are no tokens.
const FORBIDDEN_ALGORITHM = /^(none|HS\d+)$/i;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

interface IssuerEntry { config: TrustedIssuer; algorithms: string[]; clockTolerance: number; keys: IssuerKeys; fetch: IssuerFetch }

/**
 * The one verifier of bearer JWTs (the proxy's callers, the query service's analysts): from `options.issuers`, through
 * OIDC discovery + JWKS (keys rotate without restart), or through a cluster's own API server for an issuer with
 * `apiServer`. Format, size and algorithm are checked before any network access; issuer, audience, times and the
 * claims' shape after the signature.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const now = options.now ?? Date.now;
  const maxTokenBytes = options.maxTokenBytes ?? 16 * 1024;
  const fetchTimeoutMs = options.fetchTimeoutMs ?? 5000;
  const logger = options.logger;
  const entries = new Map<string, IssuerEntry>();
  for (const config of options.issuers) {
    const algorithms = checkIssuer(config, entries);
    const fetch = createIssuerFetch({
      timeoutMs: fetchTimeoutMs,
      ...(config.caFile === undefined ? {} : { caFile: config.caFile }),
      ...(config.apiServer === undefined ? {} : { apiServer: config.apiServer }),
      ...(options.fetch === undefined ? {} : { baseFetch: options.fetch }),
    });
    const keys = createIssuerKeys(config, {
      fetch, now, fetchTimeoutMs, logger,
      jwksCacheMaxAgeMs: options.jwksCacheMaxAgeMs ?? 10 * 60_000,
      jwksCooldownMs: options.jwksCooldownMs ?? 30_000,
      discoveryMaxAgeMs: options.discoveryMaxAgeMs ?? 60 * 60_000,
    });
    entries.set(config.issuer, { config, algorithms, clockTolerance: config.clockToleranceSec ?? 30, keys, fetch });
  }
  let closing: Promise<void> | undefined;

  async function verify(token: string): Promise<VerifiedIdentity> {
    if (typeof token !== 'string' || token === '') throw authError('missing_token', 'no token');
    if (Buffer.byteLength(token, 'utf8') > maxTokenBytes) throw authError('too_large', `token exceeds ${maxTokenBytes} bytes`);
    if (!COMPACT_JWS.test(token)) throw authError('malformed', 'not a compact JWS (three base64url parts)');
    let header: ProtectedHeaderParameters;
    let unverified: JWTPayload;
    try {
      header = decodeProtectedHeader(token);
      unverified = decodeJwt(token);
    } catch {
      throw authError('malformed', 'header or claims are not base64url JSON objects');
    }
    const alg = header.alg;
    if (typeof alg !== 'string' || FORBIDDEN_ALGORITHM.test(alg)) throw authError('alg_not_allowed', `algorithm ${String(alg)} is never accepted`);
    // Every allowed algorithm signs: an empty signature is malformed, refused before any key is fetched.
    if (token.endsWith('.')) throw authError('malformed', 'the token has no signature');
    if (typeof unverified.iss !== 'string') throw authError('missing_claim', 'the token has no "iss" claim');
    // The unverified iss only routes to a key set; every claim is checked again after the signature.
    const entry = entries.get(unverified.iss);
    if (entry === undefined) throw authError('unknown_issuer', 'the token\'s issuer is not trusted');
    if (!entry.algorithms.includes(alg)) throw authError('alg_not_allowed', `algorithm ${alg} is not allowed for issuer ${entry.config.issuer}`);
    const currentDate = new Date(now());
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, (h, t) => entry.keys.getKey(h, t), {
        issuer: entry.config.issuer,
        audience: entry.config.audiences,
        algorithms: entry.algorithms,
        clockTolerance: entry.clockTolerance,
        currentDate,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw toAuthError(error);
    }
    if (typeof payload.iat === 'number' && payload.iat > currentDate.getTime() / 1000 + entry.clockTolerance) {
      throw authError('not_yet_valid', 'the token was issued in the future');
    }
    return mapIdentity(entry.config, payload);
  }

  return {
    async verify(token) {
      try {
        return await verify(token);
      } catch (error) {
        logger?.debug({ reason: (error as AppError).details?.['reason'] }, 'bearer token rejected');
        throw error;
      }
    },
    close() {
      closing ??= Promise.allSettled([...entries.values()].map((entry) => entry.fetch.close())).then(() => undefined);
      return closing;
    },
  };
}

function checkIssuer(config: TrustedIssuer, seen: Map<string, IssuerEntry>): string[] {
  const problems: string[] = [];
  if (typeof config.issuer !== 'string' || config.issuer === '') problems.push('issuer is empty');
  if (seen.has(config.issuer)) problems.push('issuer is listed twice');
  if (!Array.isArray(config.audiences) || config.audiences.length === 0) problems.push('audiences is empty');
  if (config.kind !== 'serviceaccount' && config.kind !== 'oidc') problems.push(`kind ${String(config.kind)} is unknown`);
  const algorithms = config.algorithms ?? DEFAULT_ALGORITHMS;
  if (algorithms.length === 0) problems.push('algorithms is empty');
  if (config.apiServer !== undefined && (config.caFile !== undefined || config.tokenFile !== undefined || config.discoveryUrl !== undefined)) {
    problems.push('an issuer reached through its API server takes no caFile, tokenFile or discoveryUrl');
  }
  for (const alg of algorithms) if (FORBIDDEN_ALGORITHM.test(alg)) problems.push(`algorithm ${alg} is never allowed`);
  if (problems.length > 0) {
    throw new AppError(`trusted issuer ${String(config.issuer)}: ${problems.join('; ')}`, { code: ErrorCodes.CONFIG_INVALID, details: { problems } });
  }
  return [...algorithms];
}

function toAuthError(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (error instanceof errors.JWTExpired) return authError('expired', 'the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return authError('missing_claim', `the token has no "${error.claim}" claim`);
    if (error.claim === 'aud') return authError('wrong_audience', 'the token is not meant for this audience');
    if (error.claim === 'iss') return authError('wrong_issuer', 'the token\'s issuer does not match');
    if (error.claim === 'nbf') return authError('not_yet_valid', 'the token is not valid yet');
    return authError('invalid_claim', `the token's "${error.claim}" claim is invalid`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return authError('alg_not_allowed', 'the token\'s algorithm is not allowed');
  if (error instanceof errors.JWSSignatureVerificationFailed) return authError('bad_signature', 'the signature does not verify');
  if (error instanceof errors.JWKSNoMatchingKey) return authError('unknown_kid', 'no key matches the token');
  return authError('malformed', 'the token cannot be verified', error);
}
