import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetadataStore } from './metadata-store.js';

test('objects and namespaces are found by resource, namespace and name; deletes forget', () => {
  const store = new MetadataStore(10);
  store.put('namespaces', { metadata: { name: 'payments', labels: { sensitivity: 'high' } } });
  store.put('deployments.apps', { metadata: { name: 'web', namespace: 'payments', labels: { app: 'web' }, ownerReferences: [{ kind: 'A', name: 'a' }, { kind: 'Team', name: 't', controller: true }] } });
  assert.deepEqual(store.namespaceLabels('payments'), { sensitivity: 'high' });
  assert.deepEqual(store.object('deployments.apps', 'payments', 'web'), { labels: { app: 'web' }, owner: 'Team/t' });
  assert.equal(store.object('deployments.apps', 'other', 'web'), undefined);
  store.remove('deployments.apps', { metadata: { name: 'web', namespace: 'payments' } });
  assert.equal(store.object('deployments.apps', 'payments', 'web'), undefined);
});

test('the store is bounded: the oldest-written entry goes first', () => {
  const store = new MetadataStore(2);
  store.put('pods', { metadata: { name: 'a', namespace: 'n' } });
  store.put('pods', { metadata: { name: 'b', namespace: 'n' } });
  store.put('pods', { metadata: { name: 'a', namespace: 'n', labels: { v: '2' } } });
  store.put('pods', { metadata: { name: 'c', namespace: 'n' } });
  assert.equal(store.size, 2);
  assert.equal(store.object('pods', 'n', 'b'), undefined);
  assert.deepEqual(store.object('pods', 'n', 'a')?.labels, { v: '2' });
});
