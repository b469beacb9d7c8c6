import type { ErrorRequestHandler } from 'express';
import { ErrorCodes, isAppError, type Logger } from '@auditgate/shared';

/** A client error raised by Express or body-parser (http-errors): its 4xx status, else undefined. */
function clientStatus(error: unknown): number | undefined {
  const e = error as { status?: unknown; statusCode?: unknown; expose?: unknown } | null;
  const status = e?.status ?? e?.statusCode;
  const known = e?.expose === true || error instanceof URIError;
  return typeof status === 'number' && status >= 400 && status < 500 && known ? status : undefined;
}

/**
 * The one error middleware: AppError → `{ error: { code, message, parameter? } }` with its status; client errors of
 * Express and body-parser (malformed JSON, undecodable path, unsupported charset, too large) keep their 4xx; anything
 * else is a 500 whose message says nothing of the cause. Logs only 5xx.
 */
export function createErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    res.locals['error'] = error;
    const app = isAppError(error) ? error : undefined;
    const client = app === undefined ? clientStatus(error) : undefined;
    const bodyError = client !== undefined && (error as { type?: string }).type !== undefined;
    const status = app?.status ?? client ?? 500;
    const code = app?.code ?? (status === 413 ? ErrorCodes.PAYLOAD_TOO_LARGE : status < 500 ? ErrorCodes.BAD_REQUEST : ErrorCodes.INTERNAL);
    if (status >= 500) logger.error({ err: error, path: req.path, code }, 'request failed');
    if (res.headersSent) { res.destroy(); return; }
    const parameter = app?.details['parameter'] ?? (bodyError ? 'body' : undefined);
    const message = status >= 500 && app === undefined ? 'internal error' : (error as Error).message;
    res.status(status).json({ error: { code, message, ...(parameter === undefined ? {} : { parameter }) } });
  };
}
