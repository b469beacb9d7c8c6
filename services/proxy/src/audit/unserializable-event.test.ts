import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CURRENT_SCHEMA_VERSION, ErrorCodes, GENESIS_HASH, chainHash, createLogger, isAppError, type AuditEvent } from '@auditgate/shared';
import { AuditChain } from './audit-chain.js';
import type { BatchingProducer } from './batching-producer.js';
import { buildAuditEvent, type GatewayFacts } from './exchange-record.js';
import { KafkaAuditSink } from './kafka-audit-sink.js';

const FACTS: GatewayFacts = {
  instance: 'sink-unit', version: '0.1.0', cluster: { name: 'local' }, upstream: () => ({ mode: 'kubeconfig' }), schemaVersion: CURRENT_SCHEMA_VERSION,
};

function event(id: string, requestObject: unknown): AuditEvent {
  const e = buildAuditEvent(FACTS, {
    auditID: `00000000-0000-4000-8000-${id.padStart(12, '0')}`, receivedAt: Date.now(), requestURI: '/api/v1/namespaces/ns/configmaps', verb: 'create',
    sourceIP: '127.0.0.1', level: 'Request', actor: { issuer: 'https://issuer', subject: 'a', username: 'a', groups: [], tokenKind: 'serviceaccount' },
  }, 'RequestReceived', Date.now());
  return { ...e, requestObject } as AuditEvent;
}

/** A producer that keeps what it was given (the sink's only way out), so nothing here needs Kafka. */
function keepingProducer(): { producer: BatchingProducer; sent: string[] } {
  const sent: string[] = [];
  const producer = { send: async (_key: string, value: Buffer) => { sent.push(value.toString('utf8')); }, flush: async () => undefined } as unknown as BatchingProducer;
  return { producer, sent };
}

test('an event that cannot be serialized is refused as EVENT_INVALID (500), not as a Kafka outage, and leaves no gap in the chain', async () => {
  const { producer, sent } = keepingProducer();
  const chain = new AuditChain('sink-unit/boot');
  chain.begin({ prevHash: GENESIS_HASH });
  const sink = new KafkaAuditSink({ producer, mode: 'fail-closed', logger: createLogger({ name: 'sink-unit', level: 'silent' }), chain });
  await assert.rejects(sink.writeAhead(event('1', { n: 1n })), (error: unknown) => isAppError(error) && error.code === ErrorCodes.EVENT_INVALID && error.status === 500);
  assert.equal(sink.healthy(), true, 'the audit log is not marked unavailable');
  await sink.writeAhead(event('2', { k: 'a\ud800b' }));
  assert.equal(sent.length, 1);
  const stored = JSON.parse(sent[0]!) as AuditEvent;
  assert.equal(stored.auditgate.chain?.seq, 1, 'the refused event used no sequence number');
  assert.equal(chainHash(stored), stored.auditgate.chain?.hash, 'the stored record verifies');
});
