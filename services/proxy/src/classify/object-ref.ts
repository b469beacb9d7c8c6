import type { ObjectReference } from '@auditgate/shared';
import type { RequestInfo } from './request-info.js';

/**
 * The `objectRef` the API server writes for this request in its audit event: only resource requests have one,
 * and empty fields are left out (Go's `omitempty`). Fields the API server may later add from a request body
 * (name/namespace of a created object, uid, resourceVersion) are not known here.
 */
export function toObjectRef(info: RequestInfo): ObjectReference | undefined {
  if (!info.isResourceRequest) return undefined;
  const ref: ObjectReference = {};
  if (info.resource !== '') ref.resource = info.resource;
  if (info.namespace !== '') ref.namespace = info.namespace;
  if (info.name !== '') ref.name = info.name;
  if (info.apiGroup !== '') ref.apiGroup = info.apiGroup;
  if (info.apiVersion !== '') ref.apiVersion = info.apiVersion;
  if (info.subresource !== '') ref.subresource = info.subresource;
  return ref;
}
