import type { Consumer, ConsumerRunConfig } from 'kafkajs';
import type { Logger } from '../logging/create-logger.js';

/** Options of {@link keepConsuming}. */
export interface KeepConsumingOptions {
  readonly logger: Logger;
  /** True once the owner is stopping: a crash then is not restarted. */
  readonly stopping: () => boolean;
  /** Wait before a restart, in ms (default 5000). */
  readonly delayMs?: number;
}

/**
 * Runs `consumer` with `config` and keeps it running. kafkajs restarts a crashed consumer only after a retriable
 * error; after any other (KafkaJSGroupCoordinatorNotFound while a broker is starting, say) the consumer stays stopped
 * for good, and with it the service's work, while the process looks alive. This connects and runs it again after
 * `delayMs` (and again, until it runs or `stopping()`).
 */
export async function keepConsuming(consumer: Consumer, config: ConsumerRunConfig, options: KeepConsumingOptions): Promise<void> {
  const restart = (): void => {
    const timer = setTimeout(() => {
      if (options.stopping()) return;
      consumer.connect().then(() => consumer.run(config)).then(
        () => options.logger.warn('consumer running again after a crash kafkajs does not restart'),
        (error: unknown) => { options.logger.error({ err: (error as Error).message }, 'consumer restart failed; trying again'); restart(); },
      );
    }, options.delayMs ?? 5000);
    timer.unref();
  };
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart || options.stopping()) return;
    options.logger.error({ err: payload.error.message }, 'kafkajs stopped the consumer for good: restarting it');
    restart();
  });
  await consumer.run(config);
}
