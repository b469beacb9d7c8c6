import type { McpConfig } from '../config/mcp-config.js';
import { resourceUrl } from './protected-resource.js';

/**
 * RFC 8707 resource binding: a token whose audience names one of this gateway's MCP servers is good for those servers
 * only. A token whose audience names none of them (an issuer configured with an audience of its own, shared on
 * purpose) is good for every server.
 */
export function tokenFitsServer(audience: unknown, config: Pick<McpConfig, 'publicUrl' | 'servers'>, server: string): boolean {
  const audiences = Array.isArray(audience) ? audience.filter((a): a is string => typeof a === 'string') : typeof audience === 'string' ? [audience] : [];
  const ours = new Set(config.servers.map((s) => resourceUrl(config as McpConfig, s.name)));
  const named = audiences.filter((a) => ours.has(a.replace(/\/+$/, '')));
  return named.length === 0 || named.some((a) => a.replace(/\/+$/, '') === resourceUrl(config as McpConfig, server));
}
