import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EnvReader } from './env-reader.js';

describe('EnvReader', () => {
  it('reads typed values and falls back to defaults', () => {
    const reader = new EnvReader({ PORT: '8080', DEBUG: 'yes', MODE: 'spool', LIST: ' a, ,b ' });
    assert.equal(reader.int('PORT', 1), 8080);
    assert.equal(reader.bool('DEBUG', false), true);
    assert.equal(reader.oneOf('MODE', ['spool', 'fail-closed'], 'fail-closed'), 'spool');
    assert.deepEqual(reader.list('LIST'), ['a', 'b']);
    assert.equal(reader.str('MISSING', 'x'), 'x');
    reader.finish();
  });

  it('lists every bad key in one error', () => {
    const reader = new EnvReader({ PORT: 'eighty', MODE: 'maybe', URL: 'ftp://x', N: '0' });
    reader.int('PORT', 1);
    reader.oneOf('MODE', ['a', 'b'], 'a');
    reader.url('URL');
    reader.int('N', 5, { min: 1 });
    reader.str('REQUIRED');
    assert.throws(() => reader.finish(), (error: unknown) => {
      const e = error as { code: string; message: string };
      assert.equal(e.code, 'AUDITGATE_E_CONFIG_INVALID');
      for (const key of ['PORT', 'MODE', 'URL', 'N', 'REQUIRED']) assert.match(e.message, new RegExp(key));
      return true;
    });
  });
});
