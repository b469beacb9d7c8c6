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

describe('EnvReader observer', () => {
  it('reports each read with its fallback, and whether an unset key is a problem', () => {
    const reads: unknown[] = [];
    const reader = new EnvReader({ SET: 'v' }, (read) => reads.push(read));
    reader.str('NAME', 'local');
    reader.str('POLICY');
    reader.optional('CA_FILE');
    reader.int('PORT', 8080, { min: 0 });
    reader.bool('ON', true);
    reader.oneOf('MODE', ['a', 'b'], 'a');
    reader.url('URL', 'http://127.0.0.1:1');
    reader.url('SET');
    reader.list('LIST', ['x']);
    assert.deepEqual(reads, [
      { key: 'NAME', fallback: 'local', required: false },
      { key: 'POLICY', required: true },
      { key: 'CA_FILE', required: false },
      { key: 'PORT', fallback: 8080, required: false },
      { key: 'ON', fallback: true, required: false },
      { key: 'MODE', fallback: 'a', required: false },
      { key: 'URL', fallback: 'http://127.0.0.1:1', required: false },
      { key: 'SET', required: true },
      { key: 'LIST', fallback: ['x'], required: false },
    ]);
  });
});
