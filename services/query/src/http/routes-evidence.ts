import { Router, type RequestHandler } from 'express';
import type { Client } from '@opensearch-project/opensearch';
import { ErrorCodes } from '@auditgate/shared';
import type { QueryConfig } from '../config/query-config.js';
import { loadJwks } from '../evidence/load-jwks.js';
import { loadFromOpenSearch } from '../evidence/opensearch-evidence.js';
import { runVerify } from '../evidence/run-verify.js';
import { parseFilters, rejectUnknown, type RawParams } from '../search/parse-filters.js';
import { factsOf } from './api-context.js';

/** Dependencies of the evidence route. */
export interface EvidenceRoutesDeps {
  readonly config: QueryConfig;
  readonly client: Client;
  readonly now: () => number;
  readonly guard: (route: string) => RequestHandler[];
  readonly fetch?: typeof fetch;
}

const NO_KEYS = 'no checkpoint keys are configured (QUERY_CHECKPOINT_JWKS): the trail cannot be verified here';

/**
 * `GET /verify?from&to|since` (default: the last hour): verifies every hash chain and checkpoint signature of the window
 * in OpenSearch (see services/query/src/evidence) with the configured checkpoint keys → the verification report.
 */
export function evidenceRoutes(d: EvidenceRoutesDeps): Router {
  const router = Router();
  router.get('/verify', ...d.guard('evidence.verify'), async (req, res) => {
    const params = req.query as RawParams;
    rejectUnknown(params, ['from', 'to', 'since']);
    const { from, to } = parseFilters(params, d.now(), d.config.limits, 3_600_000);
    if (d.config.evidence.jwks.length === 0) {
      // A deployment choice, not a failure: a clear 503 (the UI's badge says "not configured") without the error
      // middleware's error-level log on every page load.
      res.status(503).json({ error: { code: ErrorCodes.CONFIG_INVALID, message: NO_KEYS } });
      return;
    }
    const jwks = await loadJwks(d.config.evidence.jwks, d.fetch);
    const report = await runVerify({
      source: 'opensearch', from, to, now: d.now(), jwks,
      load: () => loadFromOpenSearch({
        // MCP events share the gateways' hash chains: both indices hold the links.
        client: d.client, eventsIndex: `${d.config.indices.events},${d.config.indices.mcp}`, checkpointsIndex: d.config.evidence.checkpointsIndex, from, to, slackMs: 60_000,
        maxDocuments: d.config.evidence.maxEvents,
      }),
    });
    factsOf(res).results = report.events;
    res.json(report);
  });
  return router;
}
