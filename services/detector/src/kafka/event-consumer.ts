import { decodeGatewayEvent, isAppError, isMcpEvent, keepConsuming, type AuditEvent, type Logger } from '@auditgate/shared';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { lookbackOffset } from './lookback-offset.js';

/** What the consumer hands over per batch: events in offset order, with `replay` set below the restart fence. */
export interface ConsumedEvent { readonly event: AuditEvent; readonly replay: boolean }

/** Options of {@link EventConsumer}. */
export interface EventConsumerOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly groupId: string;
  readonly sessionTimeoutMs: number;
  /** How far back (event-log time) windows are rebuilt after a start or rebalance. */
  readonly lookbackMs: number;
  readonly now: () => number;
  readonly logger: Logger;
  /** Processes one batch; resolves once its alerts are durably produced. Offsets are committed after it. */
  readonly onBatch: (events: readonly ConsumedEvent[]) => Promise<void>;
  /**
   * Called for a record that is not a valid audit event. It is skipped, not sent to a DLQ: the indexer consumes the same
   * topic with the same decoder (`decodeAuditEvent`) and already puts every such record on `auditgate.events.dlq.v1`.
   */
  readonly onUndecodable: (record: { readonly code: string; readonly reason: string; readonly partition: number; readonly offset: string }) => void;
}

/**
 * The detector's consumer group on the events topic. Offsets are committed manually, only after a batch's alerts were
 * produced. On the first batch of each assigned partition it seeks back `lookbackMs` (by record timestamp) and
 * replays up to the committed offset (the "fence") to rebuild windows without paging: everything below the fence
 * already had its alerts produced before the restart.
 */
export class EventConsumer {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly fences = new Map<number, number>();
  private joined = false;
  private stopping = false;
  constructor(private readonly options: EventConsumerOptions) {
    this.consumer = options.kafka.consumer({ groupId: options.groupId, sessionTimeout: options.sessionTimeoutMs, heartbeatInterval: Math.floor(options.sessionTimeoutMs / 3), maxWaitTimeInMs: 200, allowAutoTopicCreation: false });
    this.admin = options.kafka.admin();
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => { this.fences.clear(); this.joined = true; });
    this.consumer.on(this.consumer.events.CRASH, (e) => { this.joined = false; options.logger.error({ err: e.payload.error.message }, 'consumer crashed'); });
  }

  /** True once the group was joined. */
  get ready(): boolean { return this.joined; }

  /** Connects and starts consuming (from the earliest offset when the group has none). */
  async start(): Promise<void> {
    await this.admin.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await keepConsuming(this.consumer, {
      autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const { partition } = batch;
        const first = batch.messages[0];
        if (first === undefined) return;
        if (!this.fences.has(partition)) {
          const committed = Number(first.offset);
          this.fences.set(partition, committed);
          const from = await lookbackOffset(this.admin, this.options.topic, partition, this.options.now() - this.options.lookbackMs, this.options.logger);
          if (from !== undefined && from < committed) {
            this.options.logger.info({ partition, from, fence: committed }, 'rebuilding windows from the look-back');
            this.consumer.seek({ topic: this.options.topic, partition, offset: String(from) });
            return;
          }
        }
        const fence = this.fences.get(partition)!;
        const events: ConsumedEvent[] = [];
        for (const message of batch.messages) {
          if (!isRunning() || isStale()) break;
          try {
            const event = decodeGatewayEvent(message.value);
            // MCP events (the gateway's MCP endpoint) share the topic; the rules read Kubernetes events, whose
            // verified MCP correlation carries what a tool call said it would touch.
            if (!isMcpEvent(event)) events.push({ event, replay: Number(message.offset) < fence });
          } catch (error) {
            this.options.onUndecodable({ code: isAppError(error) ? error.code : 'unknown', reason: (error as Error).message, partition, offset: message.offset });
          }
        }
        const last = batch.messages[batch.messages.length - 1]!;
        if (!isRunning() || isStale()) return;
        await this.options.onBatch(events);
        resolveOffset(last.offset);
        const next = Number(last.offset) + 1;
        if (next > fence) await this.consumer.commitOffsets([{ topic: this.options.topic, partition, offset: String(next) }]);
        await heartbeat();
      },
    }, { logger: this.options.logger, stopping: () => this.stopping });
  }

  /** Stops consuming (the in-flight batch finishes and commits) and disconnects. Safe to call twice. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.joined = false;
    await this.consumer.disconnect();
    await this.admin.disconnect();
  }
}
