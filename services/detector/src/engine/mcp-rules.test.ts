import { it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { validateAuditEvent, type AuditEvent } from '@auditgate/shared';
import { loadRules } from '../rules/load-rules.js';
import { mcpScopeExcess } from '../rules/event-fields.js';
import { DetectionEngine } from './detection-engine.js';
import { auditEvent, type EventSpec } from './event-factory.test-helper.js';

const rules = loadRules([fileURLToPath(new URL('../../rules', import.meta.url))]);

/** An event of a verified tool call whose arguments meant `scope`. */
function ofCall(spec: EventSpec, scope: NonNullable<AuditEvent['auditgate']['mcp']>['scope'], caller: 'verified' | 'supplied' = 'verified', callId = 'call-1'): AuditEvent {
  const e = auditEvent({ actor: 'oidc:alice', ...spec });
  e.auditgate.mcp = { caller, server: 'kubernetes', toolName: 'pods_list_in_namespace', callId, ...(scope === undefined ? {} : { scope }) };
  e.auditgate.onBehalfOf = { ...e.auditgate.actor };
  validateAuditEvent(e);
  return e;
}
const fired = (events: AuditEvent[]): string[] => {
  const engine = new DetectionEngine({ rules, queryUrl: 'http://query.test' });
  return events.flatMap((e) => engine.process(e)).filter((a) => a.rule === 'MCP_TOOL_CALL_EXCEEDS_ARGUMENTS' && a.change !== 'updated').map((a) => a.severity);
};

it('a pods listing in one namespace that lists Secrets cluster-wide fires, critical', () => {
  const scope = { namespace: 'shop', resource: 'pods' };
  assert.deepEqual(fired([
    ofCall({ uri: '/api/v1/namespaces/shop/pods', verb: 'list', ref: { resource: 'pods', namespace: 'shop' } }, scope),
    ofCall({ uri: '/api/v1/secrets', verb: 'list', ref: { resource: 'secrets' } }, scope),
  ]), ['critical']);
  assert.deepEqual(mcpScopeExcess(ofCall({ uri: '/api/v1/secrets', verb: 'list', ref: { resource: 'secrets' } }, scope)), ['namespace', 'resource']);
});

it('requests within the arguments, discovery, self-checks and unverified correlation do not fire', () => {
  const scope = { namespace: 'shop', resource: 'pods' };
  assert.deepEqual(fired([
    ofCall({ uri: '/api/v1/namespaces/shop/pods', verb: 'list', ref: { resource: 'pods', namespace: 'shop' } }, scope),
    ofCall({ uri: '/api/v1/namespaces/shop/pods/web/log', verb: 'get', ref: { resource: 'pods', namespace: 'shop', name: 'web', subresource: 'log' } }, scope),
    ofCall({ uri: '/api', verb: 'get' }, scope),
    ofCall({ uri: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', verb: 'create', ref: { resource: 'selfsubjectaccessreviews', apiGroup: 'authorization.k8s.io' } }, scope),
    ofCall({ uri: '/api/v1/namespaces/shop', verb: 'get', ref: { resource: 'namespaces', namespace: 'shop', name: 'shop' } }, scope),
    ofCall({ uri: '/api/v1/secrets', verb: 'list', ref: { resource: 'secrets' } }, scope, 'supplied'),
    ofCall({ uri: '/api/v1/secrets', verb: 'list', ref: { resource: 'secrets' } }, undefined),
  ]), []);
});

it('another namespace is high when cluster-wide, medium otherwise', () => {
  assert.deepEqual(fired([ofCall({ uri: '/api/v1/namespaces/other/configmaps', verb: 'list', ref: { resource: 'configmaps', namespace: 'other' } }, { namespace: 'shop', resource: 'configmaps' })]), ['medium']);
  assert.deepEqual(fired([ofCall({ uri: '/api/v1/pods', verb: 'list', ref: { resource: 'pods' } }, { namespace: 'shop', resource: 'pods' }, 'verified', 'call-2')]), ['high']);
});
