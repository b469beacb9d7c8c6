import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { maskJsonBody } from './mask-json-body.js';
import { assertNoPlaintext, b64, testMaskingOptions } from './test-support.js';

const options = testMaskingOptions();
const PASSWORD = 'hunter2-Sup3r!Secret';

describe('maskJsonBody', () => {
  it('masks a JSON Secret body and returns JSON', () => {
    const body = Buffer.from(JSON.stringify({ kind: 'Secret', data: { password: b64(PASSWORD) } }));
    const result = maskJsonBody(body, options);
    assert.equal(result.changed, true);
    assert.deepEqual(result.maskedPaths, ['/data/password']);
    const text = result.body.toString();
    assertNoPlaintext(text, [PASSWORD]);
    assert.ok((JSON.parse(text) as { data: object }).data);
  });

  it('returns the same buffer when nothing needs masking (with and without the pre-check)', () => {
    const noTrigger = Buffer.from('{"kind":"Service","spec":{"ports":[{"port":80}]}}');
    assert.equal(maskJsonBody(noTrigger, options).body, noTrigger);
    const trigger = Buffer.from('{"kind":"ConfigMap","data":{"a":"b"}}');
    const result = maskJsonBody(trigger, options);
    assert.equal(result.body, trigger);
    assert.equal(result.changed, false);
  });

  it('sees through \\u-escaped key names', () => {
    const body = Buffer.from(`{"kind":"Secret","d\\u0061ta":{"p":"${b64(PASSWORD)}"}}`);
    assertNoPlaintext(maskJsonBody(body, options).body.toString(), [PASSWORD]);
  });

  it('re-serializes Secret bodies so a duplicate key can not smuggle plaintext', () => {
    const body = Buffer.from(`{"kind":"Secret","stringData":{"p":"${PASSWORD}"},"stringData":{}}`);
    const result = maskJsonBody(body, options);
    assertNoPlaintext(result.body.toString(), [PASSWORD]);
    const hinted = maskJsonBody(Buffer.from(`{"stringData":{"p":"${PASSWORD}"},"stringData":{}}`), { ...options, resourceHint: 'secrets' });
    assertNoPlaintext(hinted.body.toString(), [PASSWORD]);
  });

  it('masks a merge patch by resource hint', () => {
    const body = Buffer.from(JSON.stringify({ stringData: { password: PASSWORD } }));
    const result = maskJsonBody(body, { ...options, resourceHint: 'secrets' });
    assert.deepEqual(result.maskedPaths, ['/stringData/password']);
    assertNoPlaintext(result.body.toString(), [PASSWORD]);
  });

  it('accepts YAML apply patches when the content type says YAML, returning JSON', () => {
    const yaml = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: "${PASSWORD}"\n`;
    const result = maskJsonBody(Buffer.from(yaml), { ...options, contentType: 'application/apply-patch+yaml' });
    assert.equal(result.convertedFromYaml, true);
    const parsed = JSON.parse(result.body.toString()) as { stringData: Record<string, string> };
    assert.deepEqual(Object.keys(parsed.stringData), ['password']);
    assertNoPlaintext(result.body.toString(), [PASSWORD]);
  });

  it('reports garbage with a fixed message that never quotes the body', () => {
    const body = Buffer.from(`{"kind":"Secret","data":{"p":"${PASSWORD}"`);
    const result = maskJsonBody(body, options);
    assert.equal(result.parseError, 'body is not valid JSON');
    assert.equal(result.changed, false);
    const yamlResult = maskJsonBody(Buffer.from(`a: [${PASSWORD}\n b: {`), { ...options, contentType: 'application/yaml' });
    assert.equal(yamlResult.parseError, 'body is neither valid JSON nor YAML');
  });
});
