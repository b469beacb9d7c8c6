import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDlqRecord, DlqHeaders } from './dlq-record.js';

test('the DLQ record keeps the original key, bytes and headers and adds the reason and source', () => {
  const value = Buffer.from([0xff, 0x00, 0x7b]);
  const record = buildDlqRecord({
    key: Buffer.from('alice'), value, headers: { traceparent: Buffer.from('00-abc'), [DlqHeaders.errorCode]: 'spoofed' },
    topic: 'auditgate.events.v1', partition: 3, offset: '42', code: 'AUDITGATE_E_EVENT_UNDECODABLE', reason: 'record is not JSON', now: 0,
  });
  assert.equal(record.key?.toString(), 'alice');
  assert.equal(record.value, value);
  assert.deepEqual(record.headers, {
    traceparent: Buffer.from('00-abc'),
    [DlqHeaders.errorCode]: 'AUDITGATE_E_EVENT_UNDECODABLE',
    [DlqHeaders.errorReason]: 'record is not JSON',
    [DlqHeaders.sourceTopic]: 'auditgate.events.v1',
    [DlqHeaders.sourcePartition]: '3',
    [DlqHeaders.sourceOffset]: '42',
    [DlqHeaders.failedAt]: '1970-01-01T00:00:00.000Z',
  });
});

test('a long reason is cut and a null key stays null', () => {
  const record = buildDlqRecord({ key: null, value: null, topic: 't', partition: 0, offset: '0', code: 'X', reason: 'r'.repeat(5000), now: 0 });
  assert.equal(record.key, null);
  assert.ok(String(record.headers[DlqHeaders.errorReason]).length <= 1001);
});
