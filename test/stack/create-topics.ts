/** Creates the project's Kafka topics on the local stack, idempotently. Run by `stack.sh up`. */
import { createKafka, createLogger, ensureTopics, topicSpecs } from '@auditgate/shared';

const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const logger = createLogger({ name: 'stack', level: 'warn' });
const kafka = createKafka({ brokers, clientId: 'auditgate-stack', logger, retry: { retries: 10, initialRetryTime: 300 } });
const created = await ensureTopics(kafka, topicSpecs());
console.log(created.length > 0 ? `created topics: ${created.join(', ')}` : 'topics already exist');
