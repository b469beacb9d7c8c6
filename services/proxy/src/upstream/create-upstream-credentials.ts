import type { EksCredentialsOptions } from './eks-credentials.js';
import type { InClusterCredentialsOptions } from './in-cluster-credentials.js';
import type { KubeconfigCredentialsOptions } from './kubeconfig-credentials.js';
import type { UpstreamCredentials } from './upstream-credentials.js';

/** How the gateway authenticates to the API server: one of the three modes with that mode's options. */
export type UpstreamConfig =
  | ({ readonly mode: 'kubeconfig' } & KubeconfigCredentialsOptions)
  | ({ readonly mode: 'in-cluster' } & InClusterCredentialsOptions)
  | ({ readonly mode: 'eks' } & EksCredentialsOptions);

/** Creates the {@link UpstreamCredentials} of `config.mode`, loaded and ready (first credential already obtained). */
export function createUpstreamCredentials(config: UpstreamConfig): Promise<UpstreamCredentials> {
  switch (config.mode) {
    // Each mode's module is loaded only when used: the AWS SDK and client-node are large, and memory is a target.
    case 'kubeconfig':
      return import('./kubeconfig-credentials.js').then((m) => m.createKubeconfigCredentials(config));
    case 'in-cluster':
      return import('./in-cluster-credentials.js').then((m) => m.createInClusterCredentials(config));
    case 'eks':
      return import('./eks-credentials.js').then((m) => m.createEksCredentials(config));
  }
}
