import { exchangeDocument, mergePartial, rebuildStageEvent, type AuditEvent, type ChainLink, type StageRecord } from '@auditgate/shared';
import type { ChainedRecord, Problem } from './verify-types.js';

/** An OpenSearch hit of an exchange document. */
export interface DocumentHit {
  readonly _id: string;
  readonly _index: string;
  readonly _source: Record<string, unknown>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Paths (dotted) where `a` and `b` differ, objects compared key by key, everything else as JSON. */
export function differingPaths(a: unknown, b: unknown, prefix = ''): string[] {
  if (isObj(a) && isObj(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].sort().flatMap((k) => differingPaths(a[k], b[k], prefix === '' ? k : `${prefix}.${k}`));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix === '' ? '(document)' : prefix];
}

const has = (doc: Obj, path: string): boolean => {
  let cur: unknown = doc;
  for (const part of path.split('.')) { if (!isObj(cur) || !(part in cur)) return false; cur = cur[part]; }
  return true;
};

/** The document without what the indexer adds outside any chain: `auditgate.enrichment`. */
function withoutEnrichment(source: Obj): Obj {
  const ext = isObj(source['auditgate']) ? { ...source['auditgate'] } : undefined;
  if (ext === undefined) return source;
  delete ext['enrichment'];
  return { ...source, auditgate: ext };
}

/**
 * The chained records of one exchange document: each stage's produced event rebuilt from its stage record (elided
 * objects taken from the document when their digests match), and the document compared with what its chained events
 * would make of it, so an edit of a searchable field is caught even when the stored events were left alone. A document
 * without any chain link is reported as inserted.
 */
export function recordsFromDocument(hit: DocumentHit): { records: ChainedRecord[]; problems: Problem[] } {
  const source = hit._source;
  const where = `${hit._index}/${hit._id}`;
  const auditID = typeof source['auditID'] === 'string' ? source['auditID'] : hit._id;
  const stages = isObj(source['stages']) ? source['stages'] : {};
  const chained = Object.entries(stages).filter((e): e is [string, StageRecord & Obj] => isObj(e[1]) && isObj(e[1]['event']) && isObj(e[1]['chain']));
  if (chained.length === 0) {
    return { records: [], problems: [{ kind: 'inserted', auditID, where, detail: 'the document carries no chain link: no gateway produced it as it is' }] };
  }
  const rebuilt = chained.map(([stage, record]) => ({ stage, record, ...rebuildStageEvent(record, source) }));
  const documentProblems = new Map<string, string[]>();
  const idProblem = auditID === hit._id ? [] : [`the document's id ${hit._id} is not its auditID`];
  if (rebuilt.every((r) => r.event !== undefined)) {
    const parts = rebuilt.map((r) => ({ stage: r.stage, part: exchangeDocument(r.event!) }));
    const expected = parts.reduce<Obj>((doc, p) => mergePartial(doc, p.part), {});
    const paths = differingPaths(withoutEnrichment(expected), withoutEnrichment(source));
    for (const path of paths) {
      const writers = parts.filter((p) => has(p.part, path)).map((p) => p.stage);
      for (const stage of writers.length > 0 ? writers : [rebuilt[0]!.stage]) {
        documentProblems.set(stage, [...(documentProblems.get(stage) ?? []), path]);
      }
    }
  }
  const records = rebuilt.map((r): ChainedRecord => {
    const eventChain = (r.record.event['auditgate'] as { chain?: ChainLink } | undefined)?.chain;
    const link = eventChain ?? r.record.chain;
    const fields = documentProblems.get(r.stage) ?? [];
    const problems = [
      ...r.problems, ...idProblem,
      ...(fields.length === 0 ? [] : [`the document's ${fields.slice(0, 6).join(', ')}${fields.length > 6 ? ', …' : ''} differ from what the chained ${r.stage} event recorded`]),
    ];
    const stageTimestamp = (r.record.event['stageTimestamp'] as string | undefined) ?? '';
    return {
      link, event: r.event as AuditEvent | undefined, problems, auditID, stage: r.stage, where,
      time: Date.parse(stageTimestamp.replace(/(\.\d{3})\d+/, '$1')) || 0,
    };
  });
  return { records, problems: [] };
}
