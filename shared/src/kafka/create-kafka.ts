import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';
import { fixRequestQueueIdleLoop } from './request-queue-idle-fix.js';

/** Options for {@link createKafka}. */
export interface CreateKafkaOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
  /** Milliseconds to wait for a connection. */
  readonly connectionTimeoutMs?: number;
  readonly retry?: KafkaConfig['retry'];
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error', [logLevel.WARN]: 'warn', [logLevel.INFO]: 'info', [logLevel.DEBUG]: 'debug',
};

/**
 * A KafkaJS client whose logs go through the service's pino logger, with KafkaJS's idle 1 ms timer loop removed (see
 * {@link fixRequestQueueIdleLoop}).
 */
export function createKafka(options: CreateKafkaOptions): Kafka {
  const log = options.logger.child({ component: 'kafkajs' });
  if (fixRequestQueueIdleLoop() === 'not-applicable') {
    log.debug('the KafkaJS request queue is not the one the idle-loop fix was written for: left as it is');
  }
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    retry: options.retry ?? { retries: 5, initialRetryTime: 200, maxRetryTime: 5000 },
    logLevel: logLevel.WARN,
    logCreator: () => ({ namespace, level, log: entry }: LogEntry) => {
      const { message, ...rest } = entry;
      log[LEVELS[level] ?? 'info']({ namespace, ...rest }, message);
    },
  });
}
