import type { AuditEvent, AuditStage } from '@auditgate/shared';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const COPIED = ['apiVersion', 'kind', 'level', 'auditID', 'requestURI', 'verb', 'user', 'impersonatedUser', 'sourceIPs', 'userAgent',
  'objectRef', 'requestObject', 'responseObject', 'responseStatus', 'requestReceivedTimestamp', 'annotations'] as const;

/**
 * The audit event the live detector saw last for one stored exchange document (`auditgate-events-*`, one document per
 * auditID, stages merged): its final stage (ResponseComplete or Panic), else ResponseStarted for an exchange still
 * streaming; undefined for a document with only RequestReceived (the detector ignores that stage) or without the
 * fields every event has. The indexer's enrichment is left out: the detector never saw it.
 */
export function eventFromDocument(doc: Obj): AuditEvent | undefined {
  const stages = isObj(doc['stages']) ? doc['stages'] : {};
  const final = typeof doc['finalStage'] === 'string' ? doc['finalStage'] : undefined;
  const stage = (final ?? (isObj(stages['ResponseStarted']) ? 'ResponseStarted' : undefined)) as AuditStage | undefined;
  if (stage === undefined || stage === 'RequestReceived') return undefined;
  const facts = isObj(stages[stage]) ? stages[stage] : {};
  if (typeof doc['auditID'] !== 'string' || typeof doc['requestURI'] !== 'string' || typeof doc['requestReceivedTimestamp'] !== 'string') return undefined;
  if (!isObj(doc['auditgate']) || !isObj(doc['auditgate']['actor'])) return undefined;
  const { enrichment: _enrichment, ...auditgate } = doc['auditgate'];
  const event: Obj = { stage, stageTimestamp: doc['stageTimestamp'] ?? facts['stageTimestamp'] ?? doc['requestReceivedTimestamp'], auditgate };
  for (const key of COPIED) if (doc[key] !== undefined) event[key] = doc[key];
  if (event['responseStatus'] === undefined && facts['responseStatus'] !== undefined) event['responseStatus'] = facts['responseStatus'];
  return event as unknown as AuditEvent;
}
