import type { ErrorRequestHandler } from 'express';
import { ErrorCodes, isAppError, type Logger } from '@auditgate/shared';

/** The one error middleware: AppError → `{ error: { code, message, parameter? } }` with its status; logs only 5xx. */
export function createErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    res.locals['error'] = error;
    const bodyError = (error as { type?: string; status?: number }).type === 'entity.parse.failed';
    const app = isAppError(error) ? error : undefined;
    const status = app?.status ?? (bodyError ? 400 : (error as { status?: number }).status === 413 ? 413 : 500);
    const code = app?.code ?? (status === 400 ? ErrorCodes.BAD_REQUEST : status === 413 ? ErrorCodes.PAYLOAD_TOO_LARGE : ErrorCodes.INTERNAL);
    if (status >= 500) logger.error({ err: error, path: req.path, code }, 'request failed');
    if (res.headersSent) { res.destroy(); return; }
    const parameter = app?.details['parameter'] ?? (bodyError ? 'body' : undefined);
    const message = status >= 500 && app === undefined ? 'internal error' : (error as Error).message;
    res.status(status).json({ error: { code, message, ...(parameter === undefined ? {} : { parameter }) } });
  };
}
