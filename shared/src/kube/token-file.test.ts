import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AppError } from '../errors/app-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { createTokenFile } from './token-file.js';

it('token file: cached within the period, re-read after it (rotation), last token kept when a re-read fails', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'ag-token-file-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'token');
  let clock = 1_000_000;
  const failures: AppError[] = [];
  const tokens = createTokenFile({ path: file, reloadMs: 60_000, now: () => clock, onReloadError: (e) => failures.push(e) });

  await assert.rejects(tokens.token(), (e: AppError) => e.code === ErrorCodes.UPSTREAM_UNAVAILABLE && e.retriable);
  await writeFile(file, 'first\n');
  assert.equal(await tokens.token(), 'first');
  await writeFile(file, 'second');
  clock += 59_999;
  assert.equal(await tokens.token(), 'first', 'cached until the period ends');
  clock += 1;
  assert.equal(await tokens.token(), 'second', 'rotated token picked up');

  await rm(file);
  clock += 60_000;
  assert.equal(await tokens.token(), 'second', 'kept while the file is briefly missing');
  assert.equal(failures.length, 1);
  assert.match(failures[0]!.message, /cannot read/);
  assert.equal(await tokens.token(), 'second');
  assert.equal(failures.length, 1, 'no re-read storm: the next try waits one more period');
  await writeFile(file, '  ');
  clock += 60_000;
  assert.equal(await tokens.token(), 'second', 'an empty file is a failed re-read');
  assert.match(failures[1]!.message, /is empty/);
  await writeFile(file, 'third');
  clock += 60_000;
  assert.equal(await tokens.token(), 'third');
});

it('token file: concurrent callers share one read', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'ag-token-file-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'token');
  await writeFile(file, 'abc');
  const tokens = createTokenFile({ path: file });
  const [a, b] = [tokens.token(), tokens.token()];
  assert.equal(a, b);
  assert.equal(await a, 'abc');
});
