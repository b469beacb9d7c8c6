import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';

/** Prefix of every EKS bearer token (aws-iam-authenticator's `v1` token format). */
export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';

/** Input of {@link buildEksToken}. */
export interface EksTokenInput {
  readonly clusterName: string;
  readonly region: string;
  readonly credentials: AwsCredentialIdentity;
  readonly signingDate: Date;
}

/**
 * Builds the token `aws eks get-token` prints: a SigV4 query-presigned
 * `GET https://sts.<region>.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15` whose signed headers are
 * `host;x-k8s-aws-id`, expiring in 60 s, as `k8s-aws-v1.` + unpadded base64url of the URL.
 */
export async function buildEksToken(input: EksTokenInput): Promise<string> {
  const hostname = `sts.${input.region}.amazonaws.com`;
  const request = new HttpRequest({
    method: 'GET',
    protocol: 'https:',
    hostname,
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers: { host: hostname, 'x-k8s-aws-id': input.clusterName },
  });
  const signer = new SignatureV4({ service: 'sts', region: input.region, credentials: input.credentials, sha256: Sha256 });
  const signed = await signer.presign(request, { expiresIn: 60, signingDate: input.signingDate });
  const url = `https://${hostname}/?${queryString(signed.query ?? {})}`;
  return EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');
}

/** botocore's order, so the token is byte-identical to what `aws eks get-token` prints for the same inputs. */
const PARAM_ORDER = [
  'Action', 'Version', 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders',
  'X-Amz-Security-Token', 'X-Amz-Signature',
];

function queryString(query: NonNullable<HttpRequest['query']>): string {
  const rank = (key: string): number => {
    const i = PARAM_ORDER.indexOf(key);
    return i === -1 ? PARAM_ORDER.length : i;
  };
  const parts: string[] = [];
  for (const key of Object.keys(query).sort((a, b) => rank(a) - rank(b))) {
    const value = query[key];
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v === 'string') parts.push(`${rfc3986(key)}=${rfc3986(v)}`);
    }
  }
  return parts.join('&');
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
