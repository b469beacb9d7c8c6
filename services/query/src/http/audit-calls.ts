import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { isAppError } from '@auditgate/shared';
import type { AuditLog } from '../access-log/audit-log.js';
import { auditParams, redactTokens } from '../access-log/redact-tokens.js';
import { callerOf, factsOf } from './api-context.js';

/** Dependencies of {@link auditCall}. */
export interface AuditCallDeps {
  readonly log: AuditLog;
  readonly now: () => number;
  readonly newId?: () => string;
  readonly onRecorded?: (route: string, ok: boolean) => void;
}

/**
 * Middleware: writes the call's audit record (who, route, filters) before the handler runs — a 503 when it cannot be
 * written — and adds status, result count and duration once the response is finished or abandoned.
 */
export function auditCall(route: string, deps: AuditCallDeps): RequestHandler {
  return (req, res, next) => {
    const caller = callerOf(res);
    const at = deps.now();
    const id = deps.newId?.() ?? randomUUID();
    const params = { ...auditParams(req.query as Record<string, unknown>), ...auditParams(req.params as Record<string, unknown>) };
    const format = typeof req.query['format'] === 'string' ? redactTokens(req.query['format']).slice(0, 64) : undefined;
    deps.log.begin({
      id, at, username: caller.username, issuer: caller.issuer, roles: caller.roles, method: req.method, route,
      path: redactTokens(req.path).slice(0, 4096), params, outcome: 'started',
      ...(req.ip === undefined ? {} : { sourceIp: req.ip }),
      ...(req.headers['user-agent'] === undefined ? {} : { userAgent: redactTokens(req.headers['user-agent']).slice(0, 512) }),
      ...(format === undefined ? {} : { format }),
    }).then(({ index }) => {
      deps.onRecorded?.(route, true);
      let done = false;
      const finish = (aborted: boolean): void => {
        if (done) return;
        done = true;
        const facts = factsOf(res);
        const error = res.locals['error'] as unknown;
        void deps.log.end(index, id, {
          status: res.statusCode, durationMs: deps.now() - at, completedAt: deps.now(),
          outcome: aborted ? 'aborted' : res.statusCode < 400 ? 'ok' : 'error',
          ...(facts.results === undefined ? {} : { results: facts.results }),
          ...(isAppError(error) ? { errorCode: error.code } : {}),
        });
      };
      res.once('finish', () => finish(false));
      res.once('close', () => finish(!res.writableFinished));
      next();
    }, (error: unknown) => { deps.onRecorded?.(route, false); next(error); });
  };
}
