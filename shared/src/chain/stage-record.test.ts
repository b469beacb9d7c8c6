import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exchangeDocument, mergePartial } from '../events/exchange-document.js';
import { chainHash } from './chain-hash.js';
import { HashChain } from './hash-chain.js';
import { rebuildStageEvent, stageRecord, type StageRecord } from './stage-record.js';
import { chainSampleEvent } from './chain.test-helper.js';

test('a stage record keeps the event as produced, leaving the request and final response objects to the document', () => {
  const chain = new HashChain('proxy-0/b');
  const received = chainSampleEvent('b0000001');
  const complete = chainSampleEvent('b0000001', 'ResponseComplete');
  chain.linkAndSerialize(received);
  chain.linkAndSerialize(complete);
  const doc = mergePartial(exchangeDocument(received), exchangeDocument(complete));
  const stages = doc['stages'] as Record<string, StageRecord>;
  for (const [stage, event] of [['RequestReceived', received], ['ResponseComplete', complete]] as const) {
    const record = stages[stage]!;
    assert.equal('requestObject' in record.event, false);
    assert.equal('responseObject' in record.event, false);
    const rebuilt = rebuildStageEvent(record, JSON.parse(JSON.stringify(doc)) as Record<string, unknown>);
    assert.ok(rebuilt.event !== undefined);
    assert.equal(chainHash(rebuilt.event), event.auditgate.chain!.hash);
  }
  assert.equal((doc['auditgate'] as Record<string, unknown>)['chain'], undefined, 'no last-writer-wins chain at the top');
});

test('an edited elided field is named, not silently rebuilt', () => {
  const event = chainSampleEvent('b0000002', 'ResponseComplete');
  new HashChain('proxy-0/b').linkAndSerialize(event);
  const record = stageRecord(event)!;
  const doc = { ...exchangeDocument(event), responseObject: { kind: 'Pod', metadata: { name: 'other' } } };
  const rebuilt = rebuildStageEvent(record, doc);
  assert.equal(rebuilt.event, undefined);
  assert.match(rebuilt.problems[0]!, /responseObject differs/);
});

test('an event without a chain link has no stage record', () => {
  assert.equal(stageRecord(chainSampleEvent('b0000003')), undefined);
});

test('a record holding what the gateway never hashes (a lone surrogate, from an older or foreign producer) is indexed, and verify names it', () => {
  const event = chainSampleEvent('b0000004', 'ResponseComplete');
  new HashChain('proxy-0/b').linkAndSerialize(event);
  // As if produced before events were made I-JSON: parsed from a record that carried "\ud800".
  const foreign = JSON.parse(JSON.stringify({ ...event, requestObject: { k: 'a\ud800b' }, verb: 'get\udc00' })) as typeof event;
  const doc = exchangeDocument(foreign);
  const record = (doc['stages'] as Record<string, StageRecord>)['ResponseComplete']!;
  const rebuilt = rebuildStageEvent(record, doc);
  assert.ok(rebuilt.event !== undefined, 'the elided object is named by the digest of its I-JSON form, on both sides');
  assert.throws(() => chainHash(rebuilt.event!), { code: 'AUDITGATE_E_NOT_CANONICAL_JSON' }, 'its hash cannot be recomputed: verify counts it changed');
});
