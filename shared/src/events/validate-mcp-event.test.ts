import { it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeGatewayEvent, isMcpEvent } from './gateway-event.js';
import { mcpEventProblems } from './validate-mcp-event.js';
import { auditEventProblems } from './validate-audit-event.js';

const event = {
  apiVersion: 'auditgate.dev/v1', kind: 'McpEvent', level: 'RequestResponse', auditID: 'a1b2c3d4-0000', stage: 'ResponseComplete',
  requestURI: '/mcp/kubernetes', verb: 'tools/call', user: { username: 'oidc:alice', groups: ['sre'] }, sourceIPs: ['127.0.0.1'],
  requestObject: { name: 'pods_list', arguments: { namespace: 'shop' } }, responseStatus: { code: 200 },
  requestReceivedTimestamp: '2026-01-01T00:00:00.000Z', stageTimestamp: '2026-01-01T00:00:00.100Z',
  auditgate: {
    schemaVersion: 3, gateway: { instance: 'gw', version: '1' }, cluster: { name: 'c' },
    actor: { issuer: 'https://idp', subject: 'alice', username: 'oidc:alice', groups: ['sre'], tokenKind: 'oidc' },
    mcp: {
      server: 'kubernetes', direction: 'client', messageKind: 'request', method: 'tools/call', requestId: '7', toolName: 'pods_list',
      callId: 'c-1', scope: { namespace: 'shop', resource: 'pods' }, outcome: 'tool-error',
      delegation: { jti: 'j', audience: 'auditgate-mcp:kubernetes', expiresAt: '2026-01-01T00:02:00.000Z' },
    },
  },
};

it('accepts a valid MCP event and decodes both kinds from the topic', () => {
  assert.deepEqual(mcpEventProblems(event), []);
  const decoded = decodeGatewayEvent(Buffer.from(JSON.stringify(event)));
  assert.equal(isMcpEvent(decoded), true);
});

it('names each problem of a bad MCP event, and MCP events only from schema version 3', () => {
  const bad = structuredClone(event) as Record<string, any>;
  bad['stage'] = 'ResponseStarted';
  bad['auditgate']['schemaVersion'] = 2;
  bad['auditgate']['mcp']['direction'] = 'sideways';
  bad['auditgate']['mcp']['outcome'] = 'meh';
  delete bad['auditgate']['mcp']['server'];
  const problems = mcpEventProblems(bad).join('\n');
  for (const p of ['$.stage', '$.auditgate.schemaVersion', '$.auditgate.mcp.direction', '$.auditgate.mcp.outcome', '$.auditgate.mcp.server']) assert.ok(problems.includes(p), p);
});

it('a Kubernetes event carries verified MCP correlation only from schema version 3', () => {
  const kube = {
    apiVersion: 'audit.k8s.io/v1', kind: 'Event', level: 'Metadata', auditID: 'k1k2k3k4-0000', stage: 'ResponseComplete', requestURI: '/api', verb: 'get',
    user: { username: 'oidc:alice' }, requestReceivedTimestamp: '2026-01-01T00:00:00Z', stageTimestamp: '2026-01-01T00:00:00Z',
    auditgate: { schemaVersion: 3, gateway: { instance: 'gw', version: '1' }, cluster: { name: 'c' }, actor: event.auditgate.actor, mcp: { caller: 'verified', server: 'kubernetes', callId: 'c-1' } },
  };
  assert.deepEqual(auditEventProblems(kube), []);
  assert.match(auditEventProblems({ ...kube, auditgate: { ...kube.auditgate, schemaVersion: 2 } }).join(), /not in schema versions before 3/);
  assert.match(auditEventProblems({ ...kube, auditgate: { ...kube.auditgate, mcp: { caller: 'guessed' } } }).join(), /caller: must be one of supplied, verified/);
});
