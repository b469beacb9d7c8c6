import { Registry, collectDefaultMetrics } from 'prom-client';

/** A prom-client registry of one app, with process metrics prefixed `auditgate_<service>_`. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: `auditgate_${service}_` });
  return registry;
}

export type { Registry } from 'prom-client';
