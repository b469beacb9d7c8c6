import { AppError, ErrorCodes, type Logger } from '@auditgate/shared';
import type { InitConfig } from './config/init-config.js';
import { importSavedObjects } from './dashboards/import-saved-objects.js';
import { auditgateTemplates } from './opensearch/auditgate-templates.js';
import { putIndexTemplates } from './opensearch/put-index-templates.js';
import { retryUntilDeadline } from './run/retry-until-deadline.js';

/** What the init job reaches the world through. */
export interface InitDeps {
  readonly fetch: typeof fetch;
  readonly readFile: (path: string) => Promise<string>;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<unknown>;
  readonly logger: Logger;
}

/**
 * The init job: installs the index templates, then (when Dashboards is configured) imports the saved objects, each
 * step retried until `config.timeoutMs` has passed. Resolves when everything is in place; rejects with the last error.
 */
export async function runInit(config: InitConfig, deps: InitDeps): Promise<void> {
  const retry = { deadline: deps.now() + config.timeoutMs, now: deps.now, sleep: deps.sleep, logger: deps.logger };
  const templates = auditgateTemplates(config.templates);
  await retryUntilDeadline('index templates', () => putIndexTemplates(deps.fetch, config.opensearch.url, templates), retry);
  const dashboards = config.dashboards;
  if (dashboards === undefined) return;
  let ndjson: string;
  try {
    ndjson = await deps.readFile(dashboards.savedObjectsPath);
  } catch (cause) {
    throw new AppError(`DASHBOARDS_SAVED_OBJECTS: cannot read ${dashboards.savedObjectsPath}: ${(cause as Error).message}`, { code: ErrorCodes.CONFIG_INVALID, cause });
  }
  await retryUntilDeadline('Dashboards saved objects', () => importSavedObjects(deps.fetch, dashboards.url, ndjson), retry);
}
