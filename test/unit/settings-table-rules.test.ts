import { it } from 'node:test';
import assert from 'node:assert/strict';
import { EnvReader, type Env, type SettingObserver, type SettingsDoc } from '@auditgate/shared';
import { collectSettings } from '../config-docs/collect-settings.js';
import { renderSettingsTable } from '../config-docs/render-settings-table.js';

const context = { hostname: 'box-1', repoRoot: '/repo' };

/** A loader like the services': a port, a mode-dependent key, a derived default, one from KUBECONFIG, the host name. */
function loadConfig(env: Env, observe?: SettingObserver): unknown {
  const r = new EnvReader(env, observe);
  const port = r.int('DEMO_PORT', 8080, { min: 0 });
  const group = r.str('DEMO_GROUP', 'demo');
  const config = {
    port, delivery: r.str('DEMO_DELIVERY_GROUP', `${group}-delivery`), kubeconfig: r.str('DEMO_KUBECONFIG', env['KUBECONFIG']),
    instance: r.str('DEMO_INSTANCE', 'box-1'), ui: r.str('DEMO_UI_DIR', '/repo/services/demo/ui'),
    token: r.oneOf('DEMO_MODE', ['a', 'b'], 'a') === 'b' ? r.str('DEMO_TOKEN') : undefined,
  };
  r.finish();
  return config;
}

const rows: SettingsDoc['rows'] = [
  { keys: ['DEMO_PORT', 'DEMO_GROUP', 'DEMO_DELIVERY_GROUP'], meaning: 'port | group' },
  { keys: ['DEMO_KUBECONFIG', 'DEMO_INSTANCE', 'DEMO_UI_DIR'], meaning: 'm' },
  { keys: ['DEMO_MODE', 'DEMO_TOKEN'], meaning: 'mode' },
];

it('defaults come from the loader: literals, `$KEY` for one taken from the environment, the host name, repo paths', () => {
  const table = renderSettingsTable({ probes: [{}, { DEMO_MODE: 'b' }], rows }, collectSettings(loadConfig, [{}, { DEMO_MODE: 'b' }]), context);
  assert.deepEqual(table.problems, []);
  assert.deepEqual(table.rows.map((r) => r.defaultCell), [
    '`8080`, `demo`, `demo-delivery`',
    '`$KUBECONFIG`, the host name, `services/demo/ui`',
    '`a`, required',
  ]);
  assert.equal(table.rows[0]?.meaning, 'port \\| group');
});

it('names a key no probe reaches, a documented key never read, and a default stated where the loader has one', () => {
  const doc: SettingsDoc = {
    probes: [{}],
    rows: [...rows.slice(0, 2), { keys: ['DEMO_MODE', 'DEMO_GONE'], meaning: 'x', defaults: { DEMO_MODE: '`b`' } }],
  };
  const table = renderSettingsTable(doc, collectSettings(loadConfig, doc.probes), context);
  assert.deepEqual(table.problems, [
    'DEMO_MODE: the loader\'s default is `a`; the settings doc may not state "`b`"',
    'DEMO_GONE: documented, but the loader does not read it (or no probe reaches the code that does)',
  ]);
});

it('a default that depends on another setting must be described', () => {
  const doc: SettingsDoc = { probes: [{}, { DEMO_GROUP: 'other' }, { DEMO_MODE: 'b' }], rows };
  const table = renderSettingsTable(doc, collectSettings(loadConfig, doc.probes), context);
  assert.deepEqual(table.problems, [
    'DEMO_DELIVERY_GROUP: its default depends on other settings (`demo-delivery` or `other-delivery`); describe it in the settings doc\'s `defaults`',
  ]);
  const described = renderSettingsTable({ ...doc, rows: [{ ...rows[0]!, defaults: { DEMO_DELIVERY_GROUP: '`<DEMO_GROUP>-delivery`' } }, ...rows.slice(1)] },
    collectSettings(loadConfig, doc.probes), context);
  assert.deepEqual(described.problems, []);
});

it('a key read by the loader but in no row is named', () => {
  const doc: SettingsDoc = { probes: [{}], rows: rows.slice(0, 2) };
  assert.deepEqual(renderSettingsTable(doc, collectSettings(loadConfig, doc.probes), context).problems, [
    'DEMO_MODE: read by the loader, but the settings doc has no row for it',
  ]);
});
