import { EnvReader, EVENTS_LAYOUT_DEFAULTS, type Env, type SettingObserver } from '@auditgate/shared';
import type { InitConfig } from './init-config.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const INDEX_NAME = /^[a-z0-9][a-z0-9._-]*$/;
// OpenSearch's time values: -1 (never) and 0, or a number with a unit.
const REFRESH_INTERVAL = /^(-1|0|[0-9]+(d|h|m|s|ms|micros|nanos))$/;

/** The init job's defaults, in one place: the in-cluster service names and the services' own index defaults. */
export const INIT_DEFAULTS = {
  opensearchUrl: 'http://opensearch:9200',
  savedObjectsPath: '/app/dashboards/auditgate.ndjson',
  eventsPrefix: EVENTS_LAYOUT_DEFAULTS.indexPrefix,
  alertsPrefix: 'auditgate-alerts',
  shards: EVENTS_LAYOUT_DEFAULTS.shards,
  replicas: EVENTS_LAYOUT_DEFAULTS.replicas,
  refreshInterval: EVENTS_LAYOUT_DEFAULTS.refreshInterval,
  timeoutMs: 300_000,
} as const;

function indexPrefix(reader: EnvReader, key: string, fallback: string): string {
  const value = reader.str(key, fallback);
  if (!INDEX_NAME.test(value)) reader.problem(`${key} must be a lower-case index name, got "${value}"`);
  return value;
}

/**
 * Reads and validates the init job's configuration from `env`; throws one error listing every bad key.
 * `observe` hears each read (the README's settings tables are generated from it).
 */
export function loadConfig(env: Env, observe?: SettingObserver): InitConfig {
  const reader = new EnvReader(env, observe);
  const eventsPrefix = indexPrefix(reader, 'INDEXER_INDEX_PREFIX', INIT_DEFAULTS.eventsPrefix);
  const alertsPrefix = indexPrefix(reader, 'DETECTOR_ALERTS_INDEX_PREFIX', INIT_DEFAULTS.alertsPrefix);
  if (eventsPrefix === alertsPrefix) reader.problem(`INDEXER_INDEX_PREFIX and DETECTOR_ALERTS_INDEX_PREFIX must differ, both are "${eventsPrefix}"`);
  const refreshInterval = reader.str('INDEXER_REFRESH_INTERVAL', INIT_DEFAULTS.refreshInterval);
  if (!REFRESH_INTERVAL.test(refreshInterval)) reader.problem(`INDEXER_REFRESH_INTERVAL must be an OpenSearch time value (e.g. 1s, 500ms, -1), got "${refreshInterval}"`);
  // Unset or empty: no Dashboards, templates only.
  const dashboardsUrl = reader.url('DASHBOARDS_URL', '');
  const savedObjectsPath = reader.str('DASHBOARDS_SAVED_OBJECTS', INIT_DEFAULTS.savedObjectsPath);
  const config: InitConfig = {
    logLevel: reader.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    opensearch: { url: reader.url('OPENSEARCH_URL', INIT_DEFAULTS.opensearchUrl) },
    templates: {
      eventsPrefix,
      alertsPrefix,
      shards: reader.int('INDEXER_INDEX_SHARDS', INIT_DEFAULTS.shards, { min: 1, max: 64 }),
      replicas: reader.int('INDEXER_INDEX_REPLICAS', INIT_DEFAULTS.replicas, { min: 0, max: 8 }),
      refreshInterval,
    },
    ...(dashboardsUrl === '' ? {} : { dashboards: { url: dashboardsUrl, savedObjectsPath } }),
    timeoutMs: reader.int('INIT_TIMEOUT_MS', INIT_DEFAULTS.timeoutMs, { min: 0 }),
  };
  reader.finish();
  return config;
}
