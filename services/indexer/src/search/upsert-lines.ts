import type { PartialDocument } from './build-document.js';

/**
 * The two NDJSON lines of one upsert in a `_bulk` body: an `update` of `index`/`id` (retried on version conflicts,
 * since concurrent bulks may carry other stages of the same exchange) whose partial `doc` is merged into the stored
 * document, or becomes it. Serializing each upsert when its record is read, rather than when its bulk leaves, keeps
 * only this string alive while the upsert waits for its bulk, not the event's object tree. (A string, not a Buffer: a
 * small Buffer per upsert costs more in pool slabs and external-memory GCs than the encoding it saves.)
 */
export function upsertLines(index: string, id: string, doc: PartialDocument): string {
  return `{"update":{"_index":${JSON.stringify(index)},"_id":${JSON.stringify(id)},"retry_on_conflict":5}}\n{"doc":${JSON.stringify(doc)},"doc_as_upsert":true}\n`;
}
