import type { SettingsDoc } from '@auditgate/shared';

/** The init job's settings as the README's table shows them; defaults come from `load-config.ts` itself. */
export const initSettingsDoc: SettingsDoc = {
  probes: [{}, { DASHBOARDS_URL: 'http://127.0.0.1:1' }],
  rows: [
    { keys: ['OPENSEARCH_URL'], meaning: 'OpenSearch (the in-cluster service by default)' },
    {
      keys: ['INDEXER_INDEX_PREFIX', 'DETECTOR_ALERTS_INDEX_PREFIX'],
      meaning: 'the events and alerts index prefixes whose templates it installs; set them as the indexer and the detector have them (they must differ)',
    },
    {
      keys: ['INDEXER_INDEX_SHARDS', 'INDEXER_INDEX_REPLICAS', 'INDEXER_REFRESH_INTERVAL'],
      meaning: 'the events indices\' layout, under the indexer\'s names',
    },
    {
      keys: ['DASHBOARDS_URL', 'DASHBOARDS_SAVED_OBJECTS'],
      meaning: 'OpenSearch Dashboards, where the saved objects (the NDJSON export the image ships) are imported; unset or empty: templates only',
    },
    { keys: ['INIT_TIMEOUT_MS'], meaning: 'how long every step together may keep retrying before the job fails' },
    { keys: ['LOG_LEVEL'], meaning: 'pino level' },
  ],
};
