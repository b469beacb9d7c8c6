import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes, type AppError } from '@auditgate/shared';
import { waitFor } from '@auditgate/shared/testing';
import type { PolicyInput } from './policy-types.js';
import { watchPolicyFile, type WatchPolicyFileOptions } from './watch-policy-file.js';

const policyText = (defaultAction: 'allow' | 'deny', comment = '') =>
  `${comment}apiVersion: auditgate.dev/v1\nkind: GatewayPolicy\ndefaultAction: ${defaultAction}\n`;

const REQUEST: PolicyInput = {
  actor: { username: 'a', groups: [], claims: {} }, verb: 'get', apiGroup: '', resource: 'pods', subresource: '',
  namespace: 'default', name: 'p', isResourceRequest: true, path: '/api/v1/namespaces/default/pods/p', clusterWide: false,
};

function setup(initial: string, extra: Partial<WatchPolicyFileOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'auditgate-policy-'));
  const path = join(dir, 'policy.yaml');
  writeFileSync(path, initial);
  const changes: string[] = [];
  const errors: AppError[] = [];
  const watcher = watchPolicyFile(path, {
    onChange: (_policy, hash) => { changes.push(hash); },
    onError: (error) => { errors.push(error); },
    debounceMs: 20,
    pollIntervalMs: 60_000,
    now: () => 42,
    ...extra,
  });
  const cleanup = () => { watcher.close(); rmSync(dir, { recursive: true, force: true }); };
  return { dir, path, watcher, changes, errors, cleanup };
}

const actionNow = (ctx: ReturnType<typeof setup>) => ctx.watcher.current().evaluator.evaluate(REQUEST).action;

describe('watchPolicyFile', () => {
  it('loads the file at start', (t) => {
    const ctx = setup(policyText('allow'));
    t.after(ctx.cleanup);
    const loaded = ctx.watcher.current();
    assert.equal(loaded.policy.defaultAction, 'allow');
    assert.equal(loaded.hash, loaded.policy.bundleHash);
    assert.equal(loaded.loadedAt, 42);
    assert.equal(loaded.evaluator.evaluate(REQUEST).bundleHash, loaded.hash);
  });

  it('throws CONFIG_INVALID when the first load fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'auditgate-policy-'));
    try {
      const options = { onChange: () => {}, onError: () => {} };
      assert.throws(() => watchPolicyFile(join(dir, 'missing.yaml'), options), { code: ErrorCodes.CONFIG_INVALID });
      writeFileSync(join(dir, 'bad.yaml'), 'kind: nope\n');
      assert.throws(() => watchPolicyFile(join(dir, 'bad.yaml'), options), { code: ErrorCodes.CONFIG_INVALID });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('applies a valid change seen by fs.watch, and keeps the old policy on an invalid one', async (t) => {
    const ctx = setup(policyText('allow'));
    t.after(ctx.cleanup);
    const first = ctx.watcher.current().hash;

    writeFileSync(ctx.path, policyText('deny'));
    await waitFor('the deny policy', async () => (ctx.changes.length === 1 ? true : undefined), 5000, 20);
    assert.equal(actionNow(ctx), 'deny');
    assert.notEqual(ctx.watcher.current().hash, first);
    assert.equal(ctx.changes[0], ctx.watcher.current().hash);

    const denyHash = ctx.watcher.current().hash;
    writeFileSync(ctx.path, 'apiVersion: auditgate.dev/v1\nkind: GatewayPolicy\ndefaultAction: maybe\nextra: 1\n');
    await waitFor('the rejection', async () => (ctx.errors.length === 1 ? true : undefined), 5000, 20);
    assert.equal(ctx.errors[0]?.code, ErrorCodes.CONFIG_INVALID);
    assert.match(ctx.errors[0]?.message ?? '', /defaultAction[\s\S]*extra: unknown key/);
    assert.equal(ctx.watcher.current().hash, denyHash, 'old policy kept');
    assert.equal(actionNow(ctx), 'deny');
    await ctx.watcher.check();
    assert.equal(ctx.errors.length, 1, 'the same bad content is reported once');

    writeFileSync(ctx.path, policyText('allow'));
    await waitFor('the fixed policy', async () => (ctx.changes.length === 2 ? true : undefined), 5000, 20);
    assert.equal(actionNow(ctx), 'allow');
    assert.equal(ctx.watcher.current().hash, first);
  });

  it('sees an atomic rename-over and ignores changes that only touch comments', async (t) => {
    const ctx = setup(policyText('allow'));
    t.after(ctx.cleanup);
    const original = ctx.watcher.current();
    writeFileSync(ctx.path, policyText('allow', '# just a comment\n'));
    await ctx.watcher.check();
    assert.equal(ctx.changes.length, 0);
    assert.equal(ctx.watcher.current(), original);

    const staged = join(ctx.dir, '.policy.yaml.tmp');
    writeFileSync(staged, policyText('deny'));
    renameSync(staged, ctx.path);
    await waitFor('the renamed policy', async () => (ctx.changes.length === 1 ? true : undefined), 5000, 20);
    assert.equal(actionNow(ctx), 'deny');
  });

  it('falls back to polling without fs.watch', async (t) => {
    const ctx = setup(policyText('allow'), { useFsWatch: false, pollIntervalMs: 30 });
    t.after(ctx.cleanup);
    writeFileSync(ctx.path, policyText('deny'));
    await waitFor('the polled change', async () => (ctx.changes.length === 1 ? true : undefined), 5000, 20);
    assert.equal(actionNow(ctx), 'deny');
    rmSync(ctx.path);
    await waitFor('the missing-file error', async () => (ctx.errors.length === 1 ? true : undefined), 5000, 20);
    assert.equal(ctx.errors[0]?.code, ErrorCodes.CONFIG_INVALID);
    assert.equal(actionNow(ctx), 'deny', 'policy kept while the file is gone');
  });

  it('stops reacting after close, and close is idempotent', async (t) => {
    const ctx = setup(policyText('allow'), { pollIntervalMs: 30 });
    t.after(ctx.cleanup);
    ctx.watcher.close();
    ctx.watcher.close();
    writeFileSync(ctx.path, policyText('deny'));
    await ctx.watcher.check();
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(ctx.changes.length, 0);
    assert.equal(actionNow(ctx), 'allow');
  });
});
