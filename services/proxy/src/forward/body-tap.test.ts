import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { BodyTap } from './body-tap.js';

const KEY = randomBytes(32);
const BODY = Buffer.from('{"kind":"Secret","data":{"password":"aHVudGVyMg=="}}\n');

function tapOf(chunks: Buffer[], captureLimit: number): BodyTap {
  const tap = new BodyTap(captureLimit, createSecretKey(KEY));
  for (const c of chunks) tap.push(c);
  return tap;
}

describe('BodyTap', () => {
  it('digests the bytes that streamed past with HMAC-SHA256 under the key, never their plain SHA-256', () => {
    const info = tapOf([BODY.subarray(0, 7), BODY.subarray(7, 30), BODY.subarray(30)], 1024).info(['/data/password'], 'application/json');
    assert.equal(info.sha256, createHmac('sha256', KEY).update(BODY).digest('hex'));
    assert.notEqual(info.sha256, createHash('sha256').update(BODY).digest('hex'));
    assert.equal(info.digest, 'hmac-sha256');
    assert.deepEqual({ bytes: info.bytes, truncated: info.truncated, maskedPaths: info.maskedPaths, contentType: info.contentType },
      { bytes: BODY.length, truncated: false, maskedPaths: ['/data/password'], contentType: 'application/json' });
  });

  it('the digest depends on the key: another gateway key gives another digest of the same body', () => {
    const other = new BodyTap(0, randomBytes(32));
    other.push(BODY);
    assert.notEqual(other.info([], undefined).sha256, tapOf([BODY], 0).info([], undefined).sha256);
  });

  it('keeps the body up to the capture limit, and only says "truncated" when a captured body was cut', () => {
    assert.deepEqual(tapOf([BODY.subarray(0, 10), BODY.subarray(10)], BODY.length).body(), BODY);
    const cut = tapOf([BODY.subarray(0, 10), BODY.subarray(10)], BODY.length - 1);
    assert.equal(cut.body(), undefined);
    assert.equal(cut.info([], undefined).truncated, true);
    const notCapturing = tapOf([BODY], 0);
    assert.equal(notCapturing.body(), undefined);
    assert.equal(notCapturing.truncated, false, 'a body nobody captured was not cut');
    assert.equal(notCapturing.bytes, BODY.length);
  });
});
