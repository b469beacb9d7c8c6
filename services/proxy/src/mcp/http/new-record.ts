import type { IncomingMessage } from 'node:http';
import type { McpMessageKind } from '@auditgate/shared';
import type { McpMessageRecord } from '../audit/mcp-message-record.js';
import { ANONYMOUS_ACTOR } from './authenticate-caller.js';
import type { GateContext } from './gate-context.js';
import { header } from './gate-io.js';

/** A fresh record of a client's message to `server`, before anything about it is trusted. */
export function newClientRecord(ctx: GateContext, server: string, req: IncomingMessage, verb: string, messageKind: McpMessageKind): McpMessageRecord {
  const userAgent = header(req, 'user-agent');
  const sessionId = header(req, 'mcp-session-id');
  const protocolVersion = header(req, 'mcp-protocol-version');
  return {
    auditID: ctx.newId(),
    receivedAt: ctx.now(),
    requestURI: `/mcp/${server}`,
    verb,
    sourceIP: req.socket.remoteAddress ?? 'unknown',
    ...(userAgent === undefined ? {} : { userAgent }),
    actor: ANONYMOUS_ACTOR,
    user: { username: 'system:anonymous', groups: ['system:unauthenticated'] },
    facts: {
      server, direction: 'client', messageKind,
      ...(sessionId === undefined ? {} : { sessionId }),
      ...(protocolVersion === undefined ? {} : { protocolVersion }),
    },
  };
}

/** A record of a message the MCP server sent on a stream, attributed to the session's caller. */
export function newServerRecord(ctx: GateContext, client: McpMessageRecord, verb: string, messageKind: McpMessageKind): McpMessageRecord {
  return {
    auditID: ctx.newId(),
    receivedAt: ctx.now(),
    requestURI: client.requestURI,
    verb,
    sourceIP: client.sourceIP,
    ...(client.userAgent === undefined ? {} : { userAgent: client.userAgent }),
    actor: client.actor,
    user: client.user,
    facts: {
      server: client.facts.server, direction: 'server', messageKind,
      ...(client.facts.sessionId === undefined ? {} : { sessionId: client.facts.sessionId }),
      ...(client.facts.protocolVersion === undefined ? {} : { protocolVersion: client.facts.protocolVersion }),
      ...(client.facts.agent === undefined ? {} : { agent: client.facts.agent }),
    },
  };
}
