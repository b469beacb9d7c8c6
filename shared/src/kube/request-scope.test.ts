import { it } from 'node:test';
import assert from 'node:assert/strict';
import { isClusterWide, resourceKey } from './request-scope.js';

it('cluster-wide is a list or watch across all namespaces of a namespaced resource, nothing else', () => {
  assert.equal(isClusterWide({ verb: 'list', resource: 'secrets', namespace: '' }), true);
  assert.equal(isClusterWide({ verb: 'watch', resource: 'pods' }), true);
  assert.equal(isClusterWide({ verb: 'list', resource: 'secrets', namespace: 'prod' }), false);
  assert.equal(isClusterWide({ verb: 'get', resource: 'nodes', namespace: '' }), false, 'a get of a cluster-scoped object');
  assert.equal(isClusterWide({ verb: 'list', resource: 'nodes' }), false, 'a list of a cluster-scoped resource spans no namespaces');
  assert.equal(isClusterWide({ verb: 'delete', resource: 'pods' }), false);
  assert.equal(isClusterWide({ verb: 'list', resource: '', isResourceRequest: false }), false);
});

it('the resource key is group/resource[/subresource]', () => {
  assert.equal(resourceKey({ verb: 'get', resource: 'secrets' }), '/secrets');
  assert.equal(resourceKey({ verb: 'get', resource: 'deployments', apiGroup: 'apps', subresource: 'scale' }), 'apps/deployments/scale');
  assert.equal(resourceKey({ verb: 'get' }), undefined);
});
