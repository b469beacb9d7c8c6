import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCodes, type ActorInfo } from '@auditgate/shared';
import { extractBearerToken } from '../../auth/index.js';
import type { McpCaller } from '../auth/mcp-caller-verifier.js';
import { bearerChallenge } from '../auth/protected-resource.js';
import { tokenFitsServer } from '../auth/token-fits-server.js';
import type { McpMessageRecord } from '../audit/mcp-message-record.js';
import type { GateContext } from './gate-context.js';
import { header, sendJson } from './gate-io.js';

/** The actor of a message whose sender could not be authenticated. */
export const ANONYMOUS_ACTOR: ActorInfo = { issuer: '', subject: '', username: 'system:anonymous', groups: ['system:unauthenticated'], tokenKind: 'anonymous' };

/** The record's actor and user from a verified caller. */
export function setCaller(record: McpMessageRecord, caller: McpCaller): void {
  const { identity } = caller;
  record.actor = { issuer: identity.issuer, subject: identity.subject, username: identity.username, groups: identity.groups, tokenKind: identity.tokenKind };
  record.user = { username: identity.username, groups: identity.groups };
  if (caller.agent !== undefined) record.facts.agent = caller.agent;
}

/** `issuer#subject`: who owns a session. */
export function ownerOf(caller: McpCaller): string {
  return `${caller.person.issuer}#${caller.person.subject}`;
}

/**
 * Verifies the caller's OAuth bearer token (never forwarded anywhere). On failure answers 401 with the RFC 9728
 * challenge that lets MCP clients discover the authorization server, records the refusal on `record` (audited as a
 * denied message by the caller) and resolves undefined.
 */
export async function authenticateCaller(ctx: GateContext, server: string, req: IncomingMessage, res: ServerResponse, record: McpMessageRecord): Promise<McpCaller | undefined> {
  const token = extractBearerToken(header(req, 'authorization') === undefined ? undefined : String(req.headers['authorization']));
  let reason = 'missing_token';
  let description = 'a bearer token is required';
  if (token !== undefined) {
    try {
      const caller = await ctx.callers.verify(token);
      if (!tokenFitsServer(caller.identity.claims['aud'], ctx.config, server)) {
        throw Object.assign(new Error(`the token was issued for another MCP server than ${server}`), { details: { reason: 'wrong_resource' } });
      }
      setCaller(record, caller);
      return caller;
    } catch (error) {
      const details = (error as { details?: Record<string, unknown> }).details ?? {};
      reason = typeof details['reason'] === 'string' ? details['reason'] : 'invalid';
      description = (error as Error).message;
      if (reason === 'jwks_unreachable') {
        ctx.metrics.authFailures.inc({ reason });
        record.errorCode = ErrorCodes.UNAUTHENTICATED;
        record.facts.outcome = 'denied';
        record.responseCode = 503;
        sendJson(res, 503, { error: 'temporarily_unavailable', error_description: 'the caller\'s issuer cannot be reached' }, { 'retry-after': '5' });
        return undefined;
      }
    }
  }
  ctx.metrics.authFailures.inc({ reason });
  record.errorCode = ErrorCodes.UNAUTHENTICATED;
  record.facts.outcome = 'denied';
  record.responseCode = 401;
  record.responseObject = { error: token === undefined ? 'invalid_request' : 'invalid_token', reason };
  sendJson(res, 401, { error: token === undefined ? 'invalid_request' : 'invalid_token', error_description: description }, {
    'www-authenticate': bearerChallenge(ctx.config, server, token === undefined ? undefined : { code: 'invalid_token', description }),
  });
  return undefined;
}
