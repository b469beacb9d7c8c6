import { mergePartial, type PartialDocument } from './build-document.js';
import type { BulkOp } from './bulk-writer.js';

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

/** The partial document of lines made by {@link upsertLines}. */
export function upsertDoc(lines: string): PartialDocument {
  const second = lines.indexOf('\n') + 1;
  return (JSON.parse(lines.slice(second, lines.length - 1)) as { doc: PartialDocument }).doc;
}

/**
 * One upsert doing what `first` then `second` (same index and id) would: their documents merged as OpenSearch merges
 * them, with the sources of both. Read back from their lines, since upserts of one id rarely meet (stages of one
 * exchange read in different chunks, gathered in one bulk): one update instead of two is half OpenSearch's work.
 */
export function mergeUpserts<S>(first: BulkOp<S>, second: BulkOp<S>): BulkOp<S> {
  return {
    index: first.index, id: first.id,
    lines: upsertLines(first.index, first.id, mergePartial(upsertDoc(first.lines), upsertDoc(second.lines))),
    sources: [...first.sources, ...second.sources],
  };
}
