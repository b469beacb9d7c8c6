import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditStage } from '@auditgate/shared';
import { enrichEvent } from '../enrich/enrich-event.js';
import { NO_KUBE_METADATA } from '../enrich/kube-metadata.js';
import { sampleEvent } from '../enrich/sample-event.test-helper.js';
import { buildPartialDocument, indexNameFor, mergePartial } from './build-document.js';

const partial = (stage: AuditStage) => {
  const event = sampleEvent({ auditID: 'abcdefgh-1', stage });
  return buildPartialDocument(event, enrichEvent(event, { name: 'prod' }, NO_KUBE_METADATA));
};

test('a RequestReceived contributes request facts and its stage, never response facts', () => {
  const doc = partial('RequestReceived');
  assert.equal(doc['auditID'], 'abcdefgh-1');
  assert.deepEqual(Object.keys(doc['stages'] as object), ['RequestReceived']);
  for (const key of ['responseStatus', 'responseObject', 'complete', 'stageTimestamp']) assert.equal(doc[key], undefined, key);
  const ext = doc['auditgate'] as Record<string, unknown>;
  assert.deepEqual(Object.keys(ext['body'] as object), ['request']);
  assert.equal((ext['enrichment'] as Record<string, unknown>)['durationMs'], undefined);
});

test('the terminal stage contributes the response', () => {
  const doc = partial('ResponseComplete');
  assert.equal(doc['complete'], true);
  assert.deepEqual(doc['responseStatus'], { code: 200 });
  assert.ok(doc['responseObject']);
  const ext = doc['auditgate'] as Record<string, Record<string, unknown>>;
  assert.equal(ext['body']?.['response'] !== undefined, true);
  assert.equal(ext['enrichment']?.['durationMs'], 250);
});

test('merging the stages in any order gives the same document', () => {
  const stages: AuditStage[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete'];
  const orders = [[0, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1], [0, 2, 1, 0, 2]];
  const docs = orders.map((order) => order.reduce<Record<string, unknown>>((acc, i) => mergePartial(acc, partial(stages[i]!)), {}));
  for (const doc of docs) assert.deepEqual(doc, docs[0]);
  assert.deepEqual(Object.keys(docs[0]!['stages'] as object).sort(), ['RequestReceived', 'ResponseComplete', 'ResponseStarted']);
});

test('mergePartial merges objects recursively and replaces scalars and arrays', () => {
  assert.deepEqual(mergePartial({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3], e: 2 }, d: 2 }), { a: { b: 1, c: [3], e: 2 }, d: 2 });
});

test('the daily index is named by the UTC day of requestReceivedTimestamp', () => {
  assert.equal(indexNameFor('auditgate-events', '2026-03-14T10:00:00.123456789Z'), 'auditgate-events-2026.03.14');
  assert.equal(indexNameFor('x', '2026-12-31T23:30:00+00:00'), 'x-2026.12.31');
  assert.equal(indexNameFor('x', '2027-01-01T00:30:00.5+02:00'), 'x-2026.12.31');
  assert.equal(indexNameFor('x', '2026-02-01T00:00:00Z'), 'x-2026.02.01');
});
