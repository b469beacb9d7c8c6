import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCodes } from '@auditgate/shared';
import { originAllowed } from '../auth/origin-check.js';
import { protectedResourceMetadata } from '../auth/protected-resource.js';
import { errorResponse, RpcErrors } from '../jsonrpc/json-rpc.js';
import type { GateContext } from './gate-context.js';
import { header, sendEmpty, sendJson } from './gate-io.js';
import { handlePost } from './mcp-post.js';
import { handleStreamOrDelete } from './mcp-stream.js';
import { newClientRecord } from './new-record.js';
import { settle } from './settle.js';

const MCP_PATH = /^\/mcp\/([a-z0-9-]{1,63})\/?$/;
const METADATA_PATH = /^\/\.well-known\/oauth-protected-resource(?:\/mcp\/([a-z0-9-]{1,63}))?\/?$/;

/**
 * The MCP endpoint's routes on the gateway's listeners; returns false for any other path (left to the Kubernetes
 * path). `/mcp/<server>` (POST, GET, DELETE: Streamable HTTP), its RFC 9728 metadata under
 * `/.well-known/oauth-protected-resource/mcp/<server>`, and the delegation issuer's discovery and JWKS. A request to
 * `/mcp/<server>` whose `Origin` is present and not allowed is refused (403) before anything else, and audited.
 */
export function createMcpRoutes(ctx: GateContext, onError: (error: unknown) => void): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { discovery, jwks } = ctx.issuer.paths;
  const origins = new Set(ctx.config.allowedOrigins);
  return (req, res) => {
    const url = req.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    if (!path.startsWith('/mcp') && !path.startsWith('/.well-known/oauth-protected-resource') && path !== discovery && path !== jwks) return false;
    if (path === discovery || path === jwks) {
      if (req.method !== 'GET') { sendEmpty(res, 405, { allow: 'GET' }); return true; }
      sendJson(res, 200, path === discovery ? ctx.issuer.discovery() : ctx.issuer.jwks());
      return true;
    }
    const meta = METADATA_PATH.exec(path);
    if (meta !== null) {
      // The root form answers for the only server, when there is one.
      const name = meta[1] ?? (ctx.servers.size === 1 ? [...ctx.servers.keys()][0] : undefined);
      if (name === undefined || !ctx.servers.has(name)) { sendJson(res, 404, { error: 'not_found' }); return true; }
      sendJson(res, 200, protectedResourceMetadata(ctx.config, name));
      return true;
    }
    const match = MCP_PATH.exec(path);
    if (match === null) return false;
    const server = ctx.servers.get(match[1]!);
    if (server === undefined) { sendJson(res, 404, { error: 'not_found', error_description: `no MCP server ${match[1]} behind this gateway` }); return true; }
    const origin = header(req, 'origin');
    if (!originAllowed(origin, origins)) { refuseOrigin(ctx, server.config.name, origin!, req, res); return true; }
    const run = req.method === 'POST' ? handlePost(ctx, server, req, res)
      : req.method === 'GET' || req.method === 'DELETE' ? handleStreamOrDelete(ctx, server, req, res)
        : (sendEmpty(res, 405, { allow: 'GET, POST, DELETE' }), Promise.resolve());
    run.catch((error: unknown) => {
      onError(error);
      sendJson(res, 500, { jsonrpc: '2.0', id: null, error: { code: -32603, message: 'internal gateway error' } });
    });
    return true;
  };
}

/** 403 for a request from a browser origin that is not allowed (DNS rebinding); audited as a denied message of an anonymous sender. */
function refuseOrigin(ctx: GateContext, server: string, origin: string, req: IncomingMessage, res: ServerResponse): void {
  const verb = req.method === 'POST' ? 'unknown' : req.method === 'DELETE' ? 'session/delete' : 'stream';
  const record = newClientRecord(ctx, server, req, verb, req.method === 'POST' ? 'request' : req.method === 'DELETE' ? 'session' : 'stream');
  req.resume();
  const message = `requests from origin ${origin} are not allowed (PROXY_MCP_ALLOWED_ORIGINS)`;
  record.errorCode = ErrorCodes.FORBIDDEN;
  record.responseCode = 403;
  record.responseObject = { error: { code: RpcErrors.DENIED, message } };
  record.facts.error = { code: RpcErrors.DENIED, message };
  ctx.metrics.authFailures.inc({ reason: 'origin_not_allowed' });
  sendJson(res, 403, errorResponse(null, RpcErrors.DENIED, message));
  settle(ctx, record, 'denied');
}
