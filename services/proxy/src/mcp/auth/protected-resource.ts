import type { McpConfig } from '../config/mcp-config.js';

/** The resource URL of an MCP server behind the gateway (what tokens are issued for, RFC 8707). */
export function resourceUrl(config: McpConfig, server: string): string {
  return `${config.publicUrl}/mcp/${server}`;
}

/** Path of a server's RFC 9728 protected-resource metadata (the resource path appended to the well-known prefix). */
export function metadataPath(server: string): string {
  return `/.well-known/oauth-protected-resource/mcp/${server}`;
}

/** The RFC 9728 protected-resource metadata of `server`: its resource URL and the authorization servers MCP clients use. */
export function protectedResourceMetadata(config: McpConfig, server: string): Record<string, unknown> {
  return {
    resource: resourceUrl(config, server),
    authorization_servers: config.issuers.map((i) => i.issuer),
    bearer_methods_supported: ['header'],
    ...(config.scopes.length === 0 ? {} : { scopes_supported: [...config.scopes] }),
    resource_name: `Auditgate MCP gate: ${server}`,
  };
}

/** The `WWW-Authenticate` challenge of a 401 (RFC 6750 §3 with RFC 9728's `resource_metadata`). */
export function bearerChallenge(config: McpConfig, server: string, error?: { code: 'invalid_token' | 'invalid_request'; description: string }): string {
  const parts = [`Bearer resource_metadata="${config.publicUrl}${metadataPath(server)}"`];
  if (config.scopes.length > 0) parts.push(`scope="${config.scopes.join(' ')}"`);
  if (error !== undefined) parts.push(`error="${error.code}"`, `error_description="${error.description.replace(/["\\]/g, '')}"`);
  return parts.join(', ');
}
