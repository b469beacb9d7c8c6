import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCodes } from '@auditgate/shared';
import { parsePolicy } from './parse-policy.js';
import { policyBundleHash } from './policy-bundle-hash.js';

const BASE = `apiVersion: auditgate.dev/v1
kind: GatewayPolicy
defaultAction: allow
rules:
  - id: deny-secrets
    action: deny
    match: { resources: [secrets], namespaces: [kube-system] }
`;

describe('policyBundleHash', () => {
  it('is the sha256 hex the parsed policy carries', () => {
    const hash = policyBundleHash(BASE);
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.equal(parsePolicy(BASE, 'elsewhere.yaml').bundleHash, hash, 'the source name is not part of the hash');
  });

  it('is stable across comments, whitespace, key order, flow/block style and spelled-out defaults', () => {
    const reformatted = `# a comment
kind:   GatewayPolicy
apiVersion: "auditgate.dev/v1"
defaultAction: allow   # trailing comment
requireOnBehalfOf: false
limits: { maxResponseBytes: 0, allowClusterWideLists: true }
rules:
  - action: deny
    id: deny-secrets
    match:
      namespaces:
        - kube-system
      resources:
        - secrets
      verbs: []
auditLevels: []
`;
    assert.equal(policyBundleHash(reformatted), policyBundleHash(BASE));
  });

  it('changes when the meaning changes', () => {
    const base = policyBundleHash(BASE);
    assert.notEqual(policyBundleHash(BASE.replace('defaultAction: allow', 'defaultAction: deny')), base);
    assert.notEqual(policyBundleHash(BASE.replace('kube-system', 'kube-public')), base);
    assert.notEqual(policyBundleHash(`${BASE}    reason: changed\n`), base);
    assert.notEqual(policyBundleHash(BASE.replace('[secrets]', '[secrets, configmaps]')), base);
    assert.notEqual(policyBundleHash(BASE.replace('[secrets]', '[configmaps, secrets]')), policyBundleHash(BASE.replace('[secrets]', '[secrets, configmaps]')),
      'rule order and list order are kept (first match wins)');
  });

  it('throws CONFIG_INVALID for invalid text', () => {
    assert.throws(() => policyBundleHash('kind: nope\n'), { code: ErrorCodes.CONFIG_INVALID });
  });
});
