import type { AuditStage } from './audit-event.js';
import type { GatewayEvent } from './gateway-event.js';
import { stageRecord } from '../chain/stage-record.js';

/** A partial document: what one event contributes to its exchange's document. */
export type PartialDocument = Record<string, unknown>;

/** Whether `stage` ends an exchange (ResponseComplete or Panic). */
export function isTerminalStage(stage: AuditStage): boolean {
  return stage === 'ResponseComplete' || stage === 'Panic';
}

/**
 * What one stage contributes to the exchange's single OpenSearch document (`_id` = auditID), before the indexer adds
 * `auditgate.enrichment`. Merge rule, so that any order of arrival and any replay give the same document without
 * scripts (OpenSearch merges a partial `doc` recursively, objects key by key, scalars and arrays replaced):
 * - fields equal in every stage (ids, verb, URI, user, objectRef, request, actor, …) are written by every stage;
 * - what differs per stage goes under `stages.<Stage>` (stageTimestamp, responseStatus, schemaVersion, gateway, and the
 *   stage's chain link with the event as produced, see stage-record.ts);
 * - response-side fields (`responseStatus`, `responseObject`, `auditgate.body.response`, `auditgate.stream`,
 *   `auditgate.errorCode`, `complete: true`) only by the terminal stage.
 * The indexer writes these documents and the verifier rebuilds them from the stage records to find edits. MCP events
 * (same envelope) make their documents the same way, in their own index.
 */
export function exchangeDocument(event: GatewayEvent): PartialDocument {
  const terminal = isTerminalStage(event.stage);
  const { stream, errorCode, body, enrichment: _enrichment, chain: _chain, ...ext } = event.auditgate;
  const auditgate: Record<string, unknown> = { ...ext };
  if (body?.request !== undefined) auditgate['body'] = { request: body.request };
  if (terminal) {
    if (body?.response !== undefined) auditgate['body'] = { ...(auditgate['body'] as object | undefined), response: body.response };
    if (stream !== undefined) auditgate['stream'] = stream;
    if (errorCode !== undefined) auditgate['errorCode'] = errorCode;
  }
  const stage: Record<string, unknown> = {
    stageTimestamp: event.stageTimestamp,
    schemaVersion: event.auditgate.schemaVersion,
    gatewayInstance: event.auditgate.gateway.instance,
  };
  if (event.responseStatus !== undefined) stage['responseStatus'] = event.responseStatus;
  const record = stageRecord(event);
  if (record !== undefined) Object.assign(stage, record);
  const doc: PartialDocument = {
    apiVersion: event.apiVersion, kind: event.kind, level: event.level, auditID: event.auditID,
    requestURI: event.requestURI, verb: event.verb, user: event.user,
    requestReceivedTimestamp: event.requestReceivedTimestamp,
    stages: { [event.stage]: stage },
    auditgate,
  };
  const fields = event as unknown as Record<string, unknown>;
  for (const key of ['impersonatedUser', 'sourceIPs', 'userAgent', 'objectRef', 'requestObject', 'annotations'] as const) {
    if (fields[key] !== undefined) doc[key] = fields[key];
  }
  if (terminal) {
    doc['complete'] = true;
    doc['finalStage'] = event.stage;
    doc['stageTimestamp'] = event.stageTimestamp;
    if (event.responseStatus !== undefined) doc['responseStatus'] = event.responseStatus;
    if (event.responseObject !== undefined) doc['responseObject'] = event.responseObject;
  }
  return doc;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Merges `patch` into a copy of `base` as OpenSearch merges a partial `doc`: objects recursively, the rest replaced. */
export function mergePartial(base: PartialDocument, patch: PartialDocument): PartialDocument {
  const out: PartialDocument = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? mergePartial(current, value) : value;
  }
  return out;
}
