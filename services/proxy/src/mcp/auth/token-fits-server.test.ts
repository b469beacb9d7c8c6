import { it } from 'node:test';
import assert from 'node:assert/strict';
import { tokenFitsServer } from './token-fits-server.js';

const config = { publicUrl: 'https://gw:8443', servers: [{ name: 'kubernetes' }, { name: 'sidecar' }] } as never;

it('a token for one MCP server is refused on another; a token for none of them is good for all', () => {
  assert.equal(tokenFitsServer('https://gw:8443/mcp/sidecar', config, 'sidecar'), true);
  assert.equal(tokenFitsServer('https://gw:8443/mcp/sidecar', config, 'kubernetes'), false);
  assert.equal(tokenFitsServer(['https://gw:8443/mcp/sidecar', 'https://gw:8443/mcp/kubernetes'], config, 'kubernetes'), true);
  assert.equal(tokenFitsServer(['auditgate-mcp'], config, 'kubernetes'), true, 'an audience of its own, shared on purpose');
  assert.equal(tokenFitsServer(undefined, config, 'kubernetes'), true);
});
