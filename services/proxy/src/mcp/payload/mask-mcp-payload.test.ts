import { it } from 'node:test';
import assert from 'node:assert/strict';
import { testMaskingOptions } from '../../masking/test-support.js';
import { maskMcpPayload } from './mask-mcp-payload.js';

const SECRET = { kind: 'Secret', apiVersion: 'v1', metadata: { name: 's' }, data: { password: 'aHVudGVyMi1zdXBlcnNlY3JldA==' }, stringData: { token: 'DEEP-PLAINTEXT-TOKEN-1' } };
const LEAKS = ['aHVudGVyMi1zdXBlcnNlY3JldA==', 'DEEP-PLAINTEXT-TOKEN-1'];

it('fails closed past the depth limit: a subtree too deep to inspect is redacted, never recorded as it came', () => {
  let deep: unknown = SECRET;
  for (let i = 0; i < 70; i++) deep = { x: deep };
  const { value, maskedPaths } = maskMcpPayload({ deep }, testMaskingOptions());
  const text = JSON.stringify(value);
  for (const leak of LEAKS) assert.ok(!text.includes(leak), leak);
  assert.match(text, /redacted: nested too deeply/);
  assert.ok(maskedPaths.length > 0);
});

it('masks Kubernetes objects nested anywhere inside JSON text, not only at its top level', () => {
  const result = JSON.stringify({ items: [{ wrapper: { object: SECRET } }] });
  const { value, maskedPaths } = maskMcpPayload({ content: [{ type: 'text', text: result }] }, testMaskingOptions());
  const text = JSON.stringify(value);
  for (const leak of LEAKS) assert.ok(!text.includes(leak), leak);
  assert.ok(maskedPaths.some((p) => p.startsWith('/content/0/text#')), maskedPaths.join(', '));
});

it('leaves ordinary payloads as they are', () => {
  const input = { namespace: 'default', names: ['a', 'b'], note: '{"not": "kubernetes"}' };
  assert.equal(maskMcpPayload(input, testMaskingOptions()).value, input);
});
