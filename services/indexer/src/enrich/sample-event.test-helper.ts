import type { AuditEvent, AuditStage } from '@auditgate/shared';

/** Options of {@link sampleEvent}. */
export interface SampleEventOptions {
  readonly auditID: string;
  readonly stage?: AuditStage;
  readonly schemaVersion?: 1 | 2;
  readonly username?: string;
  readonly receivedAt?: string;
  readonly stageAt?: string;
  readonly objectRef?: AuditEvent['objectRef'];
  readonly verb?: string;
}

/** A valid audit event as the proxy writes it, for tests (a `get` of a secret by default). */
export function sampleEvent(o: SampleEventOptions): AuditEvent {
  const stage = o.stage ?? 'RequestReceived';
  const terminal = stage === 'ResponseComplete' || stage === 'Panic';
  const receivedAt = o.receivedAt ?? '2026-03-14T10:00:00.000000Z';
  const username = o.username ?? 'system:serviceaccount:agents:mcp';
  const objectRef = o.objectRef ?? { resource: 'secrets', namespace: 'payments', name: 'db-creds', apiVersion: 'v1' };
  const event: AuditEvent = {
    apiVersion: 'audit.k8s.io/v1', kind: 'Event', level: 'RequestResponse', auditID: o.auditID, stage,
    requestURI: `/api/v1/namespaces/${objectRef.namespace ?? ''}/${objectRef.resource ?? ''}/${objectRef.name ?? ''}`,
    verb: o.verb ?? 'get',
    user: { username, groups: ['system:serviceaccounts'] },
    sourceIPs: ['10.0.0.7'], userAgent: 'kubectl/v1.36.3',
    objectRef,
    requestReceivedTimestamp: receivedAt,
    stageTimestamp: o.stageAt ?? (terminal ? receivedAt.replace(/00\.000000Z$/, '00.250000Z') : receivedAt),
    annotations: { 'authorization.k8s.io/decision': 'allow', 'auditgate.dev/policy': 'default' },
    auditgate: {
      schemaVersion: o.schemaVersion ?? 2,
      gateway: { instance: 'proxy-0', version: '0.1.0' },
      actor: { issuer: 'https://127.0.0.1:6443', subject: username, username, groups: ['system:serviceaccounts'], tokenKind: 'serviceaccount' },
      cluster: { name: 'prod-eu' },
      upstream: { mode: 'eks', roleArn: 'arn:aws:iam::123456789012:role/auditgate/RoleY', identity: 'arn:aws:sts::123456789012:assumed-role/RoleY/auditgate-proxy-0' },
      policy: { bundleHash: 'abc123', decision: 'allow' },
      body: { request: { bytes: 0, sha256: 'e3b0', truncated: false, maskedPaths: [] } },
    },
  };
  if (terminal) {
    event.responseStatus = { code: 200 };
    event.responseObject = { kind: 'Secret', data: { password: 'masked:1234' } };
    event.auditgate.body = { ...event.auditgate.body, response: { bytes: 512, sha256: 'ff00', truncated: false, maskedPaths: ['data.password'] } };
  }
  if (stage === 'ResponseStarted') event.responseStatus = { code: 200 };
  if ((o.schemaVersion ?? 2) >= 2 && terminal && event.verb === 'watch') event.auditgate.stream = { events: 3, bytes: 900, durationMs: 4000 };
  return event;
}
