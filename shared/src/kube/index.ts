/** Kubernetes API server connections: kubeconfig contexts and rotating token files (`@auditgate/shared/kube`). */
export type { ApiServerConnection, ApiServerTarget, ApiServerTls } from './api-server-connection.js';
export { createTokenFile, type TokenFile, type TokenFileOptions } from './token-file.js';
export { bearerHeader } from './bearer-header.js';
export { createKubeconfigConnection, type KubeconfigConnection, type KubeconfigConnectionOptions } from './kubeconfig-connection.js';
