import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from './create-logger.js';

it('redacts authorization headers and tokens', () => {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  const logger = createLogger({ name: 'test', destination: sink as never });
  logger.info({ req: { headers: { authorization: 'Bearer abc.def.ghi' } }, auth: { token: 'xyz' } }, 'hello');
  const line = lines.join('');
  assert.doesNotMatch(line, /abc\.def\.ghi/);
  assert.doesNotMatch(line, /xyz/);
  assert.match(line, /\[REDACTED\]/);
  assert.match(line, /"service":"test"/);
});
