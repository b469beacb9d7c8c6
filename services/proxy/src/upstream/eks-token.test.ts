import { it } from 'node:test';
import assert from 'node:assert/strict';
import { buildEksToken } from './eks-token.js';
import { decodeEksToken, sigV4QuerySignatureByHand } from './upstream-test.test-helper.js';

const credentials = {
  accessKeyId: 'ASIAEXAMPLEKEYID0001',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  sessionToken: 'FQoGZXIvYXdzEXAMPLE+/=token',
};
const signingDate = new Date('2026-03-14T15:09:26Z');

/**
 * Known answer: what botocore 1.44.5 (the code behind `aws eks get-token`) prints for these inputs, generated with
 * awscli's STSClientFactory event hooks (x-k8s-aws-id injected before signing) and a frozen clock.
 */
const BOTOCORE_URL =
  'https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256' +
  '&X-Amz-Credential=ASIAEXAMPLEKEYID0001%2F20260314%2Feu-west-1%2Fsts%2Faws4_request&X-Amz-Date=20260314T150926Z' +
  '&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Security-Token=FQoGZXIvYXdzEXAMPLE%2B%2F%3Dtoken' +
  '&X-Amz-Signature=6d2dd8d8dd731627d5b4424dd614d875aad36a7fe3f20dcf03e5500363ce1b44';

it('is byte-identical to the token aws eks get-token (botocore) builds for the same inputs', async () => {
  const token = await buildEksToken({ clusterName: 'prod-cluster', region: 'eu-west-1', credentials, signingDate });
  assert.equal(token, `k8s-aws-v1.${Buffer.from(BOTOCORE_URL).toString('base64url')}`);
  assert.equal(decodeEksToken(token).href, BOTOCORE_URL);
});

it('signs host and x-k8s-aws-id: the signature recomputed by hand matches, and binds the cluster name', async () => {
  const url = decodeEksToken(await buildEksToken({ clusterName: 'c1', region: 'ap-south-1', credentials, signingDate }));
  assert.equal(url.host, 'sts.ap-south-1.amazonaws.com');
  assert.equal(url.searchParams.get('X-Amz-SignedHeaders'), 'host;x-k8s-aws-id');
  const signature = url.searchParams.get('X-Amz-Signature');
  assert.match(signature ?? '', /^[0-9a-f]{64}$/);
  assert.equal(sigV4QuerySignatureByHand(url, { 'x-k8s-aws-id': 'c1' }, credentials.secretAccessKey), signature);
  assert.notEqual(sigV4QuerySignatureByHand(url, { 'x-k8s-aws-id': 'c2' }, credentials.secretAccessKey), signature);
});
