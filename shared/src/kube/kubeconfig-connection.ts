import { readFileSync } from 'node:fs';
import path from 'node:path';
import type https from 'node:https';
import { parse as parseYaml } from 'yaml';
import { AppError } from '../errors/app-error.js';
import { ErrorCodes } from '../errors/codes.js';
import type { ApiServerConnection, ApiServerTarget } from './api-server-connection.js';
import { bearerHeader } from './bearer-header.js';
import { createTokenFile } from './token-file.js';

/** Options of {@link createKubeconfigConnection}: exactly one of `kubeconfigPath` and `kubeconfigYaml`. */
export interface KubeconfigConnectionOptions {
  readonly kubeconfigPath?: string;
  readonly kubeconfigYaml?: string;
  /** Context to use instead of `current-context`. */
  readonly context?: string;
  readonly now?: () => number;
  /** How often a `tokenFile` is re-read, and exec / auth-provider credentials re-checked (default 60 s). */
  readonly reloadMs?: number;
}

/** An API server connection read from a kubeconfig context. */
export interface KubeconfigConnection extends ApiServerConnection {
  /** The kubeconfig user's name (for descriptions; never a secret). */
  readonly userName: string;
  /** The kubeconfig cluster's name. */
  readonly clusterName: string;
}

type Raw = Record<string, unknown>;
const rec = (v: unknown): Raw => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Raw : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The parts of a kubeconfig a connection needs, read with the yaml parser (client-node is loaded only for plugins). */
interface ParsedKubeconfig {
  readonly text: string;
  readonly contextName: string;
  readonly clusterName: string;
  readonly userName: string;
  readonly cluster: Raw;
  readonly user: Raw;
  readonly baseDir: string | undefined;
}

/**
 * The one kubeconfig reader: token, tokenFile (re-read), basic auth, client certificate/key (data or file), CA (data or
 * file), insecure-skip-tls-verify, tls-server-name, and exec / auth-provider plugins (through @kubernetes/client-node,
 * loaded only then: it costs ~85 MB of memory). Obtains the credential once before returning, so configuration errors
 * surface at start (`AUDITGATE_E_CONFIG_INVALID`; an unreadable token file is `AUDITGATE_E_UPSTREAM_UNAVAILABLE`).
 */
export async function createKubeconfigConnection(options: KubeconfigConnectionOptions): Promise<KubeconfigConnection> {
  const now = options.now ?? Date.now;
  const reloadMs = options.reloadMs ?? 60_000;
  const parsed = parseKubeconfig(options);
  const { cluster, user } = parsed;
  let server: URL;
  try {
    server = new URL(str(cluster['server']) ?? '');
  } catch (cause) {
    throw configError(`kubeconfig cluster "${parsed.clusterName}" has an invalid server "${String(cluster['server'])}"`, cause);
  }

  const tls = readTls(parsed);
  const tokenFile = rawTokenFile(user, parsed.baseDir);
  const usesPlugin = user['exec'] !== undefined || user['auth-provider'] !== undefined;
  let kind: string;
  let authorization: () => Promise<string | undefined>;
  if (tokenFile !== undefined) {
    kind = `token file ${tokenFile}`;
    const tokens = createTokenFile({ path: tokenFile, reloadMs, now, what: 'kubeconfig token file' });
    authorization = bearerHeader(tokens);
  } else if (usesPlugin) {
    kind = user['exec'] !== undefined ? `exec plugin ${String(rec(user['exec'])['command'])}` : 'auth provider';
    const kc = await loadClientNode(parsed, options.kubeconfigPath);
    // client-node re-runs the plugin only once its credential expired, so look again often; it is cheap while cached.
    authorization = cachedFor(Math.min(reloadMs, 10_000), now, async () => {
      const opts: https.RequestOptions = { headers: {} };
      try {
        await kc.applyToHTTPSOptions(opts);
      } catch (cause) {
        throw new AppError(`kubeconfig ${kind}: ${(cause as Error).message}`, { code: ErrorCodes.UPSTREAM_UNAVAILABLE, status: 503, retriable: true, cause });
      }
      const header = (opts.headers as Record<string, unknown> | undefined)?.['Authorization'];
      return typeof header === 'string' ? header : undefined;
    });
  } else if (str(user['token']) !== undefined) {
    kind = 'bearer token';
    const fixed = Promise.resolve<string | undefined>(`Bearer ${str(user['token'])}`);
    authorization = () => fixed;
  } else if (str(user['username']) !== undefined) {
    kind = 'basic auth';
    const fixed = Promise.resolve<string | undefined>(`Basic ${Buffer.from(`${str(user['username'])}:${str(user['password']) ?? ''}`).toString('base64')}`);
    authorization = () => fixed;
  } else if (tls.cert !== undefined && tls.key !== undefined) {
    kind = 'client certificate';
    const none = Promise.resolve(undefined);
    authorization = () => none;
  } else {
    throw configError(`kubeconfig user "${parsed.userName}" has no usable credential`);
  }

  await authorization();
  const target: ApiServerTarget = {
    server,
    tls,
    identityDescription: `kubeconfig user "${parsed.userName}" (${kind}) on cluster "${parsed.clusterName}" ${server.origin}`,
  };
  return { target: () => target, authorization, userName: parsed.userName, clusterName: parsed.clusterName };
}

/** Single-flight `load`, its result reused for `ttlMs`; a failure is not reused. */
function cachedFor(ttlMs: number, now: () => number, load: () => Promise<string | undefined>): () => Promise<string | undefined> {
  let value: Promise<string | undefined> | undefined;
  let at = 0;
  return () => {
    if (value === undefined || now() - at >= ttlMs) {
      at = now();
      const loading = load();
      value = loading;
      loading.catch(() => { if (value === loading) value = undefined; });
    }
    return value;
  };
}

function parseKubeconfig(options: KubeconfigConnectionOptions): ParsedKubeconfig {
  const { kubeconfigPath, kubeconfigYaml } = options;
  if ((kubeconfigPath === undefined) === (kubeconfigYaml === undefined)) {
    throw configError('exactly one of kubeconfigPath and kubeconfigYaml is required');
  }
  let text: string;
  let raw: Raw;
  try {
    text = kubeconfigYaml ?? readFileSync(kubeconfigPath ?? '', 'utf8');
    raw = rec(parseYaml(text));
  } catch (cause) {
    throw configError(`cannot load kubeconfig ${kubeconfigPath ?? '(inline)'}`, cause);
  }
  const named = (list: unknown, key: string, name: string | undefined): Raw | undefined =>
    Array.isArray(list) ? (list as unknown[]).map(rec).find((e) => e['name'] === name)?.[key] as Raw | undefined : undefined;
  const contextName = options.context ?? str(raw['current-context']);
  if (contextName === undefined) throw configError('kubeconfig has no current-context');
  const context = named(raw['contexts'], 'context', contextName);
  if (context === undefined) throw configError(`kubeconfig has no context "${contextName}"`);
  const clusterName = str(rec(context)['cluster']);
  const userName = str(rec(context)['user']);
  const cluster = named(raw['clusters'], 'cluster', clusterName);
  const user = named(raw['users'], 'user', userName);
  if (cluster === undefined || user === undefined || clusterName === undefined || userName === undefined) {
    throw configError(`kubeconfig context "${contextName}" has no cluster or no user`);
  }
  return { text, contextName, clusterName, userName, cluster: rec(cluster), user: rec(user), baseDir: kubeconfigPath === undefined ? undefined : path.dirname(kubeconfigPath) };
}

/** @kubernetes/client-node, loaded only for exec and auth-provider plugins, which it knows how to run. */
async function loadClientNode(parsed: ParsedKubeconfig, kubeconfigPath: string | undefined): Promise<{ applyToHTTPSOptions(opts: https.RequestOptions): Promise<void> }> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromString(parsed.text);
  if (kubeconfigPath !== undefined) kc.makePathsAbsolute(path.dirname(kubeconfigPath));
  kc.setCurrentContext(parsed.contextName);
  return kc;
}

/** The `tokenFile` (kubectl spelling) or `token-file` of the raw user entry, made absolute against the kubeconfig. */
function rawTokenFile(record: Raw, baseDir: string | undefined): string | undefined {
  const file = record['tokenFile'] ?? record['token-file'];
  if (typeof file !== 'string' || file === '') return undefined;
  return baseDir === undefined || path.isAbsolute(file) ? file : path.join(baseDir, file);
}

function readTls(parsed: ParsedKubeconfig): ApiServerTarget['tls'] {
  const { cluster, user, baseDir } = parsed;
  const tls: ApiServerTarget['tls'] = { rejectUnauthorized: cluster['insecure-skip-tls-verify'] !== true };
  const fileOrData = (fileKey: string, dataKey: string, from: Raw): Buffer | undefined => {
    const data = str(from[dataKey]);
    if (data !== undefined) return Buffer.from(data, 'base64');
    const file = str(from[fileKey]);
    if (file === undefined) return undefined;
    return readFileSync(baseDir === undefined || path.isAbsolute(file) ? file : path.join(baseDir, file));
  };
  try {
    const ca = fileOrData('certificate-authority', 'certificate-authority-data', cluster);
    const cert = fileOrData('client-certificate', 'client-certificate-data', user);
    const key = fileOrData('client-key', 'client-key-data', user);
    if (ca !== undefined) tls.ca = ca;
    if (cert !== undefined) tls.cert = cert;
    if (key !== undefined) tls.key = key;
  } catch (cause) {
    throw configError(`cannot read TLS files of kubeconfig cluster "${parsed.clusterName}" / user "${parsed.userName}"`, cause);
  }
  const serverName = str(cluster['tls-server-name']);
  if (serverName !== undefined) tls.servername = serverName;
  return tls;
}

function configError(message: string, cause?: unknown): AppError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new AppError(`${message}${detail}`, { code: ErrorCodes.CONFIG_INVALID, cause });
}
