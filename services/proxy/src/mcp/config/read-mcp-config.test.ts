import { it } from 'node:test';
import assert from 'node:assert/strict';
import { EnvReader } from '@auditgate/shared';
import { readMcpConfig } from './read-mcp-config.js';

const listen = { host: '127.0.0.1', httpPort: -1, httpsPort: 8443 };
const env = (extra: Record<string, string>): Record<string, string> => ({
  PROXY_MCP_SERVERS: JSON.stringify([{ name: 'kubernetes', url: 'http://mcp:8080/mcp' }]),
  PROXY_MCP_ISSUERS: JSON.stringify([{ issuer: 'https://idp.example' }]),
  ...extra,
});

it('PROXY_MCP_ALLOWED_ORIGINS: the public URL\'s origin by default; a list of origins, normalized; anything else is a problem', () => {
  assert.deepEqual(readMcpConfig(new EnvReader(env({})), listen)?.allowedOrigins, ['https://127.0.0.1:8443']);
  assert.deepEqual(readMcpConfig(new EnvReader(env({ PROXY_MCP_PUBLIC_URL: 'https://gw.example/' })), listen)?.allowedOrigins, ['https://gw.example']);
  assert.deepEqual(readMcpConfig(new EnvReader(env({ PROXY_MCP_ALLOWED_ORIGINS: 'https://GW.example:443/, http://localhost:6274' })), listen)?.allowedOrigins,
    ['https://gw.example', 'http://localhost:6274']);
  const reader = new EnvReader(env({ PROXY_MCP_ALLOWED_ORIGINS: 'gw.example,null' }));
  readMcpConfig(reader, listen);
  assert.throws(() => reader.finish(), /"gw\.example" is not an http\(s\) origin[\s\S]*"null" is not an http\(s\) origin/);
});
