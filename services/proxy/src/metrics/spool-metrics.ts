import { Gauge, type Registry } from 'prom-client';
import type { SpoolStats } from '../audit/spool-stats.js';

/**
 * Registers the spool's depth and oldest-record age on `registry`, measured from the spool's folder at each scrape:
 * unlike the spooled/drained counters, they are right after a restart over a spool the previous process left.
 */
export function registerSpoolMetrics(registry: Registry, stats: SpoolStats): void {
  const registers = [registry];
  // The three collect() of one scrape run together and share one read of the folder (SpoolStats.measure).
  const measure = (): ReturnType<SpoolStats['measure']> => stats.measure();
  new Gauge({ name: 'auditgate_proxy_spool_bytes', help: 'Bytes in the local spool waiting to drain to Kafka (read from the spool folder)', registers, async collect() { this.set((await measure()).bytes); } });
  new Gauge({ name: 'auditgate_proxy_spool_records', help: 'Audit records in the local spool waiting to drain to Kafka (read from the spool folder)', registers, async collect() { this.set((await measure()).records); } });
  new Gauge({ name: 'auditgate_proxy_spool_oldest_record_age_seconds', help: 'Age of the oldest record waiting in the local spool; 0 when it is empty', registers, async collect() { this.set((await measure()).oldestAgeSeconds); } });
}
