import { it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from './load-config.js';

const SA = '/var/run/secrets/kubernetes.io/serviceaccount';

it('kube: off by default; a kubeconfig makes kubeconfig the default mode', () => {
  assert.equal(loadConfig({}).kube.enabled, false);
  const kube = loadConfig({ INDEXER_KUBE_ENABLED: 'true', INDEXER_KUBECONFIG: '/k/config', INDEXER_KUBE_CONTEXT: 'ctx' }).kube;
  assert.equal(kube.mode, 'kubeconfig');
  assert.equal(kube.kubeconfigPath, '/k/config');
  assert.equal(kube.context, 'ctx');
  assert.equal(kube.inCluster, undefined);
  assert.deepEqual(kube.resources, ['v1/pods', 'v1/configmaps', 'v1/secrets', 'v1/serviceaccounts', 'apps/v1/deployments']);
});

it('kube: in-cluster without a kubeconfig, from the service-account mount and KUBERNETES_SERVICE_HOST/PORT', () => {
  const kube = loadConfig({ INDEXER_KUBE_ENABLED: 'true', KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }).kube;
  assert.equal(kube.mode, 'in-cluster');
  assert.deepEqual(kube.inCluster, { tokenPath: `${SA}/token`, caPath: `${SA}/ca.crt`, host: '10.0.0.1', port: 443 });
  const explicit = loadConfig({
    INDEXER_KUBE_ENABLED: 'true', INDEXER_KUBE_MODE: 'in-cluster', KUBECONFIG: '/ignored', KUBERNETES_SERVICE_HOST: '127.0.0.1',
    KUBERNETES_SERVICE_PORT: '6443', INDEXER_INCLUSTER_TOKEN_PATH: '/t/token', INDEXER_INCLUSTER_CA_PATH: '/t/ca.crt',
  }).kube;
  assert.equal(explicit.mode, 'in-cluster');
  assert.deepEqual(explicit.inCluster, { tokenPath: '/t/token', caPath: '/t/ca.crt', host: '127.0.0.1', port: 6443 });
});

it('kube: every missing piece is reported', () => {
  assert.throws(() => loadConfig({ INDEXER_KUBE_ENABLED: 'true' }), /KUBERNETES_SERVICE_HOST/);
  assert.throws(() => loadConfig({ INDEXER_KUBE_ENABLED: 'true', INDEXER_KUBE_MODE: 'kubeconfig' }), /INDEXER_KUBE_MODE=kubeconfig needs INDEXER_KUBECONFIG/);
  assert.throws(() => loadConfig({ INDEXER_KUBE_ENABLED: 'true', INDEXER_KUBE_MODE: 'token' }), /INDEXER_KUBE_MODE/);
  assert.throws(() => loadConfig({ INDEXER_KUBE_ENABLED: 'true', KUBERNETES_SERVICE_HOST: 'h', KUBERNETES_SERVICE_PORT: '0' }), /KUBERNETES_SERVICE_PORT/);
  // Off: nothing about the cluster is required.
  assert.equal(loadConfig({ INDEXER_KUBE_MODE: 'in-cluster' }).kube.inCluster, undefined);
});
