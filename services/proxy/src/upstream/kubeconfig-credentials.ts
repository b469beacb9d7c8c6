import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type https from 'node:https';
import { KubeConfig, bufferFromFileOrString, type Cluster, type User } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { AppError, ErrorCodes } from '@auditgate/shared';
import { createRefreshingValue, type Fresh } from './refreshing-value.js';
import type { UpstreamCredentials, UpstreamTarget } from './upstream-credentials.js';

/** Options for {@link createKubeconfigCredentials}: exactly one of `kubeconfigPath` and `kubeconfigYaml`. */
export interface KubeconfigCredentialsOptions {
  readonly kubeconfigPath?: string;
  readonly kubeconfigYaml?: string;
  /** Context to use instead of `current-context`. */
  readonly context?: string;
  readonly now?: () => number;
  /** How often a `tokenFile` is re-read, and exec / auth-provider credentials re-checked (default 60 s). */
  readonly reloadMs?: number;
}

/**
 * Upstream credentials from a kubeconfig (via @kubernetes/client-node): token, tokenFile (re-read), basic auth,
 * client certificate/key (data or file), CA (data or file), insecure-skip-tls-verify, tls-server-name, and exec /
 * auth-provider plugins. Loads the credential once before returning, so configuration errors surface at start.
 */
export async function createKubeconfigCredentials(options: KubeconfigCredentialsOptions): Promise<UpstreamCredentials> {
  const now = options.now ?? Date.now;
  const reloadMs = options.reloadMs ?? 60_000;
  const { kc, rawUser, baseDir } = loadKubeConfig(options);
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (cluster === null || user === null) {
    throw configError(`kubeconfig context "${kc.getCurrentContext()}" has no cluster or no user`);
  }
  let server: URL;
  try {
    server = new URL(cluster.server);
  } catch (cause) {
    throw configError(`kubeconfig cluster "${cluster.name}" has an invalid server "${cluster.server}"`, cause);
  }

  const tls = readTls(cluster, user);
  const tokenFile = rawTokenFile(rawUser, baseDir);
  const usesPlugin = Boolean(user.exec) || Boolean(user.authProvider);
  let kind: string;
  let load: (() => Promise<Fresh<string | undefined>>) | undefined;
  let fixed: string | undefined;
  if (tokenFile !== undefined) {
    kind = `token file ${tokenFile}`;
    load = async () => {
      const token = (await readFile(tokenFile, 'utf8')).trim();
      if (token === '') throw new Error(`token file ${tokenFile} is empty`);
      return fresh(`Bearer ${token}`, now(), reloadMs);
    };
  } else if (usesPlugin) {
    kind = user.exec ? `exec plugin ${String((user.exec as { command?: unknown }).command)}` : 'auth provider';
    load = async () => {
      const opts: https.RequestOptions = { headers: {} };
      await kc.applyToHTTPSOptions(opts);
      const header = (opts.headers as Record<string, unknown> | undefined)?.['Authorization'];
      // client-node re-runs the plugin only once its credential expired, so look again often; it is cheap while cached.
      return fresh(typeof header === 'string' ? header : undefined, now(), Math.min(reloadMs, 10_000));
    };
  } else if (user.token) {
    kind = 'bearer token';
    fixed = `Bearer ${user.token}`;
  } else if (user.username) {
    kind = 'basic auth';
    fixed = `Basic ${Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64')}`;
  } else if (tls.cert !== undefined && tls.key !== undefined) {
    kind = 'client certificate';
  } else {
    throw configError(`kubeconfig user "${user.name}" has no usable credential`);
  }

  const value = load === undefined ? undefined : createRefreshingValue({ load, now, what: `kubeconfig ${kind}` });
  if (value !== undefined) await value.get();
  const fixedPromise = Promise.resolve(fixed);
  const target: UpstreamTarget = {
    server,
    tls,
    identityDescription: `kubeconfig user "${user.name}" (${kind}) on cluster "${cluster.name}" ${server.origin}`,
  };

  return {
    mode: 'kubeconfig',
    target: () => target,
    authorization: () => (value === undefined ? fixedPromise : value.get()),
    describe: () => ({ mode: 'kubeconfig', identity: user.name }),
    close: async () => value?.close(),
  };
}

function loadKubeConfig(options: KubeconfigCredentialsOptions): { kc: KubeConfig; rawUser: unknown; baseDir: string | undefined } {
  const { kubeconfigPath, kubeconfigYaml, context } = options;
  if ((kubeconfigPath === undefined) === (kubeconfigYaml === undefined)) {
    throw configError('exactly one of kubeconfigPath and kubeconfigYaml is required');
  }
  const kc = new KubeConfig();
  let raw: unknown;
  try {
    const text = kubeconfigYaml ?? readFileSync(kubeconfigPath ?? '', 'utf8');
    kc.loadFromString(text);
    // Same as KubeConfig.loadFromFile; parsed again here only to see fields client-node drops (tokenFile).
    if (kubeconfigPath !== undefined) kc.makePathsAbsolute(path.dirname(kubeconfigPath));
    raw = parseYaml(text);
  } catch (cause) {
    throw configError(`cannot load kubeconfig ${kubeconfigPath ?? '(inline)'}`, cause);
  }
  if (context !== undefined) {
    if (kc.getContextObject(context) === null) throw configError(`kubeconfig has no context "${context}"`);
    kc.setCurrentContext(context);
  }
  const userName = kc.getCurrentUser()?.name;
  const users = (raw as { users?: unknown } | null)?.users;
  const entry = Array.isArray(users)
    ? (users as { name?: unknown; user?: unknown }[]).find((u) => u?.name === userName)
    : undefined;
  return { kc, rawUser: entry?.user, baseDir: kubeconfigPath === undefined ? undefined : path.dirname(kubeconfigPath) };
}

/** The `tokenFile` (kubectl spelling) or `token-file` of the raw user entry, made absolute against the kubeconfig. */
function rawTokenFile(rawUser: unknown, baseDir: string | undefined): string | undefined {
  if (rawUser === null || typeof rawUser !== 'object') return undefined;
  const record = rawUser as Record<string, unknown>;
  const file = record['tokenFile'] ?? record['token-file'];
  if (typeof file !== 'string' || file === '') return undefined;
  return baseDir === undefined || path.isAbsolute(file) ? file : path.join(baseDir, file);
}

function readTls(cluster: Cluster, user: User): UpstreamTarget['tls'] {
  const tls: UpstreamTarget['tls'] = { rejectUnauthorized: !cluster.skipTLSVerify };
  try {
    const ca = bufferFromFileOrString(cluster.caFile, cluster.caData);
    const cert = bufferFromFileOrString(user.certFile, user.certData);
    const key = bufferFromFileOrString(user.keyFile, user.keyData);
    if (ca !== null) tls.ca = ca;
    if (cert !== null) tls.cert = cert;
    if (key !== null) tls.key = key;
  } catch (cause) {
    throw configError(`cannot read TLS files of kubeconfig cluster "${cluster.name}" / user "${user.name}"`, cause);
  }
  if (cluster.tlsServerName) tls.servername = cluster.tlsServerName;
  return tls;
}

function fresh<T>(value: T, at: number, reloadMs: number): Fresh<T> {
  // Reload in the background after reloadMs; keep serving the old value for another reloadMs if that fails.
  return { value, refreshAt: at + reloadMs, expiresAt: at + 2 * reloadMs };
}

function configError(message: string, cause?: unknown): AppError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new AppError(`${message}${detail}`, { code: ErrorCodes.CONFIG_INVALID, cause });
}
