import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRoleArn } from './parse-role-arn.js';

test('an IAM role ARN gives account, role name and path', () => {
  assert.deepEqual(parseRoleArn('arn:aws:iam::123456789012:role/RoleY'), {
    partition: 'aws', account: '123456789012', path: '/', roleName: 'RoleY', arn: 'arn:aws:iam::123456789012:role/RoleY',
  });
  const withPath = parseRoleArn('arn:aws-us-gov:iam::210987654321:role/team/eks/Gateway-Role');
  assert.equal(withPath?.roleName, 'Gateway-Role');
  assert.equal(withPath?.path, '/team/eks/');
  assert.equal(withPath?.partition, 'aws-us-gov');
  assert.equal(withPath?.account, '210987654321');
});

test('an assumed-role ARN gives role name, account and session', () => {
  const role = parseRoleArn('arn:aws:sts::123456789012:assumed-role/RoleY/auditgate-proxy-1');
  assert.equal(role?.roleName, 'RoleY');
  assert.equal(role?.account, '123456789012');
  assert.equal(role?.sessionName, 'auditgate-proxy-1');
});

test('anything else is not a role', () => {
  for (const arn of [undefined, '', 'RoleY', 'arn:aws:iam::123456789012:user/alice', 'arn:aws:iam::12345:role/R',
    'arn:aws:sts::123456789012:assumed-role/RoleY', 'arn:aws:eks:us-east-1:123456789012:cluster/prod']) {
    assert.equal(parseRoleArn(arn), undefined, String(arn));
  }
});
