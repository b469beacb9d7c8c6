import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createSseParser } from './sse-parser.js';
import { classifyMessage, idText } from './json-rpc.js';

it('parses events across chunk boundaries and line-end styles, joining data lines', () => {
  const p = createSseParser(1024);
  const wire = 'id: 1\r\nevent: message\r\ndata: {"a":\r\ndata: 1}\r\n\r\n: comment\n\nid: 2\rdata: x\r\r';
  const events = [];
  for (let i = 0; i < wire.length; i += 3) events.push(...p.push(Buffer.from(wire.slice(i, i + 3))));
  assert.deepEqual(events.map((e) => ({ id: e.id, event: e.event, data: e.data, truncated: e.truncated })), [
    { id: '1', event: 'message', data: '{"a":\n1}', truncated: false },
    { id: '2', event: undefined, data: 'x', truncated: false },
  ]);
});

it('bounds one event\'s data and says it was cut', () => {
  const p = createSseParser(16);
  const [event] = p.push(Buffer.from(`data: ${'x'.repeat(100)}\n\n`));
  assert.equal(event?.truncated, true);
  assert.equal(event?.data, '');
});

it('classifies JSON-RPC messages', () => {
  assert.deepEqual(classifyMessage({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'x' } }), { kind: 'request', id: 7, method: 'tools/call', params: { name: 'x' } });
  assert.deepEqual(classifyMessage({ jsonrpc: '2.0', method: 'notifications/cancelled' }), { kind: 'notification', method: 'notifications/cancelled' });
  assert.deepEqual(classifyMessage({ jsonrpc: '2.0', id: 'a', result: {} }), { kind: 'response', id: 'a', result: {} });
  assert.equal(classifyMessage({ jsonrpc: '2.0', id: 1, result: {}, error: { code: 1, message: 'x' } }).kind, 'invalid');
  assert.equal(classifyMessage({ jsonrpc: '1.0', id: 1, method: 'x' }).kind, 'invalid');
  assert.equal(classifyMessage({ jsonrpc: '2.0', id: {}, method: 'x' }).kind, 'invalid');
  assert.equal(idText(7), '7');
});
