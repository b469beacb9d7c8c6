import { it } from 'node:test';
import assert from 'node:assert/strict';
import { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { readStackEnv, uniqueName } from '@auditgate/shared/testing';

const stack = readStackEnv(process.env);

it('moto: AssumeRole then GetCallerIdentity shows the assumed-role ARN', async () => {
  const base = new STSClient({
    endpoint: stack.motoUrl, region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  });
  const session = uniqueName('auditgate');
  const roleArn = 'arn:aws:iam::123456789012:role/auditgate-eks-access';
  const assumed = await base.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: session, DurationSeconds: 900 }));
  const creds = assumed.Credentials;
  assert.ok(creds?.AccessKeyId && creds.SecretAccessKey && creds.SessionToken && creds.Expiration);
  assert.equal(assumed.AssumedRoleUser?.Arn, `arn:aws:sts::123456789012:assumed-role/auditgate-eks-access/${session}`);

  const asRole = new STSClient({
    endpoint: stack.motoUrl, region: 'us-east-1',
    credentials: { accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey, sessionToken: creds.SessionToken },
  });
  const identity = await asRole.send(new GetCallerIdentityCommand({}));
  assert.equal(identity.Arn, `arn:aws:sts::123456789012:assumed-role/auditgate-eks-access/${session}`);
  assert.equal(identity.Account, '123456789012');
});
