import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@auditgate/shared';
import { IntakePauses } from './intake-pauses.js';

type TopicPartitions = Array<{ topic: string; partitions?: number[] }>;
interface State { pause(t: TopicPartitions): void; resume(t: TopicPartitions): void; assign(t: TopicPartitions): void; active(): Array<{ topic: string; partitions: number[] }> }
/** KafkaJS's own pause bookkeeping, so the test holds IntakePauses to KafkaJS's real semantics. */
const SubscriptionState = createRequire(import.meta.url)('kafkajs/src/consumer/subscriptionState.js') as new () => State;

/** A consumer whose pauses are KafkaJS's subscription state, with every seek recorded; `down` makes it throw as KafkaJS does without a group. */
function fakeConsumer() {
  const state = new SubscriptionState();
  state.assign([{ topic: 'events', partitions: [0, 1, 2] }]);
  const seeks: string[] = [];
  let down = false;
  const guard = (): void => { if (down) throw new Error('Consumer group was not initialized, consumer#run must be called first'); };
  const consumer = {
    pause: (t: TopicPartitions) => { guard(); state.pause(t); },
    resume: (t: TopicPartitions) => { guard(); state.resume(t); },
    seek: (s: { topic: string; partition: number; offset: string }) => { guard(); seeks.push(`${s.partition}:${s.offset}`); },
  };
  return { consumer, seeks, fetched: () => state.active()[0]!.partitions, setDown: (d: boolean) => { down = d; } };
}

const quiet = createLogger({ name: 'intake-pauses-test', level: 'silent' });

describe('IntakePauses', () => {
  it('keeps a partition in backoff paused across a topic-wide resume, then seeks it and lets it be fetched', async () => {
    const c = fakeConsumer();
    const pauses = new IntakePauses({ consumer: () => c.consumer, topics: ['events'], logger: quiet });
    pauses.rewind('events', 1, '42', 30);
    assert.deepEqual(c.fetched(), [0, 2]);
    pauses.setOpenSearchAvailable(false);
    assert.deepEqual(c.fetched(), [], 'OpenSearch away: nothing is fetched (a partition pause must not clear the topic pause)');
    pauses.setOpenSearchAvailable(true);
    assert.deepEqual(c.fetched(), [0, 2], 'OpenSearch back: the partition in backoff stays paused (a topic resume clears it in KafkaJS)');
    await sleep(60);
    assert.deepEqual(c.seeks, ['1:42']);
    assert.deepEqual(c.fetched(), [0, 1, 2]);
  });

  it('a later rewind of the partition replaces the pending one; stopping pauses everything and drops pending rewinds', async () => {
    const c = fakeConsumer();
    const pauses = new IntakePauses({ consumer: () => c.consumer, topics: ['events'], logger: quiet });
    pauses.rewind('events', 0, '5', 30);
    pauses.rewind('events', 0, '7', 30);
    await sleep(60);
    assert.deepEqual(c.seeks, ['0:7']);
    pauses.rewind('events', 2, '9', 30);
    pauses.stop();
    await sleep(60);
    assert.deepEqual(c.seeks, ['0:7'], 'no seek after stop');
    assert.deepEqual(c.fetched(), []);
    pauses.setOpenSearchAvailable(true);
    assert.deepEqual(c.fetched(), [], 'stopping stays paused');
  });

  it('never throws while KafkaJS has no group, and re-applies its state when asked (after the next join)', async () => {
    const c = fakeConsumer();
    const pauses = new IntakePauses({ consumer: () => c.consumer, topics: ['events'], logger: quiet });
    c.setDown(true);
    pauses.setOpenSearchAvailable(false);
    pauses.rewind('events', 1, '3', 10);
    await sleep(30);
    assert.deepEqual(c.seeks, [], 'the seek could not be applied (logged)');
    c.setDown(false);
    pauses.apply();
    assert.deepEqual(c.fetched(), [], 'OpenSearch still away: paused again on the join');
  });
});
