import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { ErrorCodes } from '@auditgate/shared';
import { isMaskMarker, maskBytes, maskValue } from './mask-value.js';

const key = Buffer.from('k'.repeat(32));

describe('maskValue', () => {
  it('is the first 16 hex of HMAC-SHA256(key, value) in a marker', () => {
    const expected = createHmac('sha256', key).update('hunter2').digest('hex').slice(0, 16);
    assert.equal(maskValue('hunter2', key), `***masked:hmac-sha256:${expected}***`);
    assert.ok(isMaskMarker(maskValue('hunter2', key)));
  });

  it('gives equal digests for equal values and different ones for different values or keys', () => {
    assert.equal(maskValue('same', key), maskValue('same', key));
    assert.notEqual(maskValue('same', key), maskValue('other', key));
    assert.notEqual(maskValue('same', key), maskValue('same', Buffer.from('j'.repeat(32))));
    assert.equal(maskBytes(Buffer.from('same'), key), maskValue('same', key));
  });

  it('is not the unkeyed sha256', () => {
    const plain = createHmac('sha256', Buffer.alloc(0)).update('x').digest('hex').slice(0, 16);
    assert.ok(!maskValue('x', key).includes(plain));
  });

  it('refuses a key shorter than 16 bytes with CONFIG_INVALID', () => {
    assert.throws(() => maskValue('x', Buffer.from('short')), { code: ErrorCodes.CONFIG_INVALID });
  });

  it('recognises only exact markers', () => {
    assert.equal(isMaskMarker('***masked:hmac-sha256:0123456789abcdef***'), true);
    assert.equal(isMaskMarker('***masked:hmac-sha256:0123456789abcdef*** '), false);
    assert.equal(isMaskMarker('hunter2'), false);
  });
});
