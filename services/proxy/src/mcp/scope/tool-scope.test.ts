import { it } from 'node:test';
import assert from 'node:assert/strict';
import { resourceOfKind, toolScope } from './tool-scope.js';

it('derives what a tool call means in Kubernetes from its arguments and its name', () => {
  assert.deepEqual(toolScope('pods_list_in_namespace', { namespace: 'shop' }), { namespace: 'shop', resource: 'pods' });
  assert.deepEqual(toolScope('pods_list', {}), { resource: 'pods' });
  assert.deepEqual(toolScope('pods_top', { namespace: 'shop', all_namespaces: true }), { resource: 'pods' });
  assert.deepEqual(toolScope('resources_get', { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' }), { namespace: 'shop', resource: 'deployments', apiGroup: 'apps', name: 'web' });
  assert.deepEqual(toolScope('resources_get', { apiVersion: 'v1', kind: 'Secret', namespace: 'shop', name: 'db' }), { namespace: 'shop', resource: 'secrets', apiGroup: '', name: 'db' });
  assert.deepEqual(toolScope('resources_create_or_update', { resource: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: shop\n' }), { namespace: 'shop', resource: 'configmaps', apiGroup: '', name: 'c' });
  assert.deepEqual(toolScope('namespaces_list', {}), { resource: 'namespaces' });
  assert.equal(toolScope('configuration_view', {}), undefined);
  assert.equal(toolScope('helm_list', {}), undefined);
});

it('pluralises kinds as the API server\'s default mapper does', () => {
  assert.equal(resourceOfKind('Ingress'), 'ingresses');
  assert.equal(resourceOfKind('NetworkPolicy'), 'networkpolicies');
  assert.equal(resourceOfKind('Endpoints'), 'endpoints');
  assert.equal(resourceOfKind('Gateway'), 'gateways');
});
