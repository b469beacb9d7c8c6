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

function queryString(query: NonNullable<HttpRequest['query']>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== null) parts.push(`${rfc3986(key)}=${rfc3986(v)}`);
    }
  }
  return parts.join('&');
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
