/** Audit events for the detector benchmark: background reads no rule matches, and probe secret reads that each page once. */
import { randomUUID } from 'node:crypto';
import { CURRENT_SCHEMA_VERSION, type AuditEvent } from '@auditgate/shared';

/** What one benchmark event is about; everything else is a fixed, valid default (schema v2). */
export interface BenchEventSpec {
  readonly actor: string;
  readonly resource: string;
  readonly namespace: string;
  readonly name: string;
  /** Event time, ms since epoch. */
  readonly at: number;
  readonly auditID?: string;
}

/** A successful `get` of `spec.resource/spec.name` by `spec.actor`, shaped like the gateway's events. */
export function benchEvent(spec: BenchEventSpec): AuditEvent {
  const at = spec.at;
  return {
    apiVersion: 'audit.k8s.io/v1', kind: 'Event', level: 'Metadata', auditID: spec.auditID ?? randomUUID(),
    stage: 'ResponseComplete', requestURI: `/api/v1/namespaces/${spec.namespace}/${spec.resource}/${spec.name}`, verb: 'get',
    user: { username: spec.actor, groups: ['system:serviceaccounts', 'system:authenticated'] },
    sourceIPs: ['10.0.0.7'], userAgent: 'kubectl/v1.36.3',
    objectRef: { apiVersion: 'v1', resource: spec.resource, namespace: spec.namespace, name: spec.name },
    responseStatus: { code: 200, metadata: {} },
    requestReceivedTimestamp: new Date(at).toISOString(), stageTimestamp: new Date(at + 2).toISOString(),
    annotations: { 'authorization.k8s.io/decision': 'allow' },
    auditgate: {
      schemaVersion: CURRENT_SCHEMA_VERSION, gateway: { instance: 'bench-gw', version: '0.1.0' },
      actor: { issuer: 'https://127.0.0.1:6443', subject: spec.actor, username: spec.actor, groups: [], tokenKind: 'serviceaccount' },
      cluster: { name: 'bench' },
    },
  };
}

/** Background event `i`: a configmap read by one of `actors` actors (one resource kind per actor: no sweep, no burst). */
export function backgroundEvent(i: number, actors: number, at: number): AuditEvent {
  return benchEvent({ actor: `system:serviceaccount:bench:bg-${i % actors}`, resource: 'configmaps', namespace: 'bench', name: `cm-${i % 97}`, at });
}

/** Probe `i` of run `run`: one secret read by an actor of its own, so it raises exactly one SECRET_READ. */
export function probeEvent(run: string, i: number, at: number): AuditEvent {
  return benchEvent({ actor: `system:serviceaccount:bench:probe-${run}-${i}`, resource: 'secrets', namespace: 'bench', name: `s-${i}`, at });
}
