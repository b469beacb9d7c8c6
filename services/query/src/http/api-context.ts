import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError, ErrorCodes } from '@auditgate/shared';
import { hasRole, type Role } from '../auth/roles.js';

/** The verified analyst behind a request. */
export interface Caller {
  readonly username: string;
  readonly issuer: string;
  readonly groups: string[];
  readonly roles: Role[];
}

/** Per-request facts the audit record needs, filled in by handlers. */
export interface CallFacts { results?: number; format?: string }

/** The verified caller of an `/api/v1` request (set by the authentication middleware). */
export function callerOf(res: Response): Caller {
  const caller = res.locals['caller'] as Caller | undefined;
  if (caller === undefined) throw new AppError('no caller on an authenticated route', { code: ErrorCodes.INTERNAL });
  return caller;
}

/** Mutable facts of the current call (result count, export format) for its audit record. */
export function factsOf(res: Response): CallFacts {
  res.locals['facts'] ??= {};
  return res.locals['facts'] as CallFacts;
}

/** Middleware answering 403 unless the caller holds `role` (or a stronger one). */
export function requireRole(role: Role): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    if (hasRole(callerOf(res).roles, role)) { next(); return; }
    next(new AppError(`this call needs the ${role} role`, { code: ErrorCodes.FORBIDDEN, status: 403 }));
  };
}
