import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { buildUpstreamHeaders, readClientImpersonation, toHttp2Headers, type UpstreamHeaderOptions } from './upstream-headers.js';

const BASE: UpstreamHeaderOptions = {
  authorization: 'Bearer gateway-token', clientAddress: '10.0.0.7', allowClientImpersonation: false, upgrade: false,
};

/** Headers as node:http hands them over: lower-case names, repeated ones as arrays. */
const client = (extra: IncomingHttpHeaders = {}): IncomingHttpHeaders => ({
  host: 'gateway:8443', accept: 'application/json', 'user-agent': 'kubectl/v1.36.3', 'content-type': 'application/json',
  'audit-id': 'client-chosen', ...extra,
});

describe('buildUpstreamHeaders', () => {
  it('drops hop-by-hop headers and the ones the gateway sets itself', () => {
    const out = buildUpstreamHeaders(client({
      connection: 'keep-alive, x-custom', 'keep-alive': 'timeout=5', 'proxy-connection': 'keep-alive', te: 'trailers',
      trailer: 'x-sum', 'transfer-encoding': 'chunked', upgrade: 'websocket', 'proxy-authorization': 'Basic eA==',
      'proxy-authenticate': 'Basic', 'accept-encoding': 'gzip', 'x-custom': 'per-hop', 'content-length': '12',
      expect: '100-continue', 'http2-settings': 'AAMAAABkAAQAAP__',
    }), BASE);
    for (const name of ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade',
      'proxy-authorization', 'proxy-authenticate', 'accept-encoding', 'host', 'x-custom', 'content-length', 'expect',
      'http2-settings', 'audit-id']) {
      assert.equal(out[name], undefined, `${name} must not be forwarded`);
    }
    assert.equal(out['accept'], 'application/json');
    assert.equal(out['user-agent'], 'kubectl/v1.36.3');
    assert.equal(out['content-type'], 'application/json');
    assert.equal(out['audit-id'], undefined, 'a client-chosen audit ID never reaches the API server');
    assert.equal(buildUpstreamHeaders(client(), { ...BASE, auditID: 'gw-id' })['audit-id'], 'gw-id', 'the gateway\'s own audit ID does');
  });

  it('replaces the caller\'s Authorization with the gateway\'s and never forwards cookies', () => {
    const out = buildUpstreamHeaders(client({ authorization: 'Bearer caller-token', cookie: 'session=abc' }), BASE);
    assert.equal(out['authorization'], 'Bearer gateway-token');
    assert.equal(out['cookie'], undefined);
    const none = buildUpstreamHeaders(client({ authorization: 'Bearer caller-token' }), { ...BASE, authorization: undefined });
    assert.equal(none['authorization'], undefined, 'a client-certificate upstream gets no Authorization at all, not the caller\'s');
  });

  it('sets X-Forwarded-For to the socket address only; other forwarding and identity headers are dropped', () => {
    const out = buildUpstreamHeaders(client({
      'x-forwarded-for': '1.2.3.4', 'x-forwarded-host': 'evil', 'x-forwarded-proto': 'http', 'x-real-ip': '1.2.3.4',
      forwarded: 'for=1.2.3.4', 'x-remote-user': 'system:admin', 'x-remote-group': 'system:masters',
      'x-remote-extra-scopes': 'all', 'x-auditgate-on-behalf-of': 'Bearer human-token',
    }), BASE);
    assert.equal(out['x-forwarded-for'], '10.0.0.7');
    for (const name of ['x-forwarded-host', 'x-forwarded-proto', 'x-real-ip', 'forwarded', 'x-remote-user', 'x-remote-group',
      'x-remote-extra-scopes', 'x-auditgate-on-behalf-of']) {
      assert.equal(out[name], undefined, `${name} must not be forwarded`);
    }
  });

  it('strips every Impersonate-* header unless policy allows client impersonation', () => {
    const impersonating = client({
      'impersonate-user': 'someone', 'impersonate-group': ['system:masters', 'devs'], 'impersonate-uid': '42',
      'impersonate-extra-scopes': 'view',
    });
    const stripped = buildUpstreamHeaders(impersonating, BASE);
    assert.deepEqual(Object.keys(stripped).filter((n) => n.startsWith('impersonate-')), []);
    const allowed = buildUpstreamHeaders(impersonating, { ...BASE, allowClientImpersonation: true });
    assert.equal(allowed['impersonate-user'], 'someone');
    assert.deepEqual(allowed['impersonate-group'], ['system:masters', 'devs']);
    assert.equal(allowed['impersonate-uid'], '42');
    assert.equal(allowed['impersonate-extra-scopes'], 'view');
  });

  it('impersonation mode: the authenticated caller replaces whatever the client asked to impersonate', () => {
    const out = buildUpstreamHeaders(client({ 'impersonate-user': 'system:admin', 'impersonate-group': 'system:masters', 'impersonate-uid': '0' }), {
      ...BASE, allowClientImpersonation: true,
      impersonate: { user: 'system:serviceaccount:ns:agent', groups: ['system:serviceaccounts', 'system:authenticated'], extra: { 'example.com/Pod Name': ['p-1'] } },
    });
    assert.equal(out['impersonate-user'], 'system:serviceaccount:ns:agent');
    assert.deepEqual(out['impersonate-group'], ['system:serviceaccounts', 'system:authenticated']);
    assert.equal(out['impersonate-uid'], undefined, 'the client\'s uid is not mixed into the gateway\'s impersonation');
    assert.deepEqual(out['impersonate-extra-example.com%2fpod%20name'], ['p-1'], 'extra keys are percent-encoded like client-go');
    assert.equal(out['authorization'], 'Bearer gateway-token');
    const noGroups = buildUpstreamHeaders(client(), { ...BASE, impersonate: { user: 'alice', groups: [], extra: {} } });
    assert.equal(noGroups['impersonate-user'], 'alice');
    assert.equal(noGroups['impersonate-group'], undefined);
  });

  it('keeps Connection and Upgrade only for upgrades (exec, attach, port-forward)', () => {
    const headers = client({ connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-protocol': 'v5.channel.k8s.io' });
    const out = buildUpstreamHeaders(headers, { ...BASE, upgrade: true });
    assert.equal(out['connection'], 'Upgrade');
    assert.equal(out['upgrade'], 'websocket');
    assert.equal(out['sec-websocket-protocol'], 'v5.channel.k8s.io');
    const plain = buildUpstreamHeaders(headers, BASE);
    assert.equal(plain['connection'], undefined);
    assert.equal(plain['upgrade'], undefined);
  });

  it('sends the negotiated Accept instead of the caller\'s when one is given', () => {
    const headers = client({ accept: 'application/yaml' });
    assert.equal(buildUpstreamHeaders(headers, { ...BASE, accept: 'application/json' })['accept'], 'application/json');
    assert.equal(buildUpstreamHeaders(headers, BASE)['accept'], 'application/yaml');
  });

  it('does not modify the client\'s headers object', () => {
    const headers = client({ authorization: 'Bearer caller-token', 'impersonate-user': 'x' });
    const before = structuredClone(headers);
    buildUpstreamHeaders(headers, { ...BASE, impersonate: { user: 'a', groups: ['g'], extra: {} } });
    assert.deepEqual(headers, before);
  });
});

describe('readClientImpersonation', () => {
  it('is undefined when no Impersonate-* header was sent', () => {
    assert.equal(readClientImpersonation(client()), undefined);
  });

  it('reads user, groups, uid and decoded extra keys', () => {
    assert.deepEqual(readClientImpersonation(client({
      'impersonate-user': 'someone', 'impersonate-group': ['a', 'b'], 'impersonate-uid': '7',
      'impersonate-extra-example.com%2fteam': ['x', 'y'],
    })), { user: 'someone', groups: ['a', 'b'], uid: '7', extra: { 'example.com/team': ['x', 'y'] } });
    assert.deepEqual(readClientImpersonation(client({ 'impersonate-group': 'only-group' })), { groups: ['only-group'], extra: {} });
  });

  it('keeps a malformed percent-encoded extra key as sent instead of throwing', () => {
    assert.deepEqual(readClientImpersonation(client({ 'impersonate-extra-%zz': 'v' }))?.extra, { '%zz': ['v'] });
  });
});

describe('toHttp2Headers', () => {
  it('removes every connection-specific header, the ones Connection names, and TE other than trailers', () => {
    const out = toHttp2Headers({
      connection: 'keep-alive, x-hop', 'keep-alive': 'timeout=5', 'proxy-connection': 'x', 'transfer-encoding': 'chunked',
      upgrade: 'h2c', host: 'x', 'http2-settings': 'AAMAAABk', te: 'gzip', 'x-hop': '1', accept: 'application/json',
    });
    assert.deepEqual(out, { accept: 'application/json' });
    assert.deepEqual(toHttp2Headers({ te: 'Trailers' }), { te: 'Trailers' });
  });
});
