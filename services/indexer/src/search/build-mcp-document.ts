import { exchangeDocument, isTerminalStage, type McpEvent, type PartialDocument } from '@auditgate/shared';
import type { ClusterFacts } from '../enrich/enrich-event.js';

/** What the indexer adds to an MCP event document under `auditgate.enrichment`. */
export interface McpEnrichment {
  cluster: { name: string; arn?: string; region?: string; account?: string };
  /** Terminal stage only: stageTimestamp - requestReceivedTimestamp. */
  durationMs?: number;
}

/**
 * What one stage of an MCP event contributes to its message's single document (`_id` = auditID) in the MCP index:
 * the shared exchange-document shape (so the chain verifier rebuilds MCP documents exactly as Kubernetes ones) plus
 * the cluster and, when the message ended, its duration.
 */
export function buildMcpDocument(event: McpEvent, cluster: ClusterFacts): PartialDocument {
  const doc = exchangeDocument(event);
  const enrichment: McpEnrichment = {
    cluster: { name: cluster.name, ...(cluster.arn === undefined ? {} : { arn: cluster.arn }), ...(cluster.region === undefined ? {} : { region: cluster.region }), ...(cluster.account === undefined ? {} : { account: cluster.account }) },
  };
  if (isTerminalStage(event.stage)) {
    const ms = Date.parse(event.stageTimestamp) - Date.parse(event.requestReceivedTimestamp);
    if (Number.isFinite(ms) && ms >= 0) enrichment.durationMs = ms;
  }
  doc['auditgate'] = { ...(doc['auditgate'] as Record<string, unknown>), enrichment };
  return doc;
}
