/** One-shot init job: installs the index templates, then imports the Dashboards saved objects. Exit 0 = done. */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { auditgateTemplates, putTemplates } from './opensearch-templates.js';
import { importSavedObjects } from './import-saved-objects.js';

const env = process.env;
const opensearchUrl = env['OPENSEARCH_URL'] ?? 'http://opensearch:9200';
const dashboardsUrl = env['DASHBOARDS_URL'];
const savedObjects = env['DASHBOARDS_SAVED_OBJECTS'] ?? '/app/dashboards/auditgate.ndjson';
const deadline = Date.now() + Number(env['INIT_TIMEOUT_MS'] ?? 300_000);

async function retry(what: string, step: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try { await step(); console.log(`init: ${what}: done`); return; } catch (error) {
      if (Date.now() > deadline) throw error;
      console.log(`init: ${what}: attempt ${attempt} failed (${(error as Error).message}); retrying`);
      await sleep(Math.min(10_000, 500 * 2 ** attempt));
    }
  }
}

await retry('index templates', () => putTemplates(fetch, opensearchUrl, auditgateTemplates({
  eventsPrefix: env['INDEXER_INDEX_PREFIX'] || 'auditgate-events',
  alertsPrefix: env['DETECTOR_ALERTS_INDEX_PREFIX'] || 'auditgate-alerts',
  shards: Number(env['INDEXER_INDEX_SHARDS'] || 1),
  replicas: Number(env['INDEXER_INDEX_REPLICAS'] || 0),
  refreshInterval: env['INDEXER_REFRESH_INTERVAL'] || '5s',
})));
if (dashboardsUrl !== undefined && dashboardsUrl !== '') {
  const ndjson = readFileSync(savedObjects, 'utf8');
  await retry('Dashboards saved objects', async () => { await importSavedObjects(fetch, dashboardsUrl, ndjson); });
}
