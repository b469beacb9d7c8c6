import type { Transform } from 'node:stream';
import type { Logger } from '@auditgate/shared';
import type { AuditSink } from '../audit/audit-sink.js';
import type { GatewayFacts } from '../audit/exchange-record.js';
import type { TokenVerifier } from '../auth/index.js';
import type { PolicyDecision, PolicyInput } from '../policy/index.js';
import type { RateLimiter } from '../policy/index.js';
import type { UpstreamCredentials } from '../upstream/upstream-credentials.js';
import type { ProxyMetrics } from '../http/proxy-metrics.js';

/** Masks secret values in Kubernetes objects and bodies (see masking/). */
export interface Masker {
  /** Masks a parsed object; `resource` hints the kind of kindless patches; `forCaller` keeps base64 fields decodable. */
  maskObject(object: unknown, resource: string | undefined, forCaller?: boolean): { object: unknown; maskedPaths: string[] };
  /** A transform over a JSON watch stream that masks each event; `onMaskedPaths` hears each event's masked paths. */
  watchTransform(resource: string | undefined, onMaskedPaths?: (paths: string[]) => void): Transform;
}

/** What the exchange handlers need, passed in by `createApp`. */
export interface ExchangeDeps {
  readonly logger: Logger;
  readonly facts: GatewayFacts;
  readonly verifier: TokenVerifier;
  readonly onBehalfOfVerifier?: TokenVerifier | undefined;
  readonly policy: () => { evaluate(input: PolicyInput): PolicyDecision };
  readonly rateLimiter: RateLimiter;
  readonly masker: Masker;
  /** Decodes a Kubernetes protobuf body into its JSON shape, or undefined when it cannot. */
  readonly decodeProtobuf: (body: Buffer) => unknown;
  readonly upstream: UpstreamCredentials;
  /** Undefined when auditing is off (benchmark baseline only). */
  readonly sink: AuditSink | undefined;
  readonly metrics: ProxyMetrics;
  readonly now: () => number;
  readonly newId: () => string;
  readonly impersonate: boolean;
  readonly maxRequestBodyBytes: number;
  readonly maxRecordedBodyBytes: number;
  /** Key of the body digests (the masking key): no unkeyed digest of a body is ever recorded. */
  readonly digestKey: Buffer;
  /** True once shutdown began: new requests get 503. */
  readonly closing: () => boolean;
}
