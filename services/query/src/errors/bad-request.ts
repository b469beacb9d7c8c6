import { AppError, ErrorCodes } from '@auditgate/shared';

/** A 400 naming the offending request parameter (shown to the caller as `error.parameter`). */
export function badRequest(parameter: string, message: string): AppError {
  return new AppError(`${parameter}: ${message}`, { code: ErrorCodes.BAD_REQUEST, status: 400, details: { parameter } });
}
