import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enrichEvent } from './enrich-event.js';
import { NO_KUBE_METADATA, type KubeMetadataLookup } from './kube-metadata.js';
import { sampleEvent } from './sample-event.test-helper.js';

const cluster = { name: 'prod-eu', arn: 'arn:aws:eks:eu-west-1:123456789012:cluster/prod-eu', region: 'eu-west-1', account: '123456789012' };

test('cluster, IAM role and derived fields of a secret read', () => {
  const e = enrichEvent(sampleEvent({ auditID: 'aaaaaaaa-1', stage: 'ResponseComplete' }), cluster, NO_KUBE_METADATA);
  assert.deepEqual(e.cluster, cluster);
  assert.deepEqual(e.iam, { roleArn: 'arn:aws:iam::123456789012:role/auditgate/RoleY', roleName: 'RoleY', account: '123456789012' });
  assert.equal(e.target, 'payments/secrets/db-creds');
  assert.equal(e.secretAccess, true);
  assert.equal(e.clusterWide, false);
  assert.equal(e.durationMs, 250);
  assert.equal(e.responseBytes, 512);
  assert.equal(e.object, undefined, 'a cache miss adds no labels');
  assert.equal(e.namespace, undefined);
});

test('non-terminal stages carry no duration or response size', () => {
  const e = enrichEvent(sampleEvent({ auditID: 'aaaaaaaa-1' }), cluster, NO_KUBE_METADATA);
  assert.equal(e.durationMs, undefined);
  assert.equal(e.responseBytes, undefined);
});

test('the assumed-role identity is used when no role ARN is recorded', () => {
  const event = sampleEvent({ auditID: 'aaaaaaaa-2' });
  event.auditgate.upstream = { mode: 'eks', identity: 'arn:aws:sts::210987654321:assumed-role/Other/s1' };
  assert.deepEqual(enrichEvent(event, { name: 'c' }, NO_KUBE_METADATA).iam,
    { roleArn: 'arn:aws:sts::210987654321:assumed-role/Other/s1', roleName: 'Other', account: '210987654321', sessionName: 's1' });
  event.auditgate.upstream = { mode: 'kubeconfig' };
  assert.equal(enrichEvent(event, { name: 'c' }, NO_KUBE_METADATA).iam, undefined);
});

test('cluster-wide list, non-core groups and non-resource requests', () => {
  const list = enrichEvent(sampleEvent({ auditID: 'aaaaaaaa-3', verb: 'list', objectRef: { resource: 'pods', apiVersion: 'v1' } }), cluster, NO_KUBE_METADATA);
  assert.equal(list.clusterWide, true);
  assert.equal(list.target, '/pods/');
  assert.equal(list.secretAccess, false);
  const nonCore = enrichEvent(sampleEvent({ auditID: 'aaaaaaaa-4', objectRef: { resource: 'secrets', apiGroup: 'example.com', namespace: 'a', name: 'b' } }), cluster, NO_KUBE_METADATA);
  assert.equal(nonCore.secretAccess, false, 'only core secrets count');
  const event = sampleEvent({ auditID: 'aaaaaaaa-5' });
  delete event.objectRef;
  const nonResource = enrichEvent(event, cluster, NO_KUBE_METADATA);
  assert.equal(nonResource.target, undefined);
  assert.equal(nonResource.clusterWide, false);
});

test('labels and owner of the object and its namespace come from the cache', () => {
  const calls: string[] = [];
  const kube: KubeMetadataLookup = {
    object: (resource, ns, name) => { calls.push(`${resource}|${ns}|${name}`); return resource === 'deployments.apps' ? { labels: { app: 'web' }, owner: 'Team/x' } : undefined; },
    namespaceLabels: (ns) => (ns === 'payments' ? { sensitivity: 'high' } : undefined),
  };
  const e = enrichEvent(sampleEvent({ auditID: 'aaaaaaaa-6', objectRef: { resource: 'deployments', apiGroup: 'apps', namespace: 'payments', name: 'web' } }), cluster, kube);
  assert.deepEqual(e.object, { labels: { app: 'web' }, owner: 'Team/x' });
  assert.deepEqual(e.namespace, { labels: { sensitivity: 'high' } });
  assert.deepEqual(calls, ['deployments.apps|payments|web']);
  const ns = enrichEvent(sampleEvent({ auditID: 'aaaaaaaa-7', objectRef: { resource: 'namespaces', name: 'payments' } }), cluster, kube);
  assert.deepEqual(ns.namespace, { labels: { sensitivity: 'high' } }, 'a namespace request carries its own labels');
});

test('cluster-wide is the gateway\'s classification when recorded, else the same shared definition: a get of a node is not', () => {
  const getNode = enrichEvent(sampleEvent({ auditID: 'aaaaaaaa-6', verb: 'get', objectRef: { resource: 'nodes', name: 'n1', apiVersion: 'v1' } }), cluster, NO_KUBE_METADATA);
  assert.equal(getNode.clusterWide, false, 'changed: the indexer used to call any request without a namespace cluster-wide');
  const listNodes = enrichEvent(sampleEvent({ auditID: 'aaaaaaaa-7', verb: 'list', objectRef: { resource: 'nodes', apiVersion: 'v1' } }), cluster, NO_KUBE_METADATA);
  assert.equal(listNodes.clusterWide, false);
  const recorded = sampleEvent({ auditID: 'aaaaaaaa-8', verb: 'list', objectRef: { resource: 'pods', apiVersion: 'v1' } });
  recorded.auditgate.classification = { clusterWide: false, resourceKey: '/pods' };
  assert.equal(enrichEvent(recorded, cluster, NO_KUBE_METADATA).clusterWide, false, 'the recorded fact wins');
});
