import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { defaultSecretPatterns } from '../../masking/index.js';
import { createPayloadRecorder } from './payload-recorder.js';

const key = randomBytes(32);
const recorder = createPayloadRecorder({ key, patterns: defaultSecretPatterns(), maxRecordedBytes: 2048 });
const MARKER = /\*\*\*masked:hmac-sha256:[0-9a-f]{16}\*\*\*/;

it('masks a Secret shown as YAML text in a tool result, keeping its key names', () => {
  const secret = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: shop\ndata:\n  password: czNjcjN0LXZhbHVl\n';
  const result = { content: [{ type: 'text', text: secret }], isError: false };
  const raw = JSON.stringify({ jsonrpc: '2.0', id: 1, result });
  const { object, body } = recorder.record(result, raw);
  const text = (object as typeof result).content[0]!.text;
  assert.equal(text.includes('czNjcjN0LXZhbHVl'), false);
  assert.match(text, /password: /);
  assert.match(text, MARKER);
  assert.deepEqual(body.maskedPaths, ['/content/0/text#/data/password']);
  assert.equal(body.bytes, Buffer.byteLength(raw));
  assert.equal(body.digest, 'hmac-sha256');
});

it('masks Kubernetes objects, secret-named arguments and secret-looking values anywhere', () => {
  const args = { manifest: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' }, stringData: { token: 'hunter2' } }, password: 'p4ss', note: 'key AKIAABCDEFGHIJKLMNOP here' };
  const { object, body } = recorder.record(args, JSON.stringify(args));
  const text = JSON.stringify(object);
  for (const plain of ['hunter2', 'p4ss', 'AKIAABCDEFGHIJKLMNOP']) assert.equal(text.includes(plain), false, plain);
  assert.deepEqual(body.maskedPaths.sort(), ['/manifest/stringData/token', '/note', '/password']);
  assert.equal((object as { note: string }).note.startsWith('key ***masked'), true);
});

it('bounds what it records, after masking, and says so', () => {
  const big = { content: [{ type: 'text', text: 'x'.repeat(10_000) }], items: Array.from({ length: 1000 }, (_, i) => i) };
  const { object, body } = recorder.record(big, JSON.stringify(big));
  assert.equal(body.truncated, true);
  assert.ok(Buffer.byteLength(JSON.stringify(object)) <= 2048);
  assert.equal(body.bytes, Buffer.byteLength(JSON.stringify(big)), 'the size and digest are the whole message\'s');
});
