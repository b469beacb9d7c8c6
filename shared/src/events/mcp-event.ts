/**
 * The MCP event: one JSON-RPC message that crossed the gateway's MCP endpoint (`/mcp/<server>`), recorded next to the
 * Kubernetes events on the same topic and hash chain. It keeps the Kubernetes event's envelope (auditID, stage, user,
 * requestObject/responseObject, timestamps, `auditgate`) so one document shape, merge rule and chain serve both, but
 * it is its own kind (`auditgate.dev/v1` `McpEvent`): no reader of API-server audit logs mistakes it for one.
 */
import type { ActorInfo, BodyInfo, UserInfo } from './audit-event.js';

/** `apiVersion` of MCP events. */
export const MCP_EVENT_API_VERSION = 'auditgate.dev/v1';
/** `kind` of MCP events. */
export const MCP_EVENT_KIND = 'McpEvent';
/** The schema version that introduced MCP events (and verified MCP correlation on Kubernetes events). */
export const MCP_SCHEMA_VERSION = 3;

/** RequestReceived: written ahead, before the MCP server sees the message; ResponseComplete: how it ended. */
export const MCP_STAGES = ['RequestReceived', 'ResponseComplete'] as const;
/** When in the message's life the event was produced. */
export type McpStage = (typeof MCP_STAGES)[number];

/** Who sent the message: the MCP client (through the gateway) or the MCP server (on a response stream). */
export const MCP_DIRECTIONS = ['client', 'server'] as const;
/** `client` or `server`. */
export type McpDirection = (typeof MCP_DIRECTIONS)[number];

/** The JSON-RPC shape of the message; `stream` is a server-to-client SSE stream opened with GET, `session` a DELETE. */
export const MCP_MESSAGE_KINDS = ['request', 'notification', 'response', 'stream', 'session'] as const;
/** One of {@link MCP_MESSAGE_KINDS}. */
export type McpMessageKind = (typeof MCP_MESSAGE_KINDS)[number];

/**
 * How a message ended, kept apart so analysts can tell who failed: `transport-error` (the MCP server could not be
 * reached or answered HTTP ≥ 400, or the client went away), `jsonrpc-error` (a JSON-RPC `error` answer),
 * `tool-error` (a tool result with `isError: true`), `denied` (refused by the gateway's policy or budget, never
 * forwarded), `cancelled` (the client cancelled it), `ok`.
 */
export const MCP_OUTCOMES = ['ok', 'tool-error', 'jsonrpc-error', 'transport-error', 'denied', 'cancelled'] as const;
/** One of {@link MCP_OUTCOMES}. */
export type McpOutcome = (typeof MCP_OUTCOMES)[number];

/** The Kubernetes meaning of a tool call's arguments: what the call says it will touch. */
export interface McpKubernetesScope {
  namespace?: string;
  /** Plural resource (`pods`, `secrets`), from the tool's name or a `kind` argument. */
  resource?: string;
  apiGroup?: string;
  name?: string;
}

/** The MCP facts of one message (the `auditgate.mcp` of an MCP event). */
export interface McpFacts {
  /** The configured MCP server the message went to (`/mcp/<server>`). */
  server: string;
  /** `Mcp-Session-Id` of the session, when the server assigned one. */
  sessionId?: string;
  /** `MCP-Protocol-Version` the client sent, or the one initialize agreed on. */
  protocolVersion?: string;
  direction: McpDirection;
  messageKind: McpMessageKind;
  /** JSON-RPC method (requests and notifications); the answered method for responses when known. */
  method?: string;
  /** JSON-RPC id, as text (a number id `7` is `"7"`). */
  requestId?: string;
  /** `tools/call`: the tool's name. */
  toolName?: string;
  /** `tools/call`: the gateway's id of the call, also in its delegated token and in each Kubernetes event it caused. */
  callId?: string;
  /** `tools/call`: the Kubernetes meaning of its arguments. */
  scope?: McpKubernetesScope;
  /** Terminal stage: how it ended. */
  outcome?: McpOutcome;
  /** A JSON-RPC error answer (its code and message; `data` is in the response object). */
  error?: { code: number; message: string };
  /** The HTTP exchange with the MCP server: its status, or why there was none. */
  transport?: { status?: number; error?: string };
  /** `tools/call`: the delegated token minted for it (never the token itself). */
  delegation?: { jti: string; audience: string; expiresAt: string };
  /** Calls counted against the session's budget, when a budget applied. */
  budget?: { used: number; limit: number; ruleId: string };
  /** `clientInfo` the client sent in `initialize` (caller-supplied). */
  client?: { name?: string; version?: string };
  /** The agent: the OAuth client the caller's verified token was issued to (`azp`, `client_id`), when it names one. */
  agent?: string;
  /** `notifications/cancelled`: the request it cancels. */
  cancels?: { requestId: string; reason?: string };
}

/** Auditgate's extension on an MCP event: the Kubernetes event's, with MCP facts instead of Kubernetes ones. */
export interface McpEventExtension {
  schemaVersion: number;
  gateway: { instance: string; version: string };
  /** The caller, verified from the OAuth bearer token the MCP client sent. */
  actor: ActorInfo;
  mcp: McpFacts;
  cluster: { name: string; arn?: string; region?: string };
  policy?: { bundleHash: string; ruleId?: string; decision: 'allow' | 'deny' | 'mask'; reason?: string };
  /** The message (`request`) and its answer (`response`) as they crossed the gateway: size, keyed digest, masking. */
  body?: { request?: BodyInfo; response?: BodyInfo };
  /** A server-to-client SSE stream: messages relayed, bytes, how long it stayed open. */
  stream?: { events: number; bytes: number; durationMs: number };
  chain?: { stream: string; seq: number; prevHash: string; hash: string };
  errorCode?: string;
  enrichment?: Record<string, unknown>;
}

/** One MCP audit record. */
export interface McpEvent {
  apiVersion: typeof MCP_EVENT_API_VERSION;
  kind: typeof MCP_EVENT_KIND;
  /** Always `RequestResponse`: messages and answers are recorded (bounded and masked). */
  level: 'RequestResponse';
  auditID: string;
  stage: McpStage;
  /** `/mcp/<server>`. */
  requestURI: string;
  /** The JSON-RPC method; `response` for a client's answer to a server request, `stream` for GET, `session/delete` for DELETE. */
  verb: string;
  /** The caller as a Kubernetes UserInfo (the identity the API server sees for the call's requests in impersonation mode). */
  user: UserInfo;
  sourceIPs?: string[];
  userAgent?: string;
  /** The JSON-RPC `params` (a tools/call's name and arguments), masked and bounded. */
  requestObject?: unknown;
  /** The JSON-RPC `result` or `error`, masked and bounded. */
  responseObject?: unknown;
  /** The HTTP status the MCP client got. */
  responseStatus?: { code: number; message?: string };
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
  auditgate: McpEventExtension;
}
