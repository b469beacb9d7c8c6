/** Kubernetes API server connections: kubeconfig contexts and rotating token files (`@auditgate/shared/kube`). */
export type { ApiServerConnection, ApiServerTarget, ApiServerTls } from './api-server-connection.js';
export { createTokenFile, type TokenFile, type TokenFileOptions } from './token-file.js';
export { bearerHeader } from './bearer-header.js';
export { createKubeconfigConnection, type KubeconfigConnection, type KubeconfigConnectionOptions } from './kubeconfig-connection.js';
export { GATEWAY_OWN_AUDIT_ID_PREFIX, GATEWAY_OWN_USER_AGENT, isGatewayOwnCall } from './gateway-own-calls.js';
export { CLUSTER_SCOPED_RESOURCES, isClusterWide, resourceKey, type RequestScopeInput } from './request-scope.js';
