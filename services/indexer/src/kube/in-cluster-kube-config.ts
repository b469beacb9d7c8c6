import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { KubeConfig, type User } from '@kubernetes/client-node';
import { AppError, ErrorCodes } from '@auditgate/shared';
import { createTokenFile } from '@auditgate/shared/kube';

/** Where the pod's own service-account credentials are; config fills these from the mount and KUBERNETES_SERVICE_*. */
export interface InClusterKubeOptions {
  readonly tokenPath: string;
  readonly caPath: string;
  readonly host: string;
  readonly port: number | string;
  /** How often the projected token is re-read, in ms (default 60 s, as client-go does). */
  readonly reloadMs?: number;
  readonly now?: () => number;
  /** Called when a token re-read fails (the previous token is kept for one more period). */
  readonly onTokenReloadError?: (error: AppError) => void;
}

// A name no built-in authenticator of @kubernetes/client-node claims (its own `tokenFile` provider re-reads on the
// wall clock only, so rotation could not be tested or tuned).
const AUTH_PROVIDER = 'auditgate-service-account-token';

function readable(path: string, what: string): void {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new AppError(`in-cluster mode: cannot read the service-account ${what} ${path}`, { code: ErrorCodes.CONFIG_INVALID, cause });
  }
  if (content.trim() === '') throw new AppError(`in-cluster mode: the service-account ${what} ${path} is empty`, { code: ErrorCodes.CONFIG_INVALID });
}

/**
 * A KubeConfig for the pod's own service account: `https://host:port` verified against the mounted CA, and the projected
 * token sent as a bearer, re-read every `reloadMs` because the kubelet rotates it. Throws CONFIG_INVALID at once when
 * the host is missing or the CA or token cannot be read, so a missing mount fails at start.
 */
export function createInClusterKubeConfig(options: InClusterKubeOptions): KubeConfig {
  const { host, port, caPath, tokenPath } = options;
  if (host === '' || String(port) === '') {
    throw new AppError('in-cluster mode needs KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT', { code: ErrorCodes.CONFIG_INVALID });
  }
  readable(caPath, 'CA');
  readable(tokenPath, 'token');
  const tokenFile = createTokenFile({
    path: tokenPath,
    ...(options.reloadMs === undefined ? {} : { reloadMs: options.reloadMs }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.onTokenReloadError === undefined ? {} : { onReloadError: options.onTokenReloadError }),
  });
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser(
    { name: 'in-cluster', server: `https://${isIPv6(host) ? `[${host}]` : host}:${String(port)}`, caFile: caPath, skipTLSVerify: false },
    { name: 'in-cluster', authProvider: { name: AUTH_PROVIDER, config: {} } },
  );
  kc.addAuthenticator({
    isAuthProvider: (user: User) => (user.authProvider as { name?: unknown } | undefined)?.name === AUTH_PROVIDER,
    async applyAuthentication(_user, opts) {
      const token = await tokenFile.token();
      opts.headers = { ...opts.headers, Authorization: `Bearer ${token}` };
    },
  });
  return kc;
}
