import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditVerb, classifyRequest, toObjectRef } from './index.js';

/** verb + objectRef, the two things the API server's audit event records of a classification. */
function audit(method: string, url: string): { verb: string; ref: ReturnType<typeof toObjectRef> } {
  const info = classifyRequest(method, url);
  return { verb: auditVerb(info), ref: toObjectRef(info) };
}

test('RULES.md public cases classify as documented', () => {
  assert.deepEqual(audit('GET', '/api/v1/namespaces/prod/secrets/db'), {
    verb: 'get', ref: { resource: 'secrets', namespace: 'prod', name: 'db', apiVersion: 'v1' } });
  assert.deepEqual(audit('GET', '/api/v1/namespaces/prod/configmaps/secret-foo').ref?.resource, 'configmaps');
  assert.deepEqual(audit('GET', '/api/v1/namespaces/secrets'), {
    verb: 'get', ref: { resource: 'namespaces', namespace: 'secrets', name: 'secrets', apiVersion: 'v1' } });
  assert.deepEqual(audit('GET', '/api/v1/namespaces/prod/secrets'), {
    verb: 'list', ref: { resource: 'secrets', namespace: 'prod', apiVersion: 'v1' } });
  assert.deepEqual(audit('GET', '/api/v1/secrets?limit=500'), { verb: 'list', ref: { resource: 'secrets', apiVersion: 'v1' } });
  for (const url of ['/api/v1/secrets?watch=true', '/api/v1/watch/secrets']) {
    assert.deepEqual(audit('GET', url), { verb: 'watch', ref: { resource: 'secrets', apiVersion: 'v1' } }, url);
  }
  assert.deepEqual(audit('GET', '/api/v1/namespaces/prod/secrets?fieldSelector=metadata.name%3Ddb'), {
    verb: 'list', ref: { resource: 'secrets', namespace: 'prod', name: 'db', apiVersion: 'v1' } });
  assert.equal(audit('PATCH', '/api/v1/namespaces/prod/secrets/db').verb, 'patch');
  assert.deepEqual(audit('POST', '/api/v1/namespaces/prod/pods/web/exec?command=sh'), {
    verb: 'create', ref: { resource: 'pods', namespace: 'prod', name: 'web', apiVersion: 'v1', subresource: 'exec' } });
  assert.deepEqual(audit('GET', '/api/v1/namespaces/prod/pods/web/log').ref?.subresource, 'log');
  assert.deepEqual(audit('GET', '/api/v1/pods'), { verb: 'list', ref: { resource: 'pods', apiVersion: 'v1' } });
  assert.equal(audit('GET', '/api/v1/namespaces/prod/pods').ref?.namespace, 'prod');
  for (const url of ['/healthz', '/version', '/apis', '/api/v1', '/api', '/apis/apps', '/apis/apps/v1', '/']) {
    assert.deepEqual(audit('GET', url), { verb: 'get', ref: undefined }, url);
  }
  assert.deepEqual(audit('POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews'), {
    verb: 'create', ref: { resource: 'selfsubjectrulesreviews', apiGroup: 'authorization.k8s.io', apiVersion: 'v1' } });
  assert.deepEqual(audit('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings').ref?.resource, 'clusterrolebindings');
  assert.deepEqual(audit('DELETE', '/api/v1/namespaces/prod/pods'), {
    verb: 'deletecollection', ref: { resource: 'pods', namespace: 'prod', apiVersion: 'v1' } });
});

test('verbs follow the method, HEAD reads as get, unknown methods have no Kubernetes verb', () => {
  const url = '/api/v1/namespaces/a/pods/p';
  const verbs = ['POST', 'GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'get'].map((m) => audit(m, url).verb);
  assert.deepEqual(verbs, ['create', 'get', 'get', 'update', 'patch', 'delete', '', '']);
  assert.equal(audit('HEAD', '/api/v1/pods').verb, 'list');
  assert.equal(audit('OPTIONS', '/healthz').verb, 'options');
  assert.equal(audit('POST', '/apis/apps').verb, 'post');
});

test('the watch parameter: anything but 0 or false (any case) is a watch; first value wins', () => {
  const cases: Record<string, string> = {
    '?watch=1': 'watch', '?watch=true': 'watch', '?watch=garbage': 'watch', '?watch=': 'watch', '?watch': 'watch',
    '?watch=0': 'list', '?watch=false': 'list', '?watch=FALSE': 'list', '?watch=fal%C5%BFe': 'list',
    '?watch=False&watch=true': 'list', '?w%61tch=1': 'watch', '?watch=1;x=2': 'list', '?watch=%zz': 'list',
    // a list option that fails to decode makes the API server read watch by hand, with ToLower instead of EqualFold
    '?watch=fal%C5%BFe&limit=abc': 'watch', '?watch=1&limit=abc': 'watch', '?limit=5': 'list', '': 'list',
  };
  for (const [query, verb] of Object.entries(cases)) assert.equal(audit('GET', `/api/v1/pods${query}`).verb, verb, query);
  assert.equal(audit('GET', '/api/v1/pods/p?watch=1').verb, 'get');
});

test('fieldSelector metadata.name pins the name of a list or watch', () => {
  const name = (q: string): string | undefined => audit('GET', `/api/v1/namespaces/n/secrets?${q}`).ref?.name;
  assert.equal(name('fieldSelector=metadata.name%3Ddb'), 'db');
  assert.equal(name('fieldSelector=metadata.name%3D%3Ddb'), 'db');
  assert.equal(name('fieldSelector=metadata.name!%3Ddb'), undefined);
  assert.equal(name('fieldSelector=metadata.name%3Db,metadata.name%3Da'), 'a');
  assert.equal(name('fieldSelector=metadata.namespace%3Dn,metadata.name%3Dzz'), 'zz');
  assert.equal(name('fieldSelector=metadata.name%3Da%5C,b'), 'a,b');
  assert.equal(name('fieldSelector=metadata.name%3Da+b'), 'a b');
  for (const bad of ['a%2Fb', '%25x', '..', '.', 'a%5Cx']) assert.equal(name(`fieldSelector=metadata.name%3D${bad}`), undefined, bad);
  assert.equal(name('fieldSelector=metadata.name'), undefined);
  assert.equal(name('fieldSelector=metadata.name%3Ddb&limit=abc'), undefined);
  assert.equal(name('fieldSelector=metadata.name%3Ddb&timeoutSeconds=9223372036854775808'), undefined);
  assert.equal(name('fieldSelector=metadata.name%3Ddb&timeoutSeconds=-9223372036854775808'), 'db');
  assert.equal(name('fieldSelector=metadata.name%3Ddb&labelSelector=app%3Dweb,tier+in+(a,b),!x'), 'db');
  for (const bad of ['a%3D%3D%3Db', '-bad', 'x>abc', 'x+in+(a', '!x%3Dy', 'a/b/c', '%3Da']) {
    assert.equal(name(`fieldSelector=metadata.name%3Ddb&labelSelector=${bad}`), undefined, bad);
  }
  assert.equal(audit('GET', '/api/v1/namespaces/n/secrets?fieldSelector=metadata.name%3Ddb&watch=1').verb, 'watch');
  assert.equal(audit('GET', '/api/v1/namespaces/n/secrets/x?fieldSelector=metadata.name%3Ddb').ref?.name, 'x');
  const dc = audit('DELETE', '/api/v1/namespaces/n/secrets?fieldSelector=metadata.name%3Dzz');
  assert.deepEqual([dc.verb, dc.ref?.name], ['deletecollection', undefined]);
});

test('legacy /watch/ and /proxy/ prefixes, and namespace subresources', () => {
  assert.deepEqual(audit('GET', '/api/v1/watch/namespaces/n/pods/x'), {
    verb: 'watch', ref: { resource: 'pods', namespace: 'n', name: 'x', apiVersion: 'v1' } });
  assert.deepEqual(audit('GET', '/api/v1/proxy/namespaces/n/pods/x/foo/bar'), {
    verb: 'proxy', ref: { resource: 'pods', namespace: 'n', name: 'x', apiVersion: 'v1' } });
  assert.deepEqual(classifyRequest('GET', '/api/v1/proxy/namespaces/n/pods/x/foo').parts, ['pods', 'x', 'foo']);
  assert.deepEqual(audit('PUT', '/api/v1/namespaces/n/finalize'), {
    verb: 'update', ref: { resource: 'namespaces', namespace: 'n', name: 'n', apiVersion: 'v1', subresource: 'finalize' } });
  assert.equal(audit('GET', '/api/v1/namespaces/n/status').ref?.subresource, 'status');
  assert.deepEqual(audit('GET', '/api/v1/namespaces'), { verb: 'list', ref: { resource: 'namespaces', apiVersion: 'v1' } });
  assert.deepEqual(audit('GET', '/apis/apps/v1/namespaces/n/deployments/d/scale').ref, {
    resource: 'deployments', namespace: 'n', name: 'd', apiGroup: 'apps', apiVersion: 'v1', subresource: 'scale' });
  // fewer than two parts after the special verb: the API server answers 500 before auditing
  const broken = classifyRequest('GET', '/api/v1/watch');
  assert.deepEqual([broken.isResourceRequest, broken.verb, broken.resource], [true, 'get', '']);
});

test('the path is split after percent-decoding, like Go net/http', () => {
  assert.deepEqual(audit('GET', '/api/v1/namespaces/n/configmaps/a%2Fb').ref, {
    resource: 'configmaps', namespace: 'n', name: 'a', apiVersion: 'v1', subresource: 'b' });
  assert.equal(audit('GET', '/api/v1/namespaces/n/configmaps/caf%C3%A9').ref?.name, 'café');
  assert.equal(audit('GET', '/api/v1/namespaces/n/configmaps/%FF').ref?.name, '\ufffd');
  assert.equal(audit('GET', '/api/v1/namespaces/n/configmaps/%E2%82').ref?.name, '\ufffd\ufffd');
  assert.equal(audit('GET', '/api/v1/namespaces/n/configmaps/a+b').ref?.name, 'a+b');
  assert.equal(audit('GET', '/api/v1/namespaces/n/configmaps/x%3Fy?q=1').ref?.name, 'x?y');
  assert.deepEqual(audit('GET', '/api%2Fv1%2Fpods'), { verb: 'list', ref: { resource: 'pods', apiVersion: 'v1' } });
  assert.deepEqual(audit('GET', '/api/v1/namespaces//pods').ref, { resource: 'pods', apiVersion: 'v1' });
  assert.deepEqual(audit('GET', '//api/v1/pods/').ref, { resource: 'pods', apiVersion: 'v1' });
  assert.equal(classifyRequest('GET', '/api/v1/pods/%zz').path, '/api/v1/pods/%zz');
  assert.deepEqual(audit('GET', 'https://h:6443/api/v1/namespaces/n/pods/p?x=1').ref, {
    resource: 'pods', namespace: 'n', name: 'p', apiVersion: 'v1' });
  assert.equal(classifyRequest('GET', '/api/v1/pods/%F0%9F%98%80').name, '😀');
});

test('RequestInfo exposes the API server fields', () => {
  assert.deepEqual(classifyRequest('GET', '/apis/example.com/v1/namespaces/n/widgets/w/status/x?y'), {
    isResourceRequest: true, path: '/apis/example.com/v1/namespaces/n/widgets/w/status/x', verb: 'get', apiPrefix: 'apis',
    apiGroup: 'example.com', apiVersion: 'v1', namespace: 'n', resource: 'widgets', subresource: 'status', name: 'w',
    parts: ['widgets', 'w', 'status', 'x'],
  });
  assert.deepEqual(classifyRequest('DELETE', '/livez?verbose'), {
    isResourceRequest: false, path: '/livez', verb: 'delete', apiPrefix: '', apiGroup: '', apiVersion: '', namespace: '',
    resource: '', subresource: '', name: '', parts: [],
  });
});
