import type { ServerResponse } from 'node:http';

/** Kubernetes `reason` values for the statuses the gateway answers itself. */
const REASONS: Record<number, string> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed', 406: 'NotAcceptable', 408: 'Timeout',
  413: 'RequestEntityTooLarge', 415: 'UnsupportedMediaType', 429: 'TooManyRequests', 500: 'InternalError',
  502: 'ServiceUnavailable', 503: 'ServiceUnavailable', 504: 'Timeout',
};

/** A `meta/v1` Status object, what kubectl and client-go expect in an error body. */
export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  code: number;
  details?: { causes?: Array<{ reason: string; message: string }> };
}

/** Builds a failure Status for `code`, with the Auditgate error code as a cause kubectl prints. */
export function kubeStatus(code: number, message: string, errorCode?: string): KubeStatus {
  return {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message,
    reason: REASONS[code] ?? 'InternalError', code,
    ...(errorCode === undefined ? {} : { details: { causes: [{ reason: errorCode, message }] } }),
  };
}

/** Answers with a Status object (unless headers were already sent, then the connection is cut). */
export function sendStatus(res: ServerResponse, status: KubeStatus, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent) { res.destroy(); return; }
  const body = JSON.stringify(status);
  res.writeHead(status.code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...extraHeaders });
  res.end(body);
}
