import { readFileSync } from 'node:fs';
import { AppError, ErrorCodes } from '@auditgate/shared';
import { bearerHeader, createTokenFile } from '@auditgate/shared/kube';
import type { UpstreamCredentials, UpstreamTarget } from './upstream-credentials.js';

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Options for {@link createInClusterCredentials}; host and port come from KUBERNETES_SERVICE_HOST/PORT via config. */
export interface InClusterCredentialsOptions {
  readonly tokenPath?: string;
  readonly caPath?: string;
  readonly host?: string;
  readonly port?: number | string;
  readonly now?: () => number;
  /** How often the projected token is re-read (default 60 s, as client-go does). */
  readonly reloadMs?: number;
}

/**
 * Upstream credentials from the pod's own service account: the mounted CA and the projected token, re-read every
 * `reloadMs` because the kubelet rotates it (a failed re-read keeps the last token one more period). Reads both once
 * before returning, so a missing mount fails at start.
 */
export async function createInClusterCredentials(options: InClusterCredentialsOptions): Promise<UpstreamCredentials> {
  const tokenPath = options.tokenPath ?? `${SA_DIR}/token`;
  const caPath = options.caPath ?? `${SA_DIR}/ca.crt`;
  const now = options.now ?? Date.now;
  const reloadMs = options.reloadMs ?? 60_000;
  const { host, port } = options;
  if (host === undefined || host === '' || port === undefined || port === '') {
    throw new AppError('in-cluster mode needs KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT', {
      code: ErrorCodes.CONFIG_INVALID,
    });
  }
  const server = new URL(`https://${host.includes(':') ? `[${host}]` : host}:${String(port)}`);
  let ca: Buffer;
  try {
    ca = readFileSync(caPath);
  } catch (cause) {
    throw new AppError(`cannot read the service-account CA ${caPath}`, { code: ErrorCodes.CONFIG_INVALID, cause });
  }

  // The one rotating token reader (shared with the indexer and the issuer token); read once here so a missing mount
  // fails at start.
  const tokens = createTokenFile({ path: tokenPath, reloadMs, now });
  const authorization = bearerHeader(tokens);
  // A rotated token names the same service account: described once.
  const identity = serviceAccountOf(await authorization()) ?? 'service account';
  const target: UpstreamTarget = {
    server,
    tls: { ca, rejectUnauthorized: true },
    identityDescription: `in-cluster service account (token ${tokenPath}) at ${server.origin}`,
  };

  return {
    mode: 'in-cluster',
    target: () => target,
    authorization,
    describe: () => ({ mode: 'in-cluster', identity }),
    close: async () => undefined,
  };
}

/** `system:serviceaccount:<ns>:<name>` from a projected token's claims, when it is a JWT that says so. */
function serviceAccountOf(header: string | undefined): string | undefined {
  const payload = header?.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown };
    return typeof claims.sub === 'string' ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}
