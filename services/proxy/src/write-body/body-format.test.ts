import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeBodyFormat } from './body-format.js';

describe('writeBodyFormat', () => {
  it('reads JSON for application/json, every JSON patch type, and a missing Content-Type (the API server\'s default)', () => {
    for (const type of [undefined, '', 'application/json', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json']) {
      assert.equal(writeBodyFormat(type), 'json', String(type));
    }
  });

  it('reads YAML for application/yaml and server-side apply', () => {
    assert.equal(writeBodyFormat('application/yaml'), 'yaml');
    assert.equal(writeBodyFormat('application/apply-patch+yaml'), 'yaml');
  });

  it('reads protobuf for the Kubernetes protobuf type, whatever its parameters', () => {
    assert.equal(writeBodyFormat('application/vnd.kubernetes.protobuf'), 'protobuf');
    assert.equal(writeBodyFormat('application/vnd.kubernetes.protobuf;stream=watch'), 'protobuf');
  });

  it('ignores parameters, case and surrounding whitespace, as mime.ParseMediaType does', () => {
    assert.equal(writeBodyFormat('Application/JSON; charset=utf-8'), 'json');
    assert.equal(writeBodyFormat(' application/json '), 'json');
    assert.equal(writeBodyFormat('application/json;'), 'json');
    assert.equal(writeBodyFormat('application/merge-patch+json; charset=utf-8'), 'json');
    assert.equal(writeBodyFormat('APPLICATION/APPLY-PATCH+YAML'), 'yaml');
  });

  it('reads nothing for types the API server refuses with 415', () => {
    for (const type of ['text/yaml', 'application/x-yaml', 'application/apply-patch+json', 'application/cbor', 'application/apply-patch+cbor',
      'text/plain', 'application/json, text/plain', 'application/octet-stream', 'multipart/form-data', 'json']) {
      assert.equal(writeBodyFormat(type), undefined, type);
    }
  });
});
