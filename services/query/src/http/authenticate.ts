import type { Request, RequestHandler } from 'express';
import { decodeJwt } from 'jose';
import { AppError, ErrorCodes, type Logger } from '@auditgate/shared';
import type { TokenVerifier } from '@auditgate/shared/auth';
import { resolveRoles } from '../auth/resolve-roles.js';
import type { RoleBinding } from '../config/query-config.js';
import type { Caller } from './api-context.js';

/** Options of {@link authenticate}. */
export interface AuthenticateOptions {
  readonly verifier: TokenVerifier;
  readonly rolesClaim: string;
  readonly bindings: readonly RoleBinding[];
  readonly logger: Logger;
  /** Called for every refused request, so refusals are counted and audited too (never given the token itself). */
  readonly onRefused?: (refusal: RefusedRequest) => void;
}

/** A request whose bearer token was missing or not valid. */
export interface RefusedRequest {
  readonly reason: string;
  readonly req: Request;
  /** The token's own (unverified) `iss` and `sub`, when it decoded. */
  readonly claimed: { readonly issuer?: string; readonly subject?: string };
}

function claimedBy(token: string | undefined): RefusedRequest['claimed'] {
  if (token === undefined || token.length > 16_384) return {};
  try {
    const { iss, sub } = decodeJwt(token);
    return { ...(typeof iss === 'string' ? { issuer: iss } : {}), ...(typeof sub === 'string' ? { subject: sub } : {}) };
  } catch { return {}; }
}

/**
 * Middleware: verifies `Authorization: Bearer <JWT>` and sets the {@link Caller} (roles may be empty); 401 otherwise,
 * except when the token could not be checked because the cluster cannot be asked (TokenReview unavailable): 503 with
 * `Retry-After`, fail closed like the gateway, so a cluster outage is not mistaken for a bad token.
 */
export function authenticate(o: AuthenticateOptions): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer +([^\s]+) *$/i.exec(header);
    const refuse = (reason: string, message: string): void => {
      o.onRefused?.({ reason, req, claimed: claimedBy(match?.[1]) });
      res.setHeader('www-authenticate', 'Bearer realm="auditgate-query"');
      next(new AppError(message, { code: ErrorCodes.UNAUTHENTICATED, status: 401, details: { reason } }));
    };
    if (match === null) { refuse('missing_token', 'a bearer token is required'); return; }
    o.verifier.verify(match[1]!).then((token) => {
      const roles = resolveRoles(token.claims, o.rolesClaim, o.bindings, token);
      const caller: Caller = { username: token.username, issuer: token.issuer, groups: token.groups, roles };
      res.locals['caller'] = caller;
      next();
    }, (error: unknown) => {
      const reason = String((error as AppError).details?.['reason'] ?? 'invalid');
      if (reason === 'token_review_unavailable') {
        o.logger.warn({ reason, err: (error as Error).message }, 'analyst token could not be confirmed: the cluster cannot be asked');
        o.onRefused?.({ reason, req, claimed: claimedBy(match[1]) });
        res.setHeader('retry-after', '5');
        next(new AppError('the bearer token cannot be checked now: its cluster does not answer TokenReview', {
          code: ErrorCodes.UPSTREAM_UNAVAILABLE, status: 503, retriable: true, details: { reason },
        }));
        return;
      }
      o.logger.debug({ reason }, 'analyst token rejected');
      refuse(reason, 'the bearer token is not valid');
    });
  };
}
