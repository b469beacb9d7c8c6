import type { ActorInfo, BodyInfo, McpEvent, McpFacts, McpStage, UserInfo } from '@auditgate/shared';
import { MCP_EVENT_API_VERSION, MCP_EVENT_KIND } from '@auditgate/shared';

/** Everything known about one JSON-RPC message as it crosses the gateway; events are snapshots of it. */
export interface McpMessageRecord {
  readonly auditID: string;
  readonly receivedAt: number;
  readonly requestURI: string;
  readonly verb: string;
  readonly sourceIP: string;
  readonly userAgent?: string;
  actor: ActorInfo;
  user: UserInfo;
  facts: McpFacts;
  policy?: { bundleHash: string; ruleId?: string; decision: 'allow' | 'deny'; reason?: string };
  requestObject?: unknown;
  requestBody?: BodyInfo;
  responseObject?: unknown;
  responseBody?: BodyInfo;
  /** HTTP status the client got. */
  responseCode?: number;
  stream?: { events: number; bytes: number; durationMs: number };
  errorCode?: string;
  /** Set once ResponseComplete was produced. */
  settled?: boolean;
}

/** The gateway's facts in every MCP event. */
export interface McpGatewayFacts {
  readonly instance: string;
  readonly version: string;
  readonly cluster: { name: string; arn?: string; region?: string };
  readonly schemaVersion: number;
}

/** Builds the MCP event of `stage` from the record as it stands at `now`. */
export function buildMcpEvent(facts: McpGatewayFacts, record: McpMessageRecord, stage: McpStage, now: number): McpEvent {
  const terminal = stage === 'ResponseComplete';
  const mcp: McpFacts = { ...record.facts };
  if (!terminal) { delete mcp.outcome; delete mcp.error; delete mcp.transport; }
  return {
    apiVersion: MCP_EVENT_API_VERSION,
    kind: MCP_EVENT_KIND,
    level: 'RequestResponse',
    auditID: record.auditID,
    stage,
    requestURI: record.requestURI,
    verb: record.verb,
    user: record.user,
    sourceIPs: [record.sourceIP],
    ...(record.userAgent === undefined ? {} : { userAgent: record.userAgent }),
    ...(record.requestObject === undefined ? {} : { requestObject: record.requestObject }),
    ...(terminal && record.responseObject !== undefined ? { responseObject: record.responseObject } : {}),
    ...(terminal && record.responseCode !== undefined ? { responseStatus: { code: record.responseCode } } : {}),
    requestReceivedTimestamp: new Date(record.receivedAt).toISOString(),
    stageTimestamp: new Date(now).toISOString(),
    auditgate: {
      schemaVersion: facts.schemaVersion,
      gateway: { instance: facts.instance, version: facts.version },
      actor: record.actor,
      mcp,
      cluster: facts.cluster,
      ...(record.policy === undefined ? {} : { policy: record.policy }),
      ...(record.requestBody === undefined && (record.responseBody === undefined || !terminal) ? {} : {
        body: {
          ...(record.requestBody === undefined ? {} : { request: record.requestBody }),
          ...(record.responseBody === undefined || !terminal ? {} : { response: record.responseBody }),
        },
      }),
      ...(terminal && record.stream !== undefined ? { stream: record.stream } : {}),
      ...(terminal && record.errorCode !== undefined ? { errorCode: record.errorCode } : {}),
    },
  };
}
