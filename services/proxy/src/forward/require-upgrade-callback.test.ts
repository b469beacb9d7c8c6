import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isAppError } from '@auditgate/shared';
import { currentNodeRuntime, requireUpgradeCallback, versionHasUpgradeCallback } from './require-upgrade-callback.js';

describe('requireUpgradeCallback: the gateway runs only where http honours shouldUpgradeCallback', () => {
  it('knows the releases that brought it', () => {
    const has = ['22.21.0', '22.22.3', '24.9.0', '24.21.0', 'v24.10.1', '25.0.0', '26.1.0'];
    const lacks = ['22.15.0', '22.20.9', '23.11.1', '24.8.0', '20.20.2', '18.0.0', '', 'x.y.z', '24'];
    for (const v of has) assert.equal(versionHasUpgradeCallback(v), true, v);
    for (const v of lacks) assert.equal(versionHasUpgradeCallback(v), false, v);
  });

  it('passes on this Node, whose http servers keep the callback', () => {
    assert.equal(currentNodeRuntime().keepsUpgradeCallback(), true);
    requireUpgradeCallback();
  });

  it('refuses with AUDITGATE_E_RUNTIME_UNSUPPORTED on an older version, or when a server drops the option', () => {
    for (const runtime of [{ version: '22.15.0', keepsUpgradeCallback: () => true }, { version: '24.21.0', keepsUpgradeCallback: () => false }]) {
      assert.throws(() => requireUpgradeCallback(runtime), (error: unknown) => isAppError(error) && error.code === 'AUDITGATE_E_RUNTIME_UNSUPPORTED'
        && error.message.includes(runtime.version), runtime.version);
    }
  });

  it('package.json asks for no older Node than the check accepts', () => {
    const engines = (JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { engines: { node: string } }).engines.node;
    // Every lower bound the range names is a release that has the callback.
    const bounds = [...engines.matchAll(/(?:>=|\^|~)\s*v?(\d+\.\d+(?:\.\d+)?)/g)].map((m) => m[1]!);
    assert.ok(bounds.length > 0, engines);
    for (const bound of bounds) assert.equal(versionHasUpgradeCallback(bound), true, `engines "${engines}" admits ${bound}`);
  });
});
