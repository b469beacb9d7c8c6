export type { UpstreamCredentials, UpstreamDescription, UpstreamTarget } from './upstream-credentials.js';
export { createUpstreamCredentials, type UpstreamConfig } from './create-upstream-credentials.js';
export { createKubeconfigCredentials, type KubeconfigCredentialsOptions } from './kubeconfig-credentials.js';
export { createInClusterCredentials, type InClusterCredentialsOptions } from './in-cluster-credentials.js';
export { createEksCredentials, type EksCredentialsOptions } from './eks-credentials.js';
export { buildEksToken, EKS_TOKEN_PREFIX, type EksTokenInput } from './eks-token.js';
