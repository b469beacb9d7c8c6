export { classifyRequest, type RequestInfo } from './request-info.js';
export { toObjectRef } from './object-ref.js';
export { auditVerb } from './audit-verb.js';
