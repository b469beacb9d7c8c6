import type { AuditEvent } from '@auditgate/shared';
import { isTerminalStage, type Enrichment } from '../enrich/enrich-event.js';

/** A partial document: what one event contributes to its exchange's document. */
export type PartialDocument = Record<string, unknown>;

/**
 * What one stage contributes to the exchange's single document (`_id` = auditID). Merge rule, so that any order of
 * arrival and any replay give the same document without scripts (OpenSearch merges a partial `doc` recursively,
 * objects key by key, scalars and arrays replaced):
 * - fields equal in every stage (ids, verb, URI, user, objectRef, request, actor, …) are written by every stage;
 * - what differs per stage goes under `stages.<Stage>` (stageTimestamp, responseStatus, schemaVersion, gateway);
 * - response-side fields (`responseStatus`, `responseObject`, `auditgate.body.response`, `auditgate.stream`,
 *   `auditgate.errorCode`, enrichment `durationMs`/`responseBytes`, `complete: true`) only by the terminal stage;
 * - enrichment labels are written only on a cache hit, so a miss never erases what a hit wrote.
 */
export function buildPartialDocument(event: AuditEvent, enrichment: Enrichment): PartialDocument {
  const terminal = isTerminalStage(event.stage);
  const { stream, errorCode, body, enrichment: _ignored, ...ext } = event.auditgate;
  const auditgate: Record<string, unknown> = { ...ext, enrichment };
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
  const doc: PartialDocument = {
    apiVersion: event.apiVersion, kind: event.kind, level: event.level, auditID: event.auditID,
    requestURI: event.requestURI, verb: event.verb, user: event.user,
    requestReceivedTimestamp: event.requestReceivedTimestamp,
    stages: { [event.stage]: stage },
    auditgate,
  };
  for (const key of ['impersonatedUser', 'sourceIPs', 'userAgent', 'objectRef', 'requestObject', 'annotations'] as const) {
    if (event[key] !== undefined) doc[key] = event[key];
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

/** The daily index an event belongs to, by its requestReceivedTimestamp (UTC), so every stage lands in the same one. */
export function indexNameFor(prefix: string, requestReceivedTimestamp: string): string {
  // Date.parse reads at most milliseconds: drop finer fractions first.
  const ms = Date.parse(requestReceivedTimestamp.replace(/(\.\d{3})\d+/, '$1'));
  const d = new Date(Number.isFinite(ms) ? ms : 0);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${prefix}-${d.getUTCFullYear()}.${pad(d.getUTCMonth() + 1)}.${pad(d.getUTCDate())}`;
}
