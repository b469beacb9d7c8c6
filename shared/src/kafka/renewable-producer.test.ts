import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Producer, ProducerRecord, RecordMetadata } from 'kafkajs';
import { createLogger } from '../logging/create-logger.js';
import { isFatalProducerState, RenewableProducer } from './renewable-producer.js';

/** A producer double whose `send` answers from a script; records connects, disconnects and sends. */
function scripted(name: string, answers: Array<'ok' | Error>, log: string[]): Producer {
  return {
    connect: async () => { log.push(`${name} connect`); },
    disconnect: async () => { log.push(`${name} disconnect`); },
    send: async (record: ProducerRecord): Promise<RecordMetadata[]> => {
      log.push(`${name} send ${record.messages.length}`);
      const answer = answers.shift() ?? 'ok';
      if (answer !== 'ok') throw answer;
      return [];
    },
  } as unknown as Producer;
}

const outOfOrder = (): Error => Object.assign(new Error('The broker received an out of order sequence number'), { type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
const logger = createLogger({ name: 'test', level: 'silent' });
const record: ProducerRecord = { topic: 't', messages: [{ key: 'k', value: 'v' }] };

describe('RenewableProducer', () => {
  it('recognises the broker refusing the idempotence state, also when wrapped by retries', () => {
    assert.equal(isFatalProducerState(outOfOrder()), true);
    assert.equal(isFatalProducerState({ name: 'KafkaJSNumberOfRetriesExceeded', message: 'x', originalError: outOfOrder() }), true);
    assert.equal(isFatalProducerState(Object.assign(new Error('unknown producer'), { type: 'UNKNOWN_PRODUCER_ID' })), true);
    assert.equal(isFatalProducerState(new Error('Connection timeout')), false);
    assert.equal(isFatalProducerState(undefined), false);
  });

  it('fails the send that hit a lost sequence, then sends through a fresh producer', async () => {
    const log: string[] = [];
    const made: string[] = [];
    const scripts: Record<string, Array<'ok' | Error>> = { p1: [outOfOrder()], p2: [] };
    const renewable = new RenewableProducer(() => { const name = `p${made.length + 1}`; made.push(name); return scripted(name, scripts[name] ?? [], log); }, logger);
    await renewable.connect();
    await assert.rejects(renewable.send(record), /out of order sequence/);
    await renewable.send(record);
    assert.deepEqual(made, ['p1', 'p2']);
    assert.deepEqual(log, ['p1 connect', 'p1 send 1', 'p1 disconnect', 'p2 connect', 'p2 send 1']);
    assert.equal(renewable.renewed, 1);
  });

  it('a connect that failed (Kafka down at start) is tried again by the next send, not left to refuse sends forever', async () => {
    const log: string[] = [];
    let connects = 0;
    const producer = {
      connect: async () => { connects += 1; log.push(`connect ${connects}`); if (connects === 1) throw new Error('Connection error: ECONNREFUSED'); },
      disconnect: async () => { log.push('disconnect'); },
      send: async (r: ProducerRecord): Promise<RecordMetadata[]> => { log.push(`send ${r.messages.length}`); return []; },
    } as unknown as Producer;
    const renewable = new RenewableProducer(() => producer, logger);
    await assert.rejects(renewable.connect(), /ECONNREFUSED/);
    await renewable.send(record);
    assert.deepEqual(log, ['connect 1', 'connect 2', 'send 1']);
    await renewable.send(record);
    assert.deepEqual(log, ['connect 1', 'connect 2', 'send 1', 'send 1'], 'connected once, not per send');
    await renewable.disconnect();
  });

  it('keeps its producer on ordinary failures (a broker that is down)', async () => {
    const log: string[] = [];
    let count = 0;
    const renewable = new RenewableProducer(() => { count += 1; return scripted(`p${count}`, [new Error('Connection error: ECONNREFUSED')], log); }, logger);
    await assert.rejects(renewable.send(record), /ECONNREFUSED/);
    await renewable.send(record);
    assert.equal(count, 1);
    assert.equal(renewable.renewed, 0);
  });
});
