import { it } from 'node:test';
import assert from 'node:assert/strict';
import { trustsUpstream } from './create-caller-verifier.js';
import type { TrustedIssuer } from './index.js';

it('PROXY_SA_ISSUER_TRUST=auto goes through the upstream only for the cluster\'s own issuer (the upstream server, an in-cluster name) with nothing else set', () => {
  const server = new URL('https://127.0.0.1:6443');
  const sa: TrustedIssuer = { issuer: 'https://127.0.0.1:6443', audiences: ['auditgate'], kind: 'serviceaccount' };
  assert.equal(trustsUpstream('auto', sa, server), true);
  assert.equal(trustsUpstream('auto', { ...sa, issuer: 'https://127.0.0.1:6443/' }, server), true);
  assert.equal(trustsUpstream('auto', { ...sa, caFile: '/ca.crt' }, server), false);
  assert.equal(trustsUpstream('auto', { ...sa, tokenFile: '/token' }, server), false);
  assert.equal(trustsUpstream('auto', { ...sa, issuer: 'https://kubernetes.default.svc.cluster.local' }, server), true, 'kind, k3s, kubeadm: an in-cluster name');
  assert.equal(trustsUpstream('auto', { ...sa, issuer: 'https://kubernetes.default.svc' }, server), true);
  assert.equal(trustsUpstream('auto', { ...sa, issuer: 'https://kubernetes.default.svc.cluster.local', caFile: '/ca.crt' }, server), false, 'in a pod with the mounted CA: as configured');
  assert.equal(trustsUpstream('auto', { ...sa, issuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/X' }, server), false, 'EKS: its public issuer');
  assert.equal(trustsUpstream('upstream', { ...sa, issuer: 'https://kubernetes.default.svc.cluster.local' }, server), true);
  assert.equal(trustsUpstream('issuer', sa, server), false);
  assert.equal(trustsUpstream('upstream', { ...sa, kind: 'oidc' }, server), false, 'never an OIDC issuer');
});
