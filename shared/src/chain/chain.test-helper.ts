import type { AuditEvent, AuditStage } from '../events/audit-event.js';

/** A valid audit event as the proxy builds it (a `get` of a pod), for chain tests. */
export function chainSampleEvent(auditID: string, stage: AuditStage = 'RequestReceived'): AuditEvent {
  const terminal = stage === 'ResponseComplete' || stage === 'Panic';
  return {
    apiVersion: 'audit.k8s.io/v1', kind: 'Event', level: 'RequestResponse', auditID, stage,
    requestURI: '/api/v1/namespaces/demo/pods/web', verb: 'get',
    user: { username: 'system:serviceaccount:agents:mcp', groups: ['system:serviceaccounts'] },
    sourceIPs: ['10.0.0.7'], objectRef: { resource: 'pods', namespace: 'demo', name: 'web', apiVersion: 'v1' },
    requestObject: { note: 'café ☕', n: 1.5 },
    ...(terminal ? { responseStatus: { metadata: {}, code: 200 }, responseObject: { kind: 'Pod', metadata: { name: 'web' } } } : {}),
    requestReceivedTimestamp: '2026-03-14T10:00:00.000Z', stageTimestamp: terminal ? '2026-03-14T10:00:00.250Z' : '2026-03-14T10:00:00.000Z',
    auditgate: {
      schemaVersion: 2, gateway: { instance: 'proxy-0', version: '0.1.0' },
      actor: { issuer: 'https://issuer', subject: 'mcp', username: 'system:serviceaccount:agents:mcp', groups: [], tokenKind: 'serviceaccount' },
      cluster: { name: 'local' },
    },
  };
}
