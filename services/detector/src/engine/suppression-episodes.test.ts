import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadRules } from '../rules/load-rules.js';
import type { Alert } from './alert.js';
import { DetectionEngine } from './detection-engine.js';
import { auditEvent, TEST_T0, type EventSpec } from './event-factory.test-helper.js';

const rules = loadRules([fileURLToPath(new URL('../../rules', import.meta.url))]).filter((r) => r.id === 'SECRET_READ');
const MIN = 60_000;
const SUPPRESS = 10 * MIN; // SECRET_READ's suppress; TEST_T0 is a multiple of it (a bucket boundary).
const read = (at: number, name = 'db'): EventSpec => ({
  uri: `/api/v1/namespaces/prod/secrets/${name}`, verb: 'get', ref: { resource: 'secrets', namespace: 'prod', name }, at,
  auditID: `00000000-0000-4000-8000-${String(at).padStart(12, '0').slice(-12)}`,
});
const run = (engine: DetectionEngine, specs: readonly EventSpec[]): Alert[] => specs.flatMap((s) => engine.process(auditEvent(s)));
const fresh = (): DetectionEngine => new DetectionEngine({ rules, queryUrl: 'http://q' });
const pages = (alerts: readonly Alert[]): Alert[] => alerts.filter((a) => a.change !== 'updated');

describe('suppression across bucket boundaries', () => {
  it('two reads one second apart across a boundary page once: the second updates the first alert (same dedup key)', () => {
    assert.equal(TEST_T0 % SUPPRESS, 0);
    const alerts = run(fresh(), [read(TEST_T0 - 500), read(TEST_T0 + 500)]);
    assert.deepEqual(alerts.map((a) => a.change), ['raised', 'updated']);
    assert.equal(alerts[1]!.dedupKey, alerts[0]!.dedupKey);
    assert.equal(alerts[1]!.count, 2);
  });

  it('a repeat at least the suppression time after the last one pages again; another scope is another alert', () => {
    assert.equal(pages(run(fresh(), [read(TEST_T0 - 500), read(TEST_T0 - 500 + SUPPRESS)])).length, 2);
    assert.equal(pages(run(fresh(), [read(TEST_T0 - 500), read(TEST_T0 + 500, 'other')])).length, 2);
  });

  it('sustained activity still pages again, about once per suppression time, never at a boundary', () => {
    const alerts = run(fresh(), Array.from({ length: 41 }, (_, i) => read(TEST_T0 + i * MIN)));
    const paged = pages(alerts).map((a) => (Date.parse(a.lastSeen) - TEST_T0) / MIN);
    assert.deepEqual(paged, [0, 19, 29, 39]);
    assert.ok(paged.every((m) => m % 10 !== 0 || m === 0), 'no page on a boundary minute after the first');
  });

  it('the key an event joins depends only on the last suppression time: a detector rebuilt from that much history agrees', () => {
    const specs = Array.from({ length: 60 }, (_, i) => read(TEST_T0 - 7 * MIN + i * 37_000));
    const whole = run(fresh(), specs);
    const from = TEST_T0 + 20 * MIN;
    const rebuilt = run(fresh(), specs.filter((s) => s.at! >= from - SUPPRESS));
    const keysAfter = (alerts: readonly Alert[]) => alerts.filter((a) => Date.parse(a.lastSeen) >= from).map((a) => a.dedupKey);
    assert.ok(keysAfter(whole).length > 10);
    assert.deepEqual(keysAfter(rebuilt), keysAfter(whole));
  });
});
