/**
 * No Secret value written during this test run is at rest in plaintext: not on any Kafka topic (every topic written
 * since the run started, not only the events topic), not in any OpenSearch document. The values looked for are every
 * Secret value the API server's own audit log shows written since the run started, each in every form a leak would
 * take (see leak-needles.ts), in every record and document of the run. run-tests.sh runs this file after all the
 * others; it fails when there was nothing to scan or nothing to look for, rather than pass on an empty window.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createKafka, createLogger, Topics } from '@auditgate/shared';
import { readKubeCredentials, readStackEnv, uniqueName } from '@auditgate/shared/testing';
import { harvestSecretValues, type HarvestedSecrets } from './secret-values.js';
import { leakNeedles, type Needle } from './leak-needles.js';
import { scanKafka } from './scan-kafka.js';
import { newestTimestampMs, scanOpenSearch } from './scan-opensearch.js';
import { SubstringMatcher } from './substring-matcher.js';

const stack = readStackEnv(process.env);
const since = Number(process.env['AUDITGATE_TEST_RUN_STARTED'] ?? Date.now() - 3_600_000);

describe('no Secret value at rest in plaintext (Kafka and OpenSearch)', { timeout: 15 * 60_000 }, () => {
  let harvested: HarvestedSecrets;
  let needles: Needle[] = [];

  before(async () => {
    harvested = await harvestSecretValues(readKubeCredentials(stack).auditLog, since);
    needles = harvested.values.flatMap((v) => leakNeedles(v));
  });

  it('the scan looks for every Secret value of the run: the API server log covers the run and shows some', (t) => {
    t.diagnostic(`${harvested.values.length} Secret values from ${harvested.entries} API server entries since ${new Date(since).toISOString()}, ${needles.length} forms`);
    assert.ok(harvested.oldestEntryMs !== undefined && harvested.oldestEntryMs <= since,
      `the API server's audit log was rotated away past the run's start (${new Date(since).toISOString()}, oldest entry ${harvested.oldestEntryMs === undefined ? 'none' : new Date(harvested.oldestEntryMs).toISOString()}): the Secret values written before that are unknown`);
    assert.ok(harvested.values.length > 0, `no Secret value written since ${new Date(since).toISOString()} (${harvested.entries} Secret entries): nothing to look for`);
  });

  it('the matcher finds each form of a planted value (the scan can fail)', () => {
    const planted = leakNeedles({ key: 'password', value: `planted-${uniqueName('v')}` });
    const matcher = new SubstringMatcher(planted.map((n) => n.text));
    const value = planted[0]!.secret.value;
    const carriers = [
      JSON.stringify({ requestObject: { stringData: { password: value } } }),
      JSON.stringify({ responseObject: { data: { password: Buffer.from(value).toString('base64') } } }),
      JSON.stringify({ annotation: JSON.stringify({ stringData: { password: value } }) }),
      Buffer.from(`xy${value}z`).toString('base64'),
    ];
    for (const c of carriers) assert.ok(matcher.find(c).length > 0, c);
    assert.deepEqual(matcher.find(JSON.stringify({ data: { password: 'masked:hmac-sha256:abcd' } })), []);
  });

  it('a document is of the run by its newest timestamp (one recent stage is enough; none at all means it is judged)', () => {
    const doc = { requestReceivedTimestamp: '2026-01-01T00:00:00.000Z', stages: { ResponseComplete: { stageTimestamp: '2026-01-01T00:00:05-01:00' } }, note: 'at 2027-01-01T00:00:00Z' };
    assert.equal(newestTimestampMs(JSON.stringify(doc)), Date.parse('2026-01-01T00:00:05-01:00'));
    assert.equal(newestTimestampMs(JSON.stringify({ data: { k: 'v' } })), undefined);
  });

  it('Kafka: no record of any topic written since the run started carries one', async (t) => {
    const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: uniqueName('plaintext-scan'), logger: createLogger({ name: 'scan', level: 'error' }) });
    const report = await scanKafka(kafka, needles, since);
    t.diagnostic(`${report.scanned} records of ${report.sources} topics`);
    assert.ok(report.scanned > 0, 'no record was written to Kafka since the run started: nothing was scanned');
    assert.ok((report.perSource[Topics.events] ?? 0) > 0, `the events topic was not scanned (topics: ${Object.keys(report.perSource).join(', ')})`);
    assert.deepEqual(report.leaks.slice(0, 10), [], `${report.leaks.length} leaks in ${report.scanned} records of ${report.sources} topics, looking for ${harvested.values.length} values`);
  });

  it('OpenSearch: no document of any index carries one', async (t) => {
    const report = await scanOpenSearch(stack.opensearchUrl, needles, since);
    t.diagnostic(`${report.scanned} documents of ${report.sources} indices`);
    assert.ok(report.scanned > 0, 'OpenSearch holds no document: nothing was scanned');
    assert.deepEqual(report.leaks.slice(0, 10), [], `${report.leaks.length} leaks in ${report.scanned} documents of ${report.sources} indices, looking for ${harvested.values.length} values`);
  });
});
