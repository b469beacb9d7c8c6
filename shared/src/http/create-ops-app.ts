import express, { type Express } from 'express';
import type { Registry } from 'prom-client';

/** Readiness inputs of the ops endpoints. */
export interface OpsChecks {
  /** Empty when ready; otherwise what is not. */
  readonly notReady: () => string[];
}

/** The ops port of every service: `/healthz` (process alive), `/readyz` (ready to take traffic), `/metrics` (Prometheus). */
export function createOpsApp(registry: Registry, checks: OpsChecks): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => { res.type('text/plain').send('ok'); });
  app.get('/readyz', (_req, res) => {
    const problems = checks.notReady();
    if (problems.length === 0) res.type('text/plain').send('ok');
    else res.status(503).type('text/plain').send(`not ready: ${problems.join('; ')}`);
  });
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return app;
}
