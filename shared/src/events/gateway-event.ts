import { AppError } from '../errors/app-error.js';
import { ErrorCodes } from '../errors/codes.js';
import type { AuditEvent } from './audit-event.js';
import { MCP_EVENT_KIND, type McpEvent } from './mcp-event.js';
import { validateAuditEvent } from './validate-audit-event.js';
import { validateMcpEvent } from './validate-mcp-event.js';

/** Every record a gateway produces on the events topic: Kubernetes audit events and MCP events. */
export type GatewayEvent = AuditEvent | McpEvent;

/** True when `event` is an MCP event. */
export function isMcpEvent(event: GatewayEvent): event is McpEvent {
  return event.kind === MCP_EVENT_KIND;
}

/** Validates `value` as the kind it names (an MCP event, else a Kubernetes audit event); throws `AUDITGATE_E_EVENT_INVALID`. */
export function validateGatewayEvent(value: unknown): GatewayEvent {
  const kind = typeof value === 'object' && value !== null ? (value as { kind?: unknown }).kind : undefined;
  return kind === MCP_EVENT_KIND ? validateMcpEvent(value) : validateAuditEvent(value);
}

/** Decodes bytes from Kafka into a valid event of either kind; throws `AUDITGATE_E_EVENT_UNDECODABLE` or `..._EVENT_INVALID`. */
export function decodeGatewayEvent(bytes: Buffer | null): GatewayEvent {
  if (bytes === null || bytes.length === 0) throw new AppError('empty record', { code: ErrorCodes.EVENT_UNDECODABLE, status: 400 });
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new AppError('record is not JSON', { code: ErrorCodes.EVENT_UNDECODABLE, status: 400, cause });
  }
  return validateGatewayEvent(parsed);
}
