import { createEksCredentials, type EksCredentialsOptions } from './eks-credentials.js';
import { createInClusterCredentials, type InClusterCredentialsOptions } from './in-cluster-credentials.js';
import { createKubeconfigCredentials, type KubeconfigCredentialsOptions } from './kubeconfig-credentials.js';
import type { UpstreamCredentials } from './upstream-credentials.js';

/** How the gateway authenticates to the API server: one of the three modes with that mode's options. */
export type UpstreamConfig =
  | ({ readonly mode: 'kubeconfig' } & KubeconfigCredentialsOptions)
  | ({ readonly mode: 'in-cluster' } & InClusterCredentialsOptions)
  | ({ readonly mode: 'eks' } & EksCredentialsOptions);

/** Creates the {@link UpstreamCredentials} of `config.mode`, loaded and ready (first credential already obtained). */
export function createUpstreamCredentials(config: UpstreamConfig): Promise<UpstreamCredentials> {
  switch (config.mode) {
    case 'kubeconfig':
      return createKubeconfigCredentials(config);
    case 'in-cluster':
      return createInClusterCredentials(config);
    case 'eks':
      return createEksCredentials(config);
  }
}
