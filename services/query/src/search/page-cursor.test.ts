import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCursorCodec, paramsHash } from './page-cursor.js';

describe('cursor codec', () => {
  const codec = createCursorCodec('k'.repeat(32));
  const hash = paramsHash({ verb: 'get', cursor: 'ignored' });
  it('round-trips and rejects tampering, foreign kinds and other filters', () => {
    const raw = codec.encode({ kind: 'events:desc', pit: 'p', after: [1, 'a'], hash });
    assert.deepEqual(codec.decode(raw, 'events:desc', hash).after, [1, 'a']);
    const [body, mac] = raw.split('.');
    const altered = Buffer.from(Buffer.from(body!, 'base64url').toString().replace('"a"', '"b"')).toString('base64url');
    assert.throws(() => codec.decode(`${altered}.${mac}`, 'events:desc', hash), /altered/);
    assert.throws(() => codec.decode(raw, 'alerts', hash), /not a cursor/);
    assert.throws(() => codec.decode(raw, 'events:desc', paramsHash({ verb: 'list' })), /other filters/);
    assert.throws(() => createCursorCodec('other-key-other-key').decode(raw, 'events:desc', hash), /altered/);
  });
});
