import type { IncomingMessage } from 'node:http';
import { classifyRequest } from '../classify/index.js';

/** The core subresources the API server itself upgrades: streams to a container, and proxied (WebSocket) traffic. */
const UPGRADABLE: ReadonlySet<string> = new Set(['pods/exec', 'pods/attach', 'pods/portforward', 'pods/proxy', 'services/proxy', 'nodes/proxy']);

/**
 * Whether a request that asks for a protocol upgrade takes the upgrade path: only where the API server upgrades.
 * Every other request with upgrade headers is served as an ordinary request (headers dropped, masking and limits
 * intact), so `Connection: Upgrade` can never route a Secret read around the inspected path.
 */
export function acceptsUpgrade(req: IncomingMessage): boolean {
  const url = req.url;
  if (url === undefined || !url.startsWith('/') || url.length > 16 * 1024) return false;
  if (req.method !== 'GET' && req.method !== 'POST') return false;
  const info = classifyRequest(req.method, url);
  return info.isResourceRequest && info.apiGroup === '' && UPGRADABLE.has(`${info.resource}/${info.subresource}`);
}

/** True when the client asked for an upgrade (the request had `Connection: upgrade` and `Upgrade`). */
export function askedForUpgrade(req: IncomingMessage): boolean {
  const connection = req.headers['connection'];
  return req.headers['upgrade'] !== undefined && connection !== undefined && /(^|,)\s*upgrade\s*(,|$)/i.test(connection);
}
