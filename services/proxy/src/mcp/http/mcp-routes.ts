import type { IncomingMessage, ServerResponse } from 'node:http';
import { protectedResourceMetadata } from '../auth/protected-resource.js';
import type { GateContext } from './gate-context.js';
import { sendEmpty, sendJson } from './gate-io.js';
import { handlePost } from './mcp-post.js';
import { handleStreamOrDelete } from './mcp-stream.js';

const MCP_PATH = /^\/mcp\/([a-z0-9-]{1,63})\/?$/;
const METADATA_PATH = /^\/\.well-known\/oauth-protected-resource(?:\/mcp\/([a-z0-9-]{1,63}))?\/?$/;

/**
 * The MCP endpoint's routes on the gateway's listeners; returns false for any other path (left to the Kubernetes
 * path). `/mcp/<server>` (POST, GET, DELETE: Streamable HTTP), its RFC 9728 metadata under
 * `/.well-known/oauth-protected-resource/mcp/<server>`, and the delegation issuer's discovery and JWKS.
 */
export function createMcpRoutes(ctx: GateContext, onError: (error: unknown) => void): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { discovery, jwks } = ctx.issuer.paths;
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
