import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { Counter, type Registry } from 'prom-client';
import { GENESIS_HASH, streamId, type ChainOrigin, type Logger, type SendingProducer } from '@auditgate/shared';
import type { JWK } from 'jose';
import { AuditChain } from '../audit/audit-chain.js';
import type { Spool } from '../audit/spool.js';
import type { ChainConfig } from '../config/proxy-config.js';
import { findChainOrigin, ORIGIN_LOOKBACK } from './chain-origin.js';
import { Checkpointer } from './checkpointer.js';
import { createCheckpointSigner } from './create-signer.js';
import { loadPreviousKeys } from './previous-keys.js';

/** What the evidence layer needs. */
export interface EvidenceDeps {
  readonly config: ChainConfig;
  readonly instance: string;
  readonly eventsTopic: string;
  readonly producer: SendingProducer;
  /** For reading the previous stream's head back at start; without it only the spool is consulted. */
  readonly kafka?: Kafka;
  readonly spool?: Spool;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly now?: () => number;
  /** Boot id source (default: a random UUID). */
  readonly newId?: () => string;
  /** The longest the origin lookup may take before the stream starts from genesis (default 20 s). */
  readonly originTimeoutMs?: number;
  /** Checkpoints searched per partition for the previous stream (default {@link ORIGIN_LOOKBACK}). */
  readonly originLookback?: number;
}

/** The gateway's tamper evidence: its stream's hash chain, the checkpoints signed over it, and the published keys. */
export interface Evidence {
  /** The chain the audit sink links events into. */
  readonly chain: AuditChain;
  /** Finds the stream's origin, loads the signer and starts checkpointing; before any event is produced. */
  start(): Promise<void>;
  /** The public keys that verify this gateway's checkpoints: the current one, then the retired ones (`previousJwksFile`). */
  jwks(): { keys: JWK[] };
  /** Signs the final checkpoint (after the audit sink flushed). Safe to call twice. */
  close(): Promise<void>;
}

/** Creates the evidence layer of one gateway process (its stream is `<instance>/<boot id>`). */
export function createEvidence(deps: EvidenceDeps): Evidence {
  const log = deps.logger;
  const stream = streamId(deps.instance, (deps.newId ?? randomUUID)());
  const chain = new AuditChain(stream);
  const checkpoints = new Counter({ name: 'auditgate_proxy_checkpoints_total', help: 'Checkpoints signed, by reason and whether Kafka took them', labelNames: ['reason', 'outcome'], registers: [deps.registry] });
  let checkpointer: Checkpointer | undefined;
  let keys: JWK[] = [];

  const unlinked = new Counter({
    name: 'auditgate_proxy_chain_unlinked_starts_total',
    help: "Streams started from genesis, not linked to the instance's previous stream: none found within the bounded look back (no-predecessor) or the look back failed or timed out (lookup-failed)",
    labelNames: ['reason'], registers: [deps.registry],
  });
  const timeoutMs = deps.originTimeoutMs ?? 20_000;
  const lookback = deps.originLookback ?? ORIGIN_LOOKBACK;

  const origin = async (): Promise<ChainOrigin> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs); timer.unref(); });
    let found: ChainOrigin;
    try {
      found = await Promise.race([findChainOrigin({
        instance: deps.instance, checkpointsTopic: deps.config.checkpointsTopic, eventsTopic: deps.eventsTopic, logger: log, lookback, timeoutMs,
        ...(deps.spool === undefined ? {} : { spool: deps.spool }), ...(deps.kafka === undefined ? {} : { kafka: deps.kafka }),
      }), timeout]);
    } catch (error) {
      unlinked.inc({ reason: 'lookup-failed' });
      log.warn({ stream, instance: deps.instance, err: (error as Error).message, metric: 'auditgate_proxy_chain_unlinked_starts_total' },
        `chain starts UNLINKED (genesis): the previous stream of instance ${deps.instance} could not be read back from ${deps.config.checkpointsTopic}; `
        + "verify will show this stream's origin as genesis, and the previous stream's last events cannot be shown complete across this restart");
      return { prevHash: GENESIS_HASH };
    } finally {
      clearTimeout(timer);
    }
    if (found.predecessor === undefined) {
      unlinked.inc({ reason: 'no-predecessor' });
      log.info({ stream, instance: deps.instance, lookback, metric: 'auditgate_proxy_chain_unlinked_starts_total' },
        `chain starts unlinked (genesis): no previous stream of instance ${deps.instance} ${deps.kafka === undefined ? 'in the spool (no Kafka to read back from)' : `among the last ${lookback} checkpoints of each partition of ${deps.config.checkpointsTopic}`}; `
        + 'expected on the instance\'s first start');
    }
    return found;
  };

  return {
    chain,
    async start() {
      const signer = await createCheckpointSigner(deps.config.signer, log);
      // Retired keys stay published, so checkpoints signed before a rotation still verify.
      const previous = deps.config.previousJwksFile === undefined ? [] : await loadPreviousKeys(deps.config.previousJwksFile);
      keys = [signer.publicJwk, ...previous.filter((k) => k.kid !== signer.kid)];
      if (previous.length > 0) log.info({ current: signer.kid, previous: previous.map((k) => k.kid) }, 'retired checkpoint keys published beside the current one');
      chain.begin(await origin());
      checkpointer = new Checkpointer({
        stream, head: () => chain.head(), signer, producer: deps.producer, topic: deps.config.checkpointsTopic,
        everyEvents: deps.config.checkpointEveryEvents, intervalMs: deps.config.checkpointIntervalMs, logger: log,
        ...(deps.now === undefined ? {} : { now: deps.now }),
        onCheckpoint: (reason, outcome) => checkpoints.inc({ reason, outcome }),
      });
      const c = checkpointer;
      chain.onAdvance((head) => c.advanced(head));
      c.start();
      log.info({ stream, kid: signer.kid, alg: signer.alg }, 'audit chain started');
    },
    jwks: () => ({ keys }),
    async close() { await checkpointer?.close(); },
  };
}
