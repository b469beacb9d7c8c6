import type { RequestInfo } from './request-info.js';

/**
 * The `verb` of the API server's audit event for this request: RequestInfo's verb, which is the Kubernetes verb for
 * resource requests and the lower-cased HTTP method for the others (empty for a resource request whose method has
 * no Kubernetes verb, e.g. OPTIONS, as the API server records it).
 */
export function auditVerb(info: RequestInfo): string {
  return info.verb;
}
