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
    cluster: clusterFields(cluster),
    // The gateway's own classification (one definition, shared); older events are classified alike.
    clusterWide: event.auditgate.classification?.clusterWide ?? isClusterWide({ verb: event.verb, ...ref }),
    secretAccess: resource === 'secrets' && (ref?.apiGroup === undefined || ref.apiGroup === ''),
  };
  const upstream = event.auditgate.upstream;
  const role = parseRoleArn(upstream?.roleArn) ?? parseRoleArn(upstream?.identity);
  if (role !== undefined) {
    out.iam = { roleArn: role.arn, roleName: role.roleName, account: role.account };
    if (role.sessionName !== undefined) out.iam.sessionName = role.sessionName;
  }
  if (resource !== undefined && resource !== '') {
    const ns = ref?.namespace ?? '';
    const name = ref?.name ?? '';
    out.target = `${ns}/${resource}/${name}`;
    if (name !== '') {
      const meta = kube.object(resourceKey(resource, ref?.apiGroup), ns, name);
      if (meta !== undefined) {
        out.object = { labels: { ...meta.labels } };
        if (meta.owner !== undefined) out.object.owner = meta.owner;
      }
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

/** The configured cluster facts, without the ones not set. */
function clusterFields(cluster: ClusterFacts): Enrichment['cluster'] {
  const out: Enrichment['cluster'] = { name: cluster.name };
  if (cluster.arn !== undefined) out.arn = cluster.arn;
  if (cluster.region !== undefined) out.region = cluster.region;
  if (cluster.account !== undefined) out.account = cluster.account;
  return out;
}
