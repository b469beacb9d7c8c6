import type {
  ActorInfo, AuditEvent, AuditgateExtension, AuditLevel, AuditStage, BodyInfo, ObjectReference, UserInfo,
} from '@auditgate/shared';

/** Everything known about one exchange, accumulated as it crosses the gateway; events are snapshots of it. */
export interface ExchangeRecord {
  auditID: string;
  receivedAt: number;
  requestURI: string;
  verb: string;
  objectRef?: ObjectReference;
  sourceIP: string;
  userAgent?: string;
  forwardedFor?: string[];
  level: AuditLevel;
  actor?: ActorInfo;
  /** Kubernetes UserInfo of the caller (uid and extra where known). */
  user?: UserInfo;
  onBehalfOf?: ActorInfo;
  impersonatedUser?: UserInfo;
  /** MCP correlation: from headers (caller-supplied), or `caller: verified` from a delegated token. */
  mcp?: NonNullable<AuditgateExtension['mcp']>;
  policy?: { bundleHash: string; ruleId?: string; decision: 'allow' | 'deny' | 'mask'; reason?: string };
  decision?: { allowed: boolean; reason: string };
  requestObject?: unknown;
  requestBody?: BodyInfo;
  responseCode?: number;
  responseMessage?: string;
  responseObject?: unknown;
  responseBody?: BodyInfo;
  stream?: { events: number; bytes: number; durationMs: number };
  errorCode?: string;
  /** Extra annotations (`auditgate.dev/*`). */
  notes?: Record<string, string>;
  /** What the request reaches (one definition, shared): recorded on every event. */
  classification?: { clusterWide: boolean; resourceKey?: string };
  /** Set once the exchange's ResponseComplete was produced: nothing records it a second time. */
  settled?: boolean;
}

/** The identity the gateway presents to the API server, for every event of this process. */
export interface GatewayFacts {
  readonly instance: string;
  readonly version: string;
  readonly cluster: { name: string; arn?: string; region?: string };
  readonly upstream: () => { mode: string; roleArn?: string; assumedRoleId?: string; identity?: string; impersonated?: boolean };
  readonly schemaVersion: number;
}

const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
const ANONYMOUS_ACTOR: ActorInfo = { issuer: '', subject: '', username: 'system:anonymous', groups: ['system:unauthenticated'], tokenKind: 'anonymous' };

/** Builds the `audit.k8s.io/v1` event of `stage` from the exchange as it stands at `now`. */
export function buildAuditEvent(facts: GatewayFacts, record: ExchangeRecord, stage: AuditStage, now: number): AuditEvent {
  const includeRequest = record.level === 'Request' || record.level === 'RequestResponse';
  const includeResponse = record.level === 'RequestResponse' && stage !== 'RequestReceived';
  const event: AuditEvent = {
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Event',
    level: record.level,
    auditID: record.auditID,
    stage,
    requestURI: record.requestURI,
    verb: record.verb,
    user: record.user ?? ANONYMOUS,
    ...(record.impersonatedUser === undefined ? {} : { impersonatedUser: record.impersonatedUser }),
    sourceIPs: [record.sourceIP],
    ...(record.userAgent === undefined ? {} : { userAgent: record.userAgent }),
    ...(record.objectRef === undefined ? {} : { objectRef: record.objectRef }),
    ...(record.responseCode === undefined || stage === 'RequestReceived' ? {} : {
      responseStatus: {
        metadata: {}, code: record.responseCode,
        ...(record.responseMessage === undefined ? {} : { message: record.responseMessage, status: 'Failure' }),
      },
    }),
    ...(includeRequest && record.requestObject !== undefined ? { requestObject: record.requestObject } : {}),
    ...(includeResponse && record.responseObject !== undefined ? { responseObject: record.responseObject } : {}),
    requestReceivedTimestamp: new Date(record.receivedAt).toISOString(),
    stageTimestamp: new Date(now).toISOString(),
    ...(record.decision === undefined && record.notes === undefined ? {} : {
      annotations: {
        ...record.notes,
        ...(record.decision === undefined ? {} : {
          'authorization.k8s.io/decision': record.decision.allowed ? 'allow' : 'forbid',
          'authorization.k8s.io/reason': record.decision.reason,
        }),
      },
    }),
    auditgate: {
      schemaVersion: facts.schemaVersion,
      gateway: { instance: facts.instance, version: facts.version },
      actor: record.actor ?? ANONYMOUS_ACTOR,
      ...(record.onBehalfOf === undefined ? {} : { onBehalfOf: record.onBehalfOf }),
      ...(record.mcp === undefined ? {} : { mcp: { ...record.mcp, caller: record.mcp.caller ?? 'supplied' } }),
      ...(record.classification === undefined ? {} : { classification: record.classification }),
      cluster: facts.cluster,
      upstream: facts.upstream(),
      ...(record.policy === undefined ? {} : { policy: record.policy }),
      ...(record.requestBody === undefined && record.responseBody === undefined ? {} : {
        body: {
          ...(record.requestBody === undefined ? {} : { request: record.requestBody }),
          ...(record.responseBody === undefined || stage === 'RequestReceived' ? {} : { response: record.responseBody }),
        },
      }),
      ...(record.stream === undefined || stage === 'RequestReceived' ? {} : { stream: record.stream }),
      ...(record.forwardedFor === undefined ? {} : { forwardedFor: record.forwardedFor }),
      ...(record.errorCode === undefined ? {} : { errorCode: record.errorCode }),
    },
  };
  return event;
}
