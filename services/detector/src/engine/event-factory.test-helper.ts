import { randomUUID } from 'node:crypto';
import { CURRENT_SCHEMA_VERSION, type AuditEvent, type ObjectReference } from '@auditgate/shared';

/** What a test says about one exchange; everything else gets a valid default. */
export interface EventSpec {
  uri: string;
  verb: string;
  ref?: ObjectReference;
  code?: number;
  actor?: string;
  onBehalfOf?: string;
  /** Event time (requestReceivedTimestamp), ms since epoch. */
  at?: number;
  stage?: AuditEvent['stage'];
  auditID?: string;
  requestObject?: unknown;
  username?: string;
  groups?: string[];
  decision?: 'allow' | 'forbid';
  /** Our gateway's policy decision (a `deny` is answered 403 by the gateway). */
  policy?: { decision: 'allow' | 'deny' | 'mask'; ruleId?: string };
  impersonatedUser?: { username?: string; groups?: string[] };
  annotations?: Record<string, string>;
}

const T0 = Date.parse('2026-05-04T10:00:00.000Z');

/** A valid audit event (schema v2) for `spec`. */
export function auditEvent(spec: EventSpec): AuditEvent {
  const at = spec.at ?? T0;
  const actor = spec.actor ?? 'system:serviceaccount:agents:mcp';
  const person = (username: string) => ({ issuer: 'https://issuer.test', subject: username, username, groups: [], tokenKind: 'oidc' as const });
  return {
    apiVersion: 'audit.k8s.io/v1', kind: 'Event', level: 'Metadata', auditID: spec.auditID ?? randomUUID(),
    stage: spec.stage ?? 'ResponseComplete', requestURI: spec.uri, verb: spec.verb,
    user: { username: spec.username ?? actor, groups: spec.groups ?? ['system:authenticated'] },
    sourceIPs: ['10.0.0.7'], userAgent: 'kubectl/v1.36.3',
    ...(spec.ref === undefined ? {} : { objectRef: { apiVersion: 'v1', ...spec.ref } }),
    ...(spec.stage === 'RequestReceived' ? {} : { responseStatus: { code: spec.code ?? 200, metadata: {} } }),
    ...(spec.requestObject === undefined ? {} : { requestObject: spec.requestObject }),
    ...(spec.impersonatedUser === undefined ? {} : { impersonatedUser: spec.impersonatedUser as AuditEvent['user'] }),
    requestReceivedTimestamp: new Date(at).toISOString(), stageTimestamp: new Date(at + 5).toISOString(),
    annotations: { 'authorization.k8s.io/decision': spec.decision ?? ((spec.code ?? 200) === 403 ? 'forbid' : 'allow'), ...spec.annotations },
    auditgate: {
      schemaVersion: CURRENT_SCHEMA_VERSION, gateway: { instance: 'gw-0', version: '0.1.0' },
      actor: { ...person(actor), tokenKind: actor.startsWith('system:serviceaccount:') ? 'serviceaccount' : 'oidc' },
      ...(spec.onBehalfOf === undefined ? {} : { onBehalfOf: person(spec.onBehalfOf) }),
      cluster: { name: 'prod-eu' },
      ...(spec.policy === undefined ? {} : { policy: { bundleHash: 'sha256:test', reason: 'test', ...spec.policy } }),
    },
  };
}

/** The fixed start time of test events. */
export const TEST_T0 = T0;
