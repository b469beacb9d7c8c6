/** The real kubernetes-mcp-server (the npm package's Go binary) in HTTP mode (Streamable HTTP at /mcp). */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@auditgate/shared/testing';
import { kubernetesMcpServerBinary } from './kubernetes-mcp-session.js';

/** A running kubernetes-mcp-server in HTTP mode. */
export interface KubernetesMcpHttp {
  /** Its Streamable HTTP endpoint. */
  readonly url: string;
  readonly logFile: string;
  stop(): Promise<void>;
}

/** Options of {@link startKubernetesMcpHttp}. */
export interface KubernetesMcpHttpOptions {
  readonly port: number;
  readonly kubeconfig: string;
  /** A folder for its config and log. */
  readonly dir: string;
  readonly name: string;
  /**
   * OAuth required, tokens verified against `issuer`'s discovery and JWKS (over TLS with `caFile`) for `audience`; the
   * MCP request's bearer is then its Kubernetes token. Without it the server is open and uses the kubeconfig's own user.
   */
  readonly oauth?: { readonly issuer: string; readonly audience: string; readonly caFile: string };
  /** Extra environment of the server process (e.g. its client-go rate limit, `KUBE_CLIENT_QPS` / `KUBE_CLIENT_BURST`). */
  readonly env?: Readonly<Record<string, string>>;
}

/** Starts kubernetes-mcp-server on 127.0.0.1:`port` and waits for its /healthz. */
export async function startKubernetesMcpHttp(o: KubernetesMcpHttpOptions): Promise<KubernetesMcpHttp> {
  const toml = join(o.dir, `${o.name}.toml`);
  writeFileSync(toml, o.oauth === undefined ? '' : [
    'require_oauth = true', `authorization_url = "${o.oauth.issuer}"`, `oauth_audience = "${o.oauth.audience}"`,
    `certificate_authority = "${o.oauth.caFile}"`, '',
  ].join('\n'));
  const logFile = join(o.dir, `${o.name}.log`);
  const child = spawn(kubernetesMcpServerBinary(), [
    '--config', toml, '--kubeconfig', o.kubeconfig, '--port', String(o.port), '--bind-address', '127.0.0.1',
    '--log-file', logFile, '--log-level', '6', '--disable-multi-cluster',
  ], { stdio: 'ignore', ...(o.env === undefined ? {} : { env: { ...process.env, ...o.env } }) });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`kubernetes-mcp-server ${o.name} exited (${code}); log: ${logFile}`))));
  exited.catch(() => undefined);
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await Promise.race([gone, new Promise<void>((resolve) => setTimeout(() => { child.kill('SIGKILL'); resolve(); }, 5000).unref())]);
  };
  try {
    await Promise.race([exited, waitFor(`kubernetes-mcp-server ${o.name} /healthz`, async () => {
      try { return (await fetch(`http://127.0.0.1:${o.port}/healthz`)).ok ? true : undefined; } catch { return undefined; }
    }, 60_000, 100)]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${o.port}/mcp`, logFile, stop };
}

/** A kubeconfig for `server` trusting `caFile`, with `token` (or no credential at all). */
export function writeKubeconfig(path: string, server: string, caFile: string, token?: string): string {
  writeFileSync(path, [
    'apiVersion: v1', 'kind: Config',
    `clusters: [{name: c, cluster: {server: "${server}", certificate-authority: "${caFile}"}}]`,
    `users: [{name: u, user: {${token === undefined ? '' : `token: "${token}"`}}}]`,
    'contexts: [{name: c, context: {cluster: c, user: u}}]', 'current-context: c', '',
  ].join('\n'), { mode: 0o600 });
  return path;
}
