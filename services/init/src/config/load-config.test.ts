import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCodes, isAppError } from '@auditgate/shared';
import { INIT_DEFAULTS, loadConfig } from './load-config.js';

it('defaults: the in-cluster OpenSearch, the services\' index defaults, templates only, five minutes', () => {
  assert.deepEqual(loadConfig({}), {
    logLevel: 'info',
    opensearch: { url: 'http://opensearch:9200' },
    templates: { eventsPrefix: 'auditgate-events', alertsPrefix: 'auditgate-alerts', shards: 1, replicas: 0, refreshInterval: '1s' },
    timeoutMs: 300_000,
  });
  assert.equal(loadConfig({}).opensearch.url, INIT_DEFAULTS.opensearchUrl);
});

it('reads every setting, under the names the indexer and detector read', () => {
  const config = loadConfig({
    LOG_LEVEL: 'debug', OPENSEARCH_URL: 'https://os.example:9200', DASHBOARDS_URL: 'http://dashboards:5601',
    DASHBOARDS_SAVED_OBJECTS: '/objects.ndjson', INDEXER_INDEX_PREFIX: 'ev', DETECTOR_ALERTS_INDEX_PREFIX: 'al',
    INDEXER_INDEX_SHARDS: '3', INDEXER_INDEX_REPLICAS: '2', INDEXER_REFRESH_INTERVAL: '-1', INIT_TIMEOUT_MS: '1000',
  });
  assert.deepEqual(config, {
    logLevel: 'debug',
    opensearch: { url: 'https://os.example:9200' },
    templates: { eventsPrefix: 'ev', alertsPrefix: 'al', shards: 3, replicas: 2, refreshInterval: '-1' },
    dashboards: { url: 'http://dashboards:5601', savedObjectsPath: '/objects.ndjson' },
    timeoutMs: 1000,
  });
});

it('Dashboards: off when DASHBOARDS_URL is unset or empty; the saved objects default to the image\'s copy', () => {
  assert.equal(loadConfig({ DASHBOARDS_URL: '' }).dashboards, undefined);
  assert.equal(loadConfig({ DASHBOARDS_SAVED_OBJECTS: '/x.ndjson' }).dashboards, undefined);
  assert.deepEqual(loadConfig({ DASHBOARDS_URL: 'http://d:5601' }).dashboards, { url: 'http://d:5601', savedObjectsPath: '/app/dashboards/auditgate.ndjson' });
});

it('empty values take the defaults, as unset ones do', () => {
  assert.deepEqual(loadConfig({ INDEXER_INDEX_PREFIX: '', INDEXER_INDEX_SHARDS: '', INIT_TIMEOUT_MS: '', OPENSEARCH_URL: '' }), loadConfig({}));
});

it('one AUDITGATE_E_CONFIG_INVALID error lists every bad key', () => {
  const bad = {
    LOG_LEVEL: 'loud', OPENSEARCH_URL: 'opensearch:9200', DASHBOARDS_URL: 'ftp://d', INDEXER_INDEX_PREFIX: 'Events',
    DETECTOR_ALERTS_INDEX_PREFIX: '-alerts', INDEXER_INDEX_SHARDS: '0', INDEXER_INDEX_REPLICAS: 'two',
    INDEXER_REFRESH_INTERVAL: '5', INIT_TIMEOUT_MS: '-1',
  };
  const error = (() => { try { loadConfig(bad); } catch (e) { return e; } return undefined; })();
  assert.ok(isAppError(error));
  assert.equal(error.code, ErrorCodes.CONFIG_INVALID);
  const problems = error.details['problems'] as string[];
  for (const key of Object.keys(bad)) assert.ok(problems.some((p) => p.startsWith(key)), `${key} not reported in ${JSON.stringify(problems)}`);
  assert.equal(problems.length, Object.keys(bad).length);
});

it('the events and alerts prefixes must differ (their templates would share a name)', () => {
  assert.throws(() => loadConfig({ INDEXER_INDEX_PREFIX: 'auditgate', DETECTOR_ALERTS_INDEX_PREFIX: 'auditgate' }), /must differ/);
});

it('accepts OpenSearch time values as the refresh interval', () => {
  for (const v of ['1s', '500ms', '2m', '0', '-1', '100micros']) assert.equal(loadConfig({ INDEXER_REFRESH_INTERVAL: v }).templates.refreshInterval, v);
  for (const v of ['1 s', 's', '1.5s', '10x']) assert.throws(() => loadConfig({ INDEXER_REFRESH_INTERVAL: v }), /INDEXER_REFRESH_INTERVAL/);
});
