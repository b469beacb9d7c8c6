import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '@auditgate/shared';
import { classifyRequest } from '../classify/index.js';
import { negotiateContent } from './content-negotiation.js';

const secret = classifyRequest('GET', '/api/v1/namespaces/team/secrets/db');
const watch = classifyRequest('GET', '/api/v1/namespaces/team/secrets?watch=true');

function status(fn: () => unknown): number | undefined {
  try { fn(); return undefined; } catch (error) { assert.ok(isAppError(error)); return error.status; }
}

describe('negotiateContent', () => {
  it('asks for JSON without an Accept, and for */*', () => {
    assert.deepEqual(negotiateContent(secret, undefined), { kind: 'inspected', upstreamAccept: 'application/json', answer: 'json' });
    assert.deepEqual(negotiateContent(secret, '*/*'), { kind: 'inspected', upstreamAccept: 'application/json', answer: 'json' });
  });

  it('turns YAML into JSON upstream and answers YAML, Table parameters kept', () => {
    assert.deepEqual(negotiateContent(secret, 'application/yaml'), { kind: 'inspected', upstreamAccept: 'application/json', answer: 'yaml' });
    assert.deepEqual(negotiateContent(secret, 'application/yaml;as=Table;v=v1;g=meta.k8s.io'),
      { kind: 'inspected', upstreamAccept: 'application/json;as=Table;v=v1;g=meta.k8s.io', answer: 'yaml' });
  });

  it('keeps kubectl\'s Table preference list, and drops protobuf and CBOR in favour of their JSON fallbacks', () => {
    const kubectl = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
    assert.deepEqual(negotiateContent(secret, kubectl), { kind: 'inspected', upstreamAccept: kubectl, answer: 'json' });
    assert.deepEqual(negotiateContent(secret, 'application/vnd.kubernetes.protobuf, application/json'),
      { kind: 'inspected', upstreamAccept: 'application/json', answer: 'json' });
    assert.deepEqual(negotiateContent(secret, 'application/cbor;q=1, application/yaml;q=0.5'),
      { kind: 'inspected', upstreamAccept: 'application/json', answer: 'yaml' });
  });

  it('honours q-values and ignores q=0', () => {
    assert.deepEqual(negotiateContent(secret, 'application/json;q=0.1, application/yaml'),
      { kind: 'inspected', upstreamAccept: 'application/json', answer: 'yaml' });
    assert.equal(status(() => negotiateContent(secret, 'application/json;q=0')), 406);
  });

  it('answers 406 when nothing the gateway can produce is acceptable', () => {
    assert.equal(status(() => negotiateContent(secret, 'application/vnd.kubernetes.protobuf')), 406);
    assert.equal(status(() => negotiateContent(secret, 'application/cbor')), 406);
    assert.equal(status(() => negotiateContent(secret, 'text/html')), 406);
    assert.equal(status(() => negotiateContent(watch, 'application/yaml')), 406, 'no YAML watch streams');
    assert.deepEqual(negotiateContent(watch, 'application/vnd.kubernetes.protobuf;stream=watch, application/json;stream=watch'),
      { kind: 'inspected', upstreamAccept: 'application/json', answer: 'json' });
  });

  it('passes logs, proxied content and non-resource paths through unnegotiated', () => {
    assert.deepEqual(negotiateContent(classifyRequest('GET', '/api/v1/namespaces/a/pods/p/log'), 'text/plain'), { kind: 'passthrough' });
    assert.deepEqual(negotiateContent(classifyRequest('GET', '/api/v1/namespaces/a/services/s/proxy/x'), undefined), { kind: 'passthrough' });
    assert.deepEqual(negotiateContent(classifyRequest('GET', '/version'), 'application/yaml'), { kind: 'passthrough' });
  });
});
