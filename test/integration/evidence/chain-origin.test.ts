import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { Kafka, Producer } from 'kafkajs';
import { createLogger, createMetricsRegistry, ensureTopics, type Checkpoint, type SendingProducer } from '@auditgate/shared';
import { uniqueName } from '@auditgate/shared/testing';
import { findChainOrigin } from '../../../services/proxy/src/evidence/chain-origin.js';
import { signCheckpoint } from '../../../services/proxy/src/evidence/checkpoint-signer.js';
import { createEvidence } from '../../../services/proxy/src/evidence/evidence.js';
import { ephemeralSigner } from '../../../services/proxy/src/evidence/local-key-signer.js';
import { evidenceKafka } from './support/evidence-harness.js';

const quiet = createLogger({ name: 'chain-origin-test', level: 'silent' });
/** The checkpointer's sends, kept (the producer is not what these tests are about). */
const nullProducer = { async send() { return []; } } as unknown as SendingProducer;

/** A logger whose JSON lines are kept. */
function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: () => Array<Record<string, unknown>> } {
  const out: string[] = [];
  const destination = new Writable({ write(chunk, _e, cb) { out.push(String(chunk)); cb(); } });
  return { logger: createLogger({ name: 'evidence', level: 'info', destination }), lines: () => out.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('the previous stream is looked for in a bounded read of the checkpoints topic; an unlinked start is counted and logged (real Kafka)', () => {
  let kafka: Kafka;
  let producer: Producer;
  let topic: string;
  let eventsTopic: string;

  before(async () => {
    kafka = evidenceKafka();
    topic = `${uniqueName('origin')}.checkpoints`;
    eventsTopic = `${uniqueName('origin')}.events`;
    await ensureTopics(kafka, [{ topic, numPartitions: 1, configEntries: [] }, { topic: eventsTopic, numPartitions: 1, configEntries: [] }]);
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const signer = await ephemeralSigner();
    const at = Date.now() - 60_000;
    const checkpoint = (stream: string, seq: number, i: number, final = false): Checkpoint => ({
      stream, seq, hash: (i === 0 ? 'a' : String(i % 10)).repeat(64), time: new Date(at + i).toISOString(), count: 1, intervalMs: 1000, ...(final ? { final: true as const } : {}),
    });
    // The predecessor's final checkpoint, then 30 of another gateway's after it.
    const values = [await signCheckpoint(signer, checkpoint('gw-old/boot-1', 7, 0, true))];
    for (let i = 1; i <= 30; i += 1) values.push(await signCheckpoint(signer, checkpoint('gw-other/boot-9', i, i)));
    await producer.send({ topic, acks: -1, messages: values.map((value, i) => ({ key: i === 0 ? 'gw-old/boot-1' : 'gw-other/boot-9', value })) });
  });
  after(async () => { await producer.disconnect(); });

  it('only the last `lookback` records of each partition are read: a predecessor further back is not found', async () => {
    const sources = { instance: 'gw-old', checkpointsTopic: topic, eventsTopic, kafka, logger: quiet };
    assert.equal((await findChainOrigin({ ...sources, lookback: 20 })).predecessor, undefined, 'beyond the last 20 records');
    assert.deepEqual((await findChainOrigin({ ...sources, lookback: 31 })).predecessor, { stream: 'gw-old/boot-1', seq: 7 }, 'within the last 31');
    assert.deepEqual((await findChainOrigin(sources)).predecessor, { stream: 'gw-old/boot-1', seq: 7 }, 'within the default look back');
  });

  it('a start without a predecessor in reach, and one whose look back fails, are counted by reason and logged', async () => {
    const start = async (checkpointsTopic: string, originLookback: number): Promise<{ metrics: string; lines: Array<Record<string, unknown>>; prevHash: string }> => {
      const registry = createMetricsRegistry('proxy');
      const { logger, lines } = capturingLogger();
      const evidence = createEvidence({
        config: { enabled: true, checkpointsTopic, checkpointEveryEvents: 1000, checkpointIntervalMs: 60_000, signer: { kind: 'file' } },
        instance: 'gw-old', eventsTopic, producer: nullProducer, kafka, logger, registry, originLookback, originTimeoutMs: 10_000,
      });
      await evidence.start();
      const prevHash = evidence.chain.head().hash;
      await evidence.close();
      const metrics = (await registry.metrics()).split('\n').filter((l) => l.startsWith('auditgate_proxy_chain_unlinked_starts_total')).join('\n');
      return { metrics, lines: lines(), prevHash };
    };
    const linked = await start(topic, 100);
    assert.equal(linked.metrics, '', 'a linked start is not counted');
    assert.equal(linked.prevHash, 'a'.repeat(64), 'linked: the predecessor\'s final hash');

    const farBack = await start(topic, 20);
    assert.match(farBack.metrics, /^auditgate_proxy_chain_unlinked_starts_total\{reason="no-predecessor"[^}]*\} 1$/);
    assert.ok(farBack.lines.some((l) => /chain starts unlinked \(genesis\): no previous stream of instance gw-old among the last 20 checkpoints/.test(String(l['msg']))), JSON.stringify(farBack.lines));

    const failed = await start(`${uniqueName('origin')}.missing`, 100);
    assert.match(failed.metrics, /^auditgate_proxy_chain_unlinked_starts_total\{reason="lookup-failed"[^}]*\} 1$/);
    assert.ok(failed.lines.some((l) => l['level'] === 40 && /chain starts UNLINKED \(genesis\)/.test(String(l['msg']))), JSON.stringify(failed.lines));
  });
});
