import type { RequestHandler } from 'express';
import { AppError, ErrorCodes, type Logger } from '@auditgate/shared';
import type { OidcVerifier } from '../auth/oidc-verifier.js';
import { resolveRoles } from '../auth/resolve-roles.js';
import type { RoleBinding } from '../config/query-config.js';
import type { Caller } from './api-context.js';

/** Options of {@link authenticate}. */
export interface AuthenticateOptions {
  readonly verifier: OidcVerifier;
  readonly rolesClaim: string;
  readonly bindings: readonly RoleBinding[];
  readonly logger: Logger;
  /** Called for every refused token, so refusals are audited too. */
  readonly onRefused?: (reason: string) => void;
}

/** Middleware: verifies `Authorization: Bearer <JWT>` and sets the {@link Caller} (roles may be empty); 401 otherwise. */
export function authenticate(o: AuthenticateOptions): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer +([^\s]+) *$/i.exec(header);
    const refuse = (reason: string, message: string): void => {
      o.onRefused?.(reason);
      res.setHeader('www-authenticate', 'Bearer realm="auditgate-query"');
      next(new AppError(message, { code: ErrorCodes.UNAUTHENTICATED, status: 401, details: { reason } }));
    };
    if (match === null) { refuse('missing_token', 'a bearer token is required'); return; }
    o.verifier.verify(match[1]!).then((token) => {
      const roles = resolveRoles(token.claims, o.rolesClaim, o.bindings, token.username, token.groups);
      const caller: Caller = { username: token.username, issuer: token.issuer, groups: token.groups, roles };
      res.locals['caller'] = caller;
      next();
    }, (error: unknown) => {
      const reason = String((error as AppError).details?.['reason'] ?? 'invalid');
      o.logger.debug({ reason }, 'analyst token rejected');
      refuse(reason, 'the bearer token is not valid');
    });
  };
}
