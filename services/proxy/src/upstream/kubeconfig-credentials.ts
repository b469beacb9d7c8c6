import { createKubeconfigConnection, type KubeconfigConnectionOptions } from '@auditgate/shared/kube';
import type { UpstreamCredentials } from './upstream-credentials.js';

/** Options for {@link createKubeconfigCredentials}: exactly one of `kubeconfigPath` and `kubeconfigYaml`. */
export type KubeconfigCredentialsOptions = KubeconfigConnectionOptions;

/**
 * Upstream credentials from a kubeconfig, read by the one kubeconfig reader in `@auditgate/shared/kube` (token,
 * tokenFile re-read, basic auth, client certificate, CA, insecure-skip-tls-verify, tls-server-name, exec and
 * auth-provider plugins). Loads the credential once before returning, so configuration errors surface at start.
 */
export async function createKubeconfigCredentials(options: KubeconfigCredentialsOptions): Promise<UpstreamCredentials> {
  const connection = await createKubeconfigConnection(options);
  return {
    mode: 'kubeconfig',
    target: () => connection.target(),
    authorization: connection.authorization,
    describe: () => ({ mode: 'kubeconfig', identity: connection.userName }),
    close: async () => undefined,
  };
}
