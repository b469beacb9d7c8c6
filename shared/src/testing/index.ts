export { readStackEnv, type StackEnv } from './stack-env.js';
export { waitFor } from './wait-for.js';
export { uniqueName } from './unique-name.js';
export { readKubeCredentials, kubectl, readApiServerAudit, apiServerAuditSince, jwtId, type ApiServerAuditEvent, type KubeCredentials } from './kube-admin.js';
export { newTestKey, startLocalIssuer, type LocalIssuer, type TestKey } from './local-issuer.js';
