import { AssumeRoleCommand, STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { createRefreshingValue, type Fresh } from './refreshing-value.js';
import { buildEksToken } from './eks-token.js';
import type { UpstreamCredentials, UpstreamTarget } from './upstream-credentials.js';

/** An EKS token is accepted for 15 minutes after its X-Amz-Date. */
const TOKEN_TTL_MS = 15 * 60_000;
/** Stop using a token or role credentials this long before they expire (clock skew, request latency). */
const EXPIRY_MARGIN_MS = 30_000;
/** Re-assume the role this long before its credentials expire. */
const ROLE_REFRESH_BEFORE_MS = 5 * 60_000;

/** Options for {@link createEksCredentials}. */
export interface EksCredentialsOptions {
  readonly clusterName: string;
  readonly region: string;
  /** Role Y: the role mapped to a Kubernetes identity by the cluster's access entries / aws-auth. */
  readonly roleArn: string;
  readonly roleSessionName?: string;
  readonly externalId?: string;
  /** Lifetime requested for the role session (default 3600 s; minimum 900). */
  readonly durationSeconds?: number;
  /** The EKS API server endpoint. */
  readonly server: URL;
  /** The cluster CA (certificateAuthority.data, decoded). */
  readonly ca?: Buffer;
  /** STS endpoint for AssumeRole (e.g. moto); the token itself always names sts.<region>.amazonaws.com. */
  readonly stsEndpoint?: string;
  /** Credentials of Role X, the gateway's own identity; default: the SDK's default provider chain. */
  readonly baseCredentials?: AwsCredentialIdentityProvider;
  readonly now?: () => number;
  /** Refresh the token this long before its 15-minute expiry (default 60 s), minus up to 30 s of jitter. */
  readonly refreshBeforeMs?: number;
  /** Source of jitter in [0, 1) (default Math.random). */
  readonly random?: () => number;
  /** Called with each failed background refresh (the last token stays in use while valid). */
  readonly onBackgroundError?: (error: unknown) => void;
}

interface RoleSession {
  readonly credentials: AwsCredentialIdentity;
  readonly assumedRoleId: string | undefined;
  readonly arn: string | undefined;
  readonly expiresAt: number;
}

/**
 * EKS upstream credentials: AssumeRole from Role X into Role Y, then presigned-GetCallerIdentity bearer tokens,
 * cached and refreshed in the background before their 15-minute expiry (and the role session re-assumed before
 * it expires). Obtains the first token before returning, so STS or role problems surface at start.
 */
export async function createEksCredentials(options: EksCredentialsOptions): Promise<UpstreamCredentials> {
  const { clusterName, region, roleArn } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const refreshBeforeMs = options.refreshBeforeMs ?? 60_000;
  const durationSeconds = options.durationSeconds ?? 3600;
  const config: STSClientConfig = { region, maxAttempts: 3 };
  if (options.stsEndpoint !== undefined) config.endpoint = options.stsEndpoint;
  if (options.baseCredentials !== undefined) config.credentials = options.baseCredentials;
  const sts = new STSClient(config);
  const backgroundError = options.onBackgroundError;

  const role = createRefreshingValue<RoleSession>({
    what: `AssumeRole ${roleArn}`,
    now,
    timer: false,
    load: async (): Promise<Fresh<RoleSession>> => {
      const startedAt = now();
      const out = await sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: options.roleSessionName ?? 'auditgate-gateway',
          DurationSeconds: durationSeconds,
          ...(options.externalId === undefined ? {} : { ExternalId: options.externalId }),
        }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('AssumeRole returned no credentials');
      // STS issues exactly the requested duration (or refuses); counting from our own clock avoids clock skew.
      const expiresAt = startedAt + durationSeconds * 1000;
      const session: RoleSession = {
        credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
        assumedRoleId: out.AssumedRoleUser?.AssumedRoleId,
        arn: out.AssumedRoleUser?.Arn,
        expiresAt,
      };
      return {
        value: session,
        refreshAt: expiresAt - Math.min(ROLE_REFRESH_BEFORE_MS, (durationSeconds * 1000) / 3),
        expiresAt: expiresAt - EXPIRY_MARGIN_MS,
      };
    },
  });

  /** The role session to sign with: renewed first when due, the old one kept while valid if renewal fails. */
  const currentSession = async (): Promise<RoleSession> => {
    const entry = role.peek();
    if (entry !== undefined && now() < entry.refreshAt) return entry.value;
    try {
      return await role.refresh();
    } catch (error) {
      if (entry === undefined || now() >= entry.expiresAt) throw error;
      backgroundError?.(error);
      return entry.value;
    }
  };

  const token = createRefreshingValue<string>({
    what: `EKS token for cluster ${clusterName}`,
    now,
    ...(backgroundError === undefined ? {} : { onBackgroundError: backgroundError }),
    load: async (): Promise<Fresh<string>> => {
      const session = await currentSession();
      const signedAt = now();
      const value = await buildEksToken({ clusterName, region, credentials: session.credentials, signingDate: new Date(signedAt) });
      const validUntil = Math.min(signedAt + TOKEN_TTL_MS, session.expiresAt);
      // Rebuild when the role session is due for renewal, but not more often than every 5 s if renewal keeps failing.
      const roleRefreshAt = Math.max(role.peek()?.refreshAt ?? validUntil, signedAt + 5_000);
      return {
        value: `Bearer ${value}`,
        refreshAt: Math.min(signedAt + TOKEN_TTL_MS - refreshBeforeMs - random() * 30_000, roleRefreshAt),
        expiresAt: validUntil - EXPIRY_MARGIN_MS,
      };
    },
  });

  try {
    await token.get();
  } catch (error) {
    sts.destroy();
    throw error;
  }
  const target: UpstreamTarget = {
    server: options.server,
    tls: { ...(options.ca === undefined ? {} : { ca: options.ca }), rejectUnauthorized: true },
    identityDescription: `EKS cluster "${clusterName}" (${region}) as role ${roleArn}`,
  };
  let closed = false;

  return {
    mode: 'eks',
    target: () => target,
    authorization: () => token.get(),
    describe: () => {
      const session = role.peek()?.value;
      return {
        mode: 'eks',
        roleArn,
        ...(session?.assumedRoleId === undefined ? {} : { assumedRoleId: session.assumedRoleId }),
        ...(session?.arn === undefined ? {} : { identity: session.arn }),
      };
    },
    close: async () => {
      if (closed) return;
      closed = true;
      token.close();
      role.close();
      sts.destroy();
    },
  };
}
