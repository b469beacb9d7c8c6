import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AUDIT_STAGES, CURRENT_SCHEMA_VERSION, auditEventProblems, validateAuditEvent, type AuditLevel, type AuditStage } from '@auditgate/shared';
import { buildAuditEvent, type ExchangeRecord, type GatewayFacts } from './exchange-record.js';

const FACTS: GatewayFacts = {
  instance: 'proxy-0', version: '0.1.0', cluster: { name: 'local', region: 'eu-west-1' },
  upstream: () => ({ mode: 'kubeconfig', identity: 'auditgate-gateway', impersonated: false }),
  schemaVersion: CURRENT_SCHEMA_VERSION,
};
const RECEIVED = Date.parse('2026-01-02T03:04:05.000Z');
const ACTOR = { issuer: 'https://issuer', subject: 'system:serviceaccount:ns:agent', username: 'system:serviceaccount:ns:agent', groups: ['system:serviceaccounts'], tokenKind: 'serviceaccount' as const };
const BODY = { bytes: 20, sha256: 'a'.repeat(64), truncated: false, maskedPaths: [] };

/** A fully populated exchange (a watch that was answered), at `level`. */
function fullRecord(level: AuditLevel): ExchangeRecord {
  return {
    auditID: '6f1b2a3c-0000-4000-8000-000000000001', receivedAt: RECEIVED, requestURI: '/api/v1/namespaces/ns/configmaps?watch=true',
    verb: 'watch', objectRef: { resource: 'configmaps', namespace: 'ns', apiVersion: 'v1' }, sourceIP: '10.0.0.7',
    userAgent: 'kubectl/v1.36.3', forwardedFor: ['1.2.3.4'], level, actor: ACTOR,
    user: { username: ACTOR.username, groups: ACTOR.groups, uid: 'u-1' },
    onBehalfOf: { ...ACTOR, username: 'alice@example.com', tokenKind: 'oidc' },
    mcp: { sessionId: 's-1', toolName: 'resources_list' },
    policy: { bundleHash: 'b'.repeat(64), ruleId: 'default', decision: 'allow', reason: 'no rule matched' },
    decision: { allowed: true, reason: 'auditgate policy rule default' },
    requestObject: { kind: 'ConfigMap' }, requestBody: BODY,
    responseCode: 200, responseObject: { kind: 'ConfigMapList' }, responseBody: { ...BODY, bytes: 99 },
    stream: { events: 3, bytes: 99, durationMs: 1500 },
    notes: { 'auditgate.dev/stripped-impersonation': '{"username":"someone"}' },
  };
}

describe('buildAuditEvent', () => {
  for (const level of ['Metadata', 'Request', 'RequestResponse'] as const) {
    for (const stage of AUDIT_STAGES) {
      it(`${level} / ${stage}: a valid audit.k8s.io/v1 event with objects only where the level and stage allow`, () => {
        const event = buildAuditEvent(FACTS, fullRecord(level), stage, RECEIVED + 2000);
        assert.deepEqual(auditEventProblems(event), []);
        validateAuditEvent(JSON.parse(JSON.stringify(event)));
        assert.equal(event.level, level);
        assert.equal(event.stage, stage);
        const withRequest = level !== 'Metadata';
        const withResponse = level === 'RequestResponse' && stage !== 'RequestReceived';
        assert.equal('requestObject' in event, withRequest, 'requestObject at Request and RequestResponse only');
        assert.equal('responseObject' in event, withResponse, 'responseObject at RequestResponse, after the request was received');
        const received = stage === 'RequestReceived';
        assert.equal(event.responseStatus === undefined, received, 'no response status before there is a response');
        assert.equal(event.auditgate.body?.response === undefined, received);
        assert.equal(event.auditgate.stream === undefined, received);
        assert.deepEqual(event.auditgate.body?.request, BODY, 'size and digest of the request body at every level');
      });
    }
  }

  it('carries the standard fields and the gateway extension', () => {
    const event = buildAuditEvent(FACTS, fullRecord('RequestResponse'), 'ResponseComplete', RECEIVED + 2000);
    assert.equal(event.apiVersion, 'audit.k8s.io/v1');
    assert.equal(event.kind, 'Event');
    assert.equal(event.requestReceivedTimestamp, '2026-01-02T03:04:05.000Z');
    assert.equal(event.stageTimestamp, '2026-01-02T03:04:07.000Z');
    assert.deepEqual(event.sourceIPs, ['10.0.0.7']);
    assert.deepEqual(event.user, { username: ACTOR.username, groups: ACTOR.groups, uid: 'u-1' });
    assert.deepEqual(event.responseStatus, { metadata: {}, code: 200 });
    assert.deepEqual(event.annotations, {
      'auditgate.dev/stripped-impersonation': '{"username":"someone"}',
      'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': 'auditgate policy rule default',
    });
    const ext = event.auditgate;
    assert.equal(ext.schemaVersion, CURRENT_SCHEMA_VERSION);
    assert.deepEqual(ext.gateway, { instance: 'proxy-0', version: '0.1.0' });
    assert.deepEqual(ext.actor, ACTOR);
    assert.equal(ext.onBehalfOf?.username, 'alice@example.com');
    assert.deepEqual(ext.mcp, { sessionId: 's-1', toolName: 'resources_list', caller: 'supplied' });
    assert.deepEqual(ext.upstream, { mode: 'kubeconfig', identity: 'auditgate-gateway', impersonated: false });
    assert.deepEqual(ext.forwardedFor, ['1.2.3.4']);
    assert.deepEqual(ext.stream, { events: 3, bytes: 99, durationMs: 1500 });
    assert.equal(ext.errorCode, undefined);
  });

  it('a request refused before authentication: anonymous user and actor, failure status, forbid annotation', () => {
    const record: ExchangeRecord = {
      auditID: '6f1b2a3c-0000-4000-8000-000000000002', receivedAt: RECEIVED, requestURI: 'http://evil/api/v1/pods', verb: 'get',
      sourceIP: '127.0.0.1', level: 'Metadata', responseCode: 401, responseMessage: 'bearer token rejected: no token',
      errorCode: 'AUDITGATE_E_UNAUTHENTICATED', decision: { allowed: false, reason: 'unauthenticated: missing_token' },
    };
    for (const stage of ['RequestReceived', 'ResponseComplete'] as AuditStage[]) {
      const event = validateAuditEvent(buildAuditEvent(FACTS, record, stage, RECEIVED + 1));
      assert.equal(event.user.username, 'system:anonymous');
      assert.equal(event.auditgate.actor.tokenKind, 'anonymous');
      assert.equal(event.annotations?.['authorization.k8s.io/decision'], 'forbid');
      assert.equal(event.auditgate.errorCode, 'AUDITGATE_E_UNAUTHENTICATED');
      assert.equal('objectRef' in event || 'userAgent' in event || 'impersonatedUser' in event || 'requestObject' in event, false);
    }
    const complete = buildAuditEvent(FACTS, record, 'ResponseComplete', RECEIVED + 1);
    assert.deepEqual(complete.responseStatus, { metadata: {}, code: 401, message: 'bearer token rejected: no token', status: 'Failure' });
  });

  it('a minimal record (nothing known but the request line) is still valid and has no optional blocks', () => {
    const event = buildAuditEvent(FACTS, {
      auditID: '6f1b2a3c-0000-4000-8000-000000000003', receivedAt: RECEIVED, requestURI: '/', verb: 'get', sourceIP: 'unknown', level: 'Metadata',
    }, 'RequestReceived', RECEIVED);
    validateAuditEvent(event);
    for (const key of ['annotations', 'responseStatus', 'objectRef'] as const) assert.equal(event[key], undefined, key);
    for (const key of ['policy', 'body', 'stream', 'onBehalfOf', 'mcp', 'forwardedFor', 'errorCode'] as const) assert.equal(event.auditgate[key], undefined, key);
  });

  it('reflects the record as it stands: later stages see later facts, earlier events are not changed', () => {
    const record = fullRecord('Metadata');
    delete record.responseCode;
    const received = buildAuditEvent(FACTS, record, 'RequestReceived', RECEIVED);
    record.responseCode = 500;
    record.errorCode = 'AUDITGATE_E_UPSTREAM_UNAVAILABLE';
    const complete = buildAuditEvent(FACTS, record, 'ResponseComplete', RECEIVED + 5);
    assert.equal(received.responseStatus, undefined);
    assert.equal(received.auditgate.errorCode, undefined);
    assert.equal(complete.responseStatus?.code, 500);
    assert.equal(complete.auditgate.errorCode, 'AUDITGATE_E_UPSTREAM_UNAVAILABLE');
    assert.equal(received.auditID, complete.auditID);
  });
});
