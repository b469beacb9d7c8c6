import type { KeyObject } from 'node:crypto';
import type { Logger } from '@auditgate/shared';
import type { AuditSink } from '../audit/audit-sink.js';
import type { ExchangeRecord, GatewayFacts } from '../audit/exchange-record.js';
import type { TokenVerifier } from '../auth/index.js';
import type { Masker } from '../masking/index.js';
import type { PolicyEvaluator } from '../policy/index.js';
import type { RateLimiter } from '../policy/index.js';
import type { UpstreamCredentials } from '../upstream/upstream-credentials.js';
import type { ProxyMetrics } from '../metrics/proxy-metrics.js';
import type { ProtobufDecoder } from '../write-body/index.js';
import type { BufferBudget } from './buffer-budget.js';

/** An exchange in progress on a client connection. */
export interface OpenExchange { readonly record: ExchangeRecord; readonly method: string; /** The response it is answered on. */ readonly res?: object }

/** What the exchange handlers need, passed in by `createApp`. */
export interface ExchangeDeps {
  readonly logger: Logger;
  readonly facts: GatewayFacts;
  readonly verifier: TokenVerifier;
  readonly onBehalfOfVerifier?: TokenVerifier | undefined;
  readonly policy: () => PolicyEvaluator;
  readonly rateLimiter: RateLimiter;
  readonly masker: Masker;
  /** Decodes a Kubernetes protobuf body into its JSON shape (with whether its kind is known), or undefined. */
  readonly decodeProtobuf: ProtobufDecoder;
  readonly upstream: UpstreamCredentials;
  /** Undefined when auditing is off (benchmark baseline only). */
  readonly sink: AuditSink | undefined;
  readonly metrics: ProxyMetrics;
  readonly now: () => number;
  readonly newId: () => string;
  readonly impersonate: boolean;
  readonly maxRequestBodyBytes: number;
  readonly maxRecordedBodyBytes: number;
  /**
   * Key of the body digests (the masking key): no unkeyed digest of a body is ever recorded. A KeyObject made once:
   * createHmac with a raw Buffer prepares a new secret key on every call (18-30 µs on Node 24, vs ~3 µs).
   */
  readonly digestKey: Buffer | KeyObject;
  /**
   * The exchange each client connection is in the middle of, so a parse error in its body (answered by Node's
   * clientError) settles that exchange instead of leaving a second, contradicting record.
   */
  readonly openExchanges: WeakMap<object, OpenExchange>;
  /** Memory all buffered answers (masked or converted) may hold together. */
  readonly bufferBudget: BufferBudget;
  /** True once shutdown began: new requests get 503. */
  readonly closing: () => boolean;
}
