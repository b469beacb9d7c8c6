import type { AuditEvent } from '@auditgate/shared';
import { isClusterWide } from '@auditgate/shared/kube';
import type { KubeMetadataLookup } from './kube-metadata.js';
import { parseRoleArn } from './parse-role-arn.js';

/** The cluster facts the indexer is configured with. */
export interface ClusterFacts { readonly name: string; readonly arn?: string; readonly region?: string; readonly account?: string }

/** What the indexer adds under `auditgate.enrichment`. */
export interface Enrichment {
  cluster: { name: string; arn?: string; region?: string; account?: string };
  iam?: { roleArn: string; roleName: string; account: string; sessionName?: string };
  object?: { labels?: Record<string, string>; owner?: string };
  namespace?: { labels: Record<string, string> };
  /** `namespace/resource/name`; empty segments for what the request does not name. */
  target?: string;
  clusterWide: boolean;
  secretAccess: boolean;
  /** Terminal stages only: stageTimestamp - requestReceivedTimestamp. */
  durationMs?: number;
  /** Terminal stages only: response body bytes (or streamed bytes). */
  responseBytes?: number;
}

/** True for the stages that end an exchange. */
export function isTerminalStage(stage: AuditEvent['stage']): boolean {
  return stage === 'ResponseComplete' || stage === 'Panic';
}

/** Resource key of the metadata cache: plural resource, `.group` appended for non-core groups. */
export function resourceKey(resource: string, apiGroup: string | undefined): string {
  return apiGroup === undefined || apiGroup === '' ? resource : `${resource}.${apiGroup}`;
}

/**
 * Computes the enrichment of one event. Pure and non-blocking: cluster metadata comes from `kube`, a cache whose
 * miss simply leaves labels out (so a later stage's hit is never erased by a miss).
 */
export function enrichEvent(event: AuditEvent, cluster: ClusterFacts, kube: KubeMetadataLookup): Enrichment {
  const ref = event.objectRef;
  const resource = ref?.resource;
  const out: Enrichment = {
    cluster: { name: cluster.name, ...pick({ arn: cluster.arn, region: cluster.region, account: cluster.account }) },
    // The gateway's own classification (one definition, shared); older events are classified alike.
    clusterWide: event.auditgate.classification?.clusterWide ?? isClusterWide({ verb: event.verb, ...ref }),
    secretAccess: resource === 'secrets' && (ref?.apiGroup === undefined || ref.apiGroup === ''),
  };
  const upstream = event.auditgate.upstream;
  const role = parseRoleArn(upstream?.roleArn) ?? parseRoleArn(upstream?.identity);
  if (role !== undefined) {
    out.iam = { roleArn: role.arn, roleName: role.roleName, account: role.account, ...pick({ sessionName: role.sessionName }) };
  }
  if (resource !== undefined && resource !== '') {
    const ns = ref?.namespace ?? '';
    const name = ref?.name ?? '';
    out.target = `${ns}/${resource}/${name}`;
    if (name !== '') {
      const meta = kube.object(resourceKey(resource, ref?.apiGroup), ns, name);
      if (meta !== undefined) out.object = { labels: { ...meta.labels }, ...pick({ owner: meta.owner }) };
    }
    const nsName = ns !== '' ? ns : resource === 'namespaces' && name !== '' ? name : '';
    const nsLabels = nsName === '' ? undefined : kube.namespaceLabels(nsName);
    if (nsLabels !== undefined) out.namespace = { labels: { ...nsLabels } };
  }
  if (isTerminalStage(event.stage)) {
    const duration = Date.parse(event.stageTimestamp) - Date.parse(event.requestReceivedTimestamp);
    if (Number.isFinite(duration)) out.durationMs = Math.max(0, duration);
    const bytes = event.auditgate.body?.response?.bytes ?? event.auditgate.stream?.bytes;
    if (bytes !== undefined) out.responseBytes = bytes;
  }
  return out;
}

function pick<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}
