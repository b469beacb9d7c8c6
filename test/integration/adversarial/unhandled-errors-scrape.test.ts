/** Oracle (a) reads the gateway's last-resort counter from the exposition the proxy's own metrics write. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMetricsRegistry } from '@auditgate/shared';
import { createProxyMetrics } from '../../../services/proxy/src/metrics/proxy-metrics.js';
import { parseUnhandledErrors } from './gateway-process.js';

describe('adversarial: scraping auditgate_proxy_unhandled_errors_total', () => {
  it('reads zero before any error, then the sum over every where', async () => {
    const registry = createMetricsRegistry('proxy');
    const metrics = createProxyMetrics(registry);
    assert.deepEqual(parseUnhandledErrors(await registry.metrics()), { total: 0, byWhere: new Map() });
    metrics.unhandledErrors.inc({ where: 'uncaught-exception' });
    metrics.unhandledErrors.inc({ where: 'exchange' }, 2);
    const read = parseUnhandledErrors(await registry.metrics());
    assert.equal(read?.total, 3);
    assert.equal(read?.byWhere.get('exchange'), 2);
    assert.equal(read?.byWhere.get('uncaught-exception'), 1);
  });

  it('does not read a missing counter as zero', async () => {
    const registry = createMetricsRegistry('other');
    assert.equal(parseUnhandledErrors(await registry.metrics()), undefined);
    assert.equal(parseUnhandledErrors(''), undefined);
  });
});
