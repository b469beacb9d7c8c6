import { mergePartial, type PartialDocument } from './build-document.js';
import type { BulkOp } from './bulk-writer.js';
import { upsertLines } from './upsert-lines.js';

interface Pending<S> { readonly index: string; readonly id: string; doc: PartialDocument; readonly sources: S[] }

/**
 * Gathers the upserts of one chunk of records: the stages of one exchange (same index and id) are merged into one
 * upsert, as OpenSearch would merge them, with every record it came from; `ops()` encodes each once.
 */
export class ChunkUpserts<S> {
  private readonly pending = new Map<string, Pending<S>>();

  /** Adds the partial document `doc` of `index`/`id`, read from `source`. */
  add(index: string, id: string, doc: PartialDocument, source: S): void {
    const key = `${index}\u0000${id}`;
    const seen = this.pending.get(key);
    if (seen === undefined) this.pending.set(key, { index, id, doc, sources: [source] });
    else {
      seen.doc = mergePartial(seen.doc, doc);
      seen.sources.push(source);
    }
  }

  /** The chunk's upserts, encoded for `_bulk`. */
  ops(): BulkOp<S>[] {
    const out: BulkOp<S>[] = [];
    for (const p of this.pending.values()) out.push({ index: p.index, id: p.id, lines: upsertLines(p.index, p.id, p.doc), sources: p.sources });
    return out;
  }
}
