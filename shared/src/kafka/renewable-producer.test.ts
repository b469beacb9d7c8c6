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

  it('replaces its producer after any failed send, even an ordinary one: the broker may have written the batch kafkajs rolled back', async () => {
    const log: string[] = [];
    let count = 0;
    const renewable = new RenewableProducer(() => { count += 1; return scripted(`p${count}`, count === 1 ? [new Error('Closed connection')] : [], log); }, logger);
    await assert.rejects(renewable.send(record), /Closed connection/);
    await renewable.send(record);
    assert.equal(count, 2);
    assert.equal(renewable.renewed, 1);
    assert.deepEqual(log, ['p1 connect', 'p1 send 1', 'p1 disconnect', 'p2 connect', 'p2 send 1']);
  });

  it('sends one at a time: a send queued behind a failing one goes through the fresh producer, never the old one', async () => {
    const log: string[] = [];
    let count = 0;
    let fail!: (e: Error) => void;
    const hanging = (name: string): Producer => ({
      connect: async () => { log.push(`${name} connect`); },
      disconnect: async () => { log.push(`${name} disconnect`); },
      send: (r: ProducerRecord) => { log.push(`${name} send ${r.messages.length}`); return name === 'p1' ? new Promise<RecordMetadata[]>((_, reject) => { fail = reject; }) : Promise.resolve([]); },
    }) as unknown as Producer;
    const renewable = new RenewableProducer(() => { count += 1; return hanging(`p${count}`); }, logger);
    const first = renewable.send(record);
    const second = renewable.send({ topic: 't', messages: [{ value: 'a' }, { value: 'b' }] });
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(log, ['p1 connect', 'p1 send 1'], 'the second waits for the first');
    fail(new Error('Closed connection'));
    await assert.rejects(first, /Closed connection/);
    await second;
    assert.deepEqual(log, ['p1 connect', 'p1 send 1', 'p1 disconnect', 'p2 connect', 'p2 send 2']);
  });

  it('a replacement that cannot connect yet (Kafka still down) leaves no unhandled rejection; the next send connects it', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => { unhandled.push(reason); };
    process.on('unhandledRejection', onUnhandled);
    try {
      const log: string[] = [];
      let count = 0;
      let kafkaUp = false;
      const renewable = new RenewableProducer(() => {
        count += 1;
        const name = `p${count}`;
        return {
          connect: async () => { log.push(`${name} connect`); if (count > 1 && !kafkaUp) throw new Error('Connection error: ECONNREFUSED'); },
          disconnect: async () => { log.push(`${name} disconnect`); },
          send: async () => { log.push(`${name} send`); if (name === 'p1') throw new Error('Closed connection'); return []; },
        } as unknown as Producer;
      }, logger);
      await assert.rejects(renewable.send(record), /Closed connection/);
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(unhandled, []);
      await assert.rejects(renewable.send(record), /ECONNREFUSED/, 'a send while Kafka is down fails (the caller spools or answers 503)');
      kafkaUp = true;
      await renewable.send(record);
      assert.deepEqual(log, ['p1 connect', 'p1 send', 'p1 disconnect', 'p2 connect', 'p2 connect', 'p2 connect', 'p2 send']);
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('after disconnect, a failed send replaces nothing', async () => {
    const log: string[] = [];
    let count = 0;
    const renewable = new RenewableProducer(() => { count += 1; return scripted(`p${count}`, [new Error('The producer is disconnected')], log); }, logger);
    await renewable.connect();
    await renewable.disconnect();
    await assert.rejects(renewable.send(record), /disconnected/);
    assert.equal(count, 1);
  });
});
