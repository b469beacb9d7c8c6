/** The checks that a row's fault struck: each fails on a row where its fault left no trace, and passes on one where it did. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alertsPending, bulkInFlight, failClosedRefused, indexerHeldUp, producerReplaced, requestsCut, spooled, spooledAtKill } from './fault-struck.js';
import type { SentRequest } from './load-generator.js';
import { metricSum } from './service-metrics.js';

const req = (startedAt: number, extra: Partial<SentRequest> = {}): SentRequest => ({
  seq: startedAt, actor: 0, kind: 'get-configmap', method: 'GET', path: '/api/v1/namespaces/ns/configmaps/a', startedAt, endedAt: startedAt + 5, status: 200, auditId: `id-${startedAt}`, complete: true, ...extra,
});
const refused = (startedAt: number): SentRequest => req(startedAt, { status: 503, cause: 'AUDITGATE_E_KAFKA_UNAVAILABLE' });
const none = { sent: [] as SentRequest[], logs: {} };

describe('fault-struck checks', () => {
  it('1a fail-closed: needs a 503 for Kafka among the requests sent during the outage', () => {
    const notes = { outageFrom: 1000, outageTo: 2000 };
    assert.deepEqual(failClosedRefused({ notes, sent: [req(1500), refused(1400)], logs: {} }), []);
    assert.equal(failClosedRefused({ notes, sent: [req(1500), refused(2500)], logs: {} }).length, 1, 'a refusal after the outage is not its trace');
    assert.equal(failClosedRefused({ notes, sent: [req(1500), req(1600, { status: 503, cause: 'AUDITGATE_E_BUSY' })], logs: {} }).length, 1);
    assert.equal(failClosedRefused({ notes: {}, sent: [refused(1500)], logs: {} }).length, 1, 'no outage window, no proof');
  });

  it('1b/1c spool: needs spooled bytes and no refusal for Kafka', () => {
    assert.deepEqual(spooled({ notes: { spoolBytesDuringOutage: 4096 }, sent: [req(1)], logs: {} }), []);
    assert.equal(spooled({ notes: { spoolBytesDuringOutage: 0 }, sent: [req(1)], logs: {} }).length, 1);
    assert.equal(spooled({ notes: { spoolBytesDuringOutage: 4096 }, sent: [refused(1)], logs: {} }).length, 1);
    assert.deepEqual(spooledAtKill({ notes: { spoolBytesAtKill: 10 }, ...none }), []);
    assert.equal(spooledAtKill({ notes: {}, ...none }).length, 1);
  });

  it('2 OpenSearch: needs lag and failed bulks during the outage', () => {
    assert.deepEqual(indexerHeldUp({ notes: { indexerLagDuringOutage: 40, indexerFailedBulksDuringOutage: 3, indexerRetriedItemsDuringOutage: 0 }, ...none }), []);
    assert.equal(indexerHeldUp({ notes: { indexerLagDuringOutage: 0, indexerFailedBulksDuringOutage: 3, indexerRetriedItemsDuringOutage: 9 }, ...none }).length, 1);
    assert.equal(indexerHeldUp({ notes: { indexerLagDuringOutage: 40, indexerFailedBulksDuringOutage: 0, indexerRetriedItemsDuringOutage: 0 }, ...none }).length, 1);
  });

  it('3 indexer kill: needs a bulk in flight with documents', () => {
    assert.deepEqual(bulkInFlight({ notes: { bulksHeldAtKill: 1, docsInHeldBulks: 12 }, ...none }), []);
    assert.equal(bulkInFlight({ notes: { bulksHeldAtKill: 0, docsInHeldBulks: 0, uncommittedAtKill: 80 }, ...none }).length, 2);
  });

  it('4 detector kill: needs pending alerts and refused pages', () => {
    assert.deepEqual(alertsPending({ notes: { alertsPendingAtKill: 3, rejectedBeforeKill: 5 }, ...none }), []);
    assert.equal(alertsPending({ notes: { alertsPendingAtKill: 3, rejectedBeforeKill: 0 }, ...none }).length, 1);
  });

  it('5 proxy kill: needs requests in flight and a request cut by the kill', () => {
    const notes = { requestsInFlightAtKill: 7, killedAt: 1000 };
    assert.deepEqual(requestsCut({ notes, sent: [req(900, { error: 'ECONNRESET' }), req(1200)], logs: {} }), []);
    assert.equal(requestsCut({ notes, sent: [req(900), req(1200, { error: 'ECONNREFUSED' })], logs: {} }).length, 1);
  });

  it('6 broker restart: needs lost produce answers and a producer replaced', () => {
    const logs = { proxy: { producerReplaced: 0 }, detector: { producerReplaced: 1 } };
    assert.deepEqual(producerReplaced({ notes: { produceAnswersLost: 2 }, sent: [], logs }), []);
    assert.equal(producerReplaced({ notes: { produceAnswersLost: 2 }, sent: [], logs: { proxy: { producerReplaced: 0 } } }).length, 1);
    assert.equal(producerReplaced({ notes: { produceAnswersLost: 0 }, sent: [], logs }).length, 1);
  });

  it('metricSum adds the samples of one metric, filtered by labels', () => {
    const text = [
      '# HELP auditgate_indexer_bulk_retries_total Items retried',
      '# TYPE auditgate_indexer_bulk_retries_total counter',
      'auditgate_indexer_bulk_retries_total{reason="transport"} 12',
      'auditgate_indexer_bulk_retries_total{reason="es_rejected_execution_exception"} 3',
      'auditgate_indexer_bulk_retries_total_extra 100',
      'auditgate_indexer_bulk_duration_seconds_count{outcome="error"} 4',
      'auditgate_indexer_bulk_duration_seconds_count{outcome="ok"} 50',
      'auditgate_indexer_opensearch_up 0',
    ].join('\n');
    assert.equal(metricSum(text, 'auditgate_indexer_bulk_retries_total'), 15);
    assert.equal(metricSum(text, 'auditgate_indexer_bulk_duration_seconds_count', ['outcome="error"']), 4);
    assert.equal(metricSum(text, 'auditgate_indexer_opensearch_up'), 0);
    assert.equal(metricSum(text, 'missing_metric'), 0);
  });
});
