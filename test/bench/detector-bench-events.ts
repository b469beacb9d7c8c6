/**
 * Audit events for the detector benchmark: background traffic that exercises the rules (many actors reading Secrets
 * and listing, so windows, scopes and suppression work), and probe secret reads that each page once.
 */
import { randomUUID } from 'node:crypto';
import { CURRENT_SCHEMA_VERSION, type AuditEvent } from '@auditgate/shared';

/** What one benchmark event is about; everything else is a fixed, valid default (schema v2). */
export interface BenchEventSpec {
  readonly actor: string;
  readonly resource: string;
  /** Absent for a cluster-wide request. */
  readonly namespace?: string;
  /** Absent for a list. */
  readonly name?: string;
  readonly verb?: 'get' | 'list';
  /** Event time, ms since epoch. */
  readonly at: number;
  readonly auditID?: string;
}

/** A successful `get` (or `list`) of `spec.resource` by `spec.actor`, shaped like the gateway's events. */
export function benchEvent(spec: BenchEventSpec): AuditEvent {
  const at = spec.at;
  const path = `/api/v1${spec.namespace === undefined ? '' : `/namespaces/${spec.namespace}`}/${spec.resource}${spec.name === undefined ? '' : `/${spec.name}`}`;
  return {
    apiVersion: 'audit.k8s.io/v1', kind: 'Event', level: 'Metadata', auditID: spec.auditID ?? randomUUID(),
    stage: 'ResponseComplete', requestURI: path, verb: spec.verb ?? 'get',
    user: { username: spec.actor, groups: ['system:serviceaccounts', 'system:authenticated'] },
    sourceIPs: ['10.0.0.7'], userAgent: 'kubectl/v1.36.3',
    objectRef: {
      apiVersion: 'v1', resource: spec.resource,
      ...(spec.namespace === undefined ? {} : { namespace: spec.namespace }), ...(spec.name === undefined ? {} : { name: spec.name }),
    },
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

/**
 * Background event `i` by one of `actors` actors, matching rules as real traffic does: half are ConfigMap reads, a
 * quarter Secret reads (SECRET_READ per Secret then suppressed, SECRET_READ_BURST windows per actor), the rest lists of
 * ConfigMaps, of Secrets in a namespace and of Pods cluster-wide. Its Secrets live in namespaces apart from the
 * probes', so background alerts never suppress a probe's.
 */
export function backgroundEvent(i: number, actors: number, at: number): AuditEvent {
  const actor = `system:serviceaccount:bench:bg-${i % actors}`;
  const kind = i % 20;
  if (kind < 10) return benchEvent({ actor, resource: 'configmaps', namespace: 'bench', name: `cm-${i % 97}`, at });
  if (kind < 15) return benchEvent({ actor, resource: 'secrets', namespace: `bench-bg-${i % 5}`, name: `s-${i % 211}`, at });
  if (kind < 18) return benchEvent({ actor, resource: 'configmaps', namespace: `bench-bg-${i % 5}`, verb: 'list', at });
  if (kind < 19) return benchEvent({ actor, resource: 'secrets', namespace: `bench-bg-${i % 5}`, verb: 'list', at });
  return benchEvent({ actor, resource: 'pods', verb: 'list', at });
}

/** Probe `i` of run `run`: one secret read by an actor of its own, so it raises exactly one SECRET_READ. */
export function probeEvent(run: string, i: number, at: number): AuditEvent {
  return benchEvent({ actor: `system:serviceaccount:bench:probe-${run}-${i}`, resource: 'secrets', namespace: 'bench', name: `s-${i}`, at });
}
