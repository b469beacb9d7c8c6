import { connect, type Socket } from 'node:net';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { createKafka, createLogger, ensureTopics } from '@auditgate/shared';
import { readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';

const quiet = createLogger({ name: 'kafka-test', level: 'silent' });

/** A KafkaJS client for the real stack broker, or for `brokers` with short timeouts and no retries. */
export function testKafka(brokers?: string[]): Kafka {
  if (brokers === undefined) return createKafka({ brokers: readStackEnv(process.env).kafkaBrokers, clientId: uniqueName('proxy-audit-test'), logger: quiet });
  return createKafka({ brokers, clientId: uniqueName('proxy-audit-test'), logger: quiet, connectionTimeoutMs: 200, retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100 } });
}

/** Creates a unique topic on the real broker and returns its name. */
export async function newTopic(kafka: Kafka, partitions = 3): Promise<string> {
  const topic = uniqueName('proxy-audit-test');
  await ensureTopics(kafka, [{ topic, numPartitions: partitions, configEntries: [] }]);
  return topic;
}

/** A connected producer configured like the proxy's (idempotent, acks=all by the caller). */
export async function proxyLikeProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false });
  await producer.connect();
  return producer;
}

/** A producer whose connection to an unreachable broker is being attempted and will fail: its sends are refused. */
export function connectingProducer(kafka: Kafka): Producer {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false });
  producer.connect().catch(() => undefined);
  return producer;
}

/** A client of the real broker whose network can be stalled: while stalled, nothing the broker sends is read. */
export function stallableKafka(): { kafka: Kafka; stall(): void; resume(): void } {
  const sockets = new Set<Socket>();
  let stalled = false;
  const kafka = new Kafka({
    clientId: uniqueName('proxy-audit-test'), brokers: readStackEnv(process.env).kafkaBrokers, logLevel: logLevel.NOTHING,
    socketFactory: ({ host, port, onConnect }) => {
      const socket = connect({ host, port }, onConnect);
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      if (stalled) socket.pause();
      return socket;
    },
  });
  return {
    kafka,
    stall() { stalled = true; for (const s of sockets) s.pause(); },
    resume() { stalled = false; for (const s of sockets) s.resume(); },
  };
}

/** Reads `count` records of `topic` from the beginning, in partition order: `[partition, key, value]`. */
export async function readTopic(kafka: Kafka, topic: string, count: number, timeoutMs = 20_000): Promise<Array<{ partition: number; key: string; value: string }>> {
  const consumer = kafka.consumer({ groupId: uniqueName('proxy-audit-test'), maxWaitTimeInMs: 100 });
  const got: Array<{ partition: number; key: string; value: string }> = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        got.push({ partition, key: message.key?.toString() ?? '', value: message.value?.toString() ?? '' });
      },
    });
    await waitFor(`${count} records on ${topic}`, async () => (got.length >= count ? true : undefined), timeoutMs);
    // A moment more, so duplicates (if any) would show up too.
    await new Promise((r) => setTimeout(r, 300));
    return got;
  } finally {
    await consumer.disconnect();
  }
}
