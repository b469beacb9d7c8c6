import { createKafka, createLogger, Topics, type AuditEvent } from '@auditgate/shared';
import { readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';
import type { Consumer } from 'kafkajs';

/** Collects audit events (and their raw bytes) produced to the events topic after `start()`. */
export class EventCollector {
  readonly events: AuditEvent[] = [];
  readonly raw: string[] = [];
  private consumer: Consumer | undefined;
  private stopped = false;
  /** Where reading started, per partition; another collector can start from the same place. */
  offsets: Array<{ partition: number; offset: string }> = [];

  /** Subscribes from `from` or else the topic's current end, so only new events are seen. */
  async start(topic: string = Topics.events, from?: Array<{ partition: number; offset: string }>, brokers?: string[]): Promise<void> {
    const stack = readStackEnv(process.env);
    const kafka = createKafka({ brokers: brokers ?? stack.kafkaBrokers, clientId: uniqueName('collector'), logger: createLogger({ name: 'collector', level: 'error' }) });
    let offsets = from;
    if (offsets === undefined) {
      const admin = kafka.admin();
      await admin.connect();
      offsets = (await admin.fetchTopicOffsets(topic)).map((o) => ({ partition: o.partition, offset: o.offset }));
      await admin.disconnect();
    }
    this.offsets = offsets;
    // kafkajs schedules a restart after a crash even when disconnect() has begun; a stopped collector (its broker
    // stopped by the test afterwards) would then retry for ever and keep the test process alive.
    this.consumer = kafka.consumer({ groupId: uniqueName('collector'), maxWaitTimeInMs: 100, retry: { restartOnFailure: async () => !this.stopped } });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic, fromBeginning: false });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const text = message.value?.toString('utf8') ?? '';
        this.raw.push(text);
        this.events.push(JSON.parse(text) as AuditEvent);
      },
    });
    // run() can resolve before the group is initialised (seek then throws): wait for it rather than fail the test.
    const consumer = this.consumer;
    await waitFor('the collector consumer to accept seeks', async () => {
      try {
        for (const o of offsets) consumer.seek({ topic, partition: o.partition, offset: o.offset });
        return true;
      } catch (error) {
        if (/not initialized/i.test((error as Error).message)) return undefined;
        throw error;
      }
    }, 30_000, 100);
  }

  /** Waits until `predicate` matches at least `count` events and returns them. */
  async waitFor(what: string, predicate: (e: AuditEvent) => boolean, count = 1, timeoutMs = 20_000): Promise<AuditEvent[]> {
    return waitFor(what, async () => {
      const found = this.events.filter(predicate);
      return found.length >= count ? found : undefined;
    }, timeoutMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.consumer?.disconnect();
  }
}
