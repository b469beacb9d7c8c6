import type { RequestInfo } from '../classify/index.js';

/** The resource hint masking uses for a request's bodies: `secrets`, or with the subresource (`serviceaccounts/token`). */
export function maskHint(info: RequestInfo): string | undefined {
  if (info.resource === '') return undefined;
  return info.subresource === '' ? info.resource : `${info.resource}/${info.subresource}`;
}
