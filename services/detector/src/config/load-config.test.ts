import { it } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from '@auditgate/shared';
import { loadConfig } from './load-config.js';

it('defaults to the project topics and the built-in rules', () => {
  const c = loadConfig({});
  assert.equal(c.kafka.eventsTopic, 'auditgate.events.v1');
  assert.equal(c.kafka.alertsTopic, 'auditgate.alerts.v1');
  assert.equal(c.rulesDirs.length, 1);
  assert.deepEqual(c.sinks, {});
});

it('lists every bad key at once', () => {
  try {
    loadConfig({ DETECTOR_WEBHOOK_URL: 'ftp://x', DETECTOR_PAGERDUTY_MIN_SEVERITY: 'urgent', DETECTOR_PAGERDUTY_ROUTING_KEY: 'k', DETECTOR_OPS_PORT: 'x', DETECTOR_BUILTIN_RULES: 'false' });
    assert.fail('should throw');
  } catch (error) {
    assert.ok(isAppError(error));
    const problems = error.details['problems'] as string[];
    assert.equal(problems.length, 5, problems.join('\n'));
  }
});
