import { open, stat } from 'node:fs/promises';
import { scanFrames, segmentPath, type Spool } from './spool.js';

/** What the spool holds now, read from its folder. */
export interface SpoolSnapshot {
  /** Segment bytes on disk (a torn final frame included). */
  readonly bytes: number;
  /** Complete records waiting to drain. */
  readonly records: number;
  /** Age of the oldest waiting record (its segment's creation), 0 when nothing waits. */
  readonly oldestAgeSeconds: number;
}

/** Counted part of one segment: segments only grow until removed, so only new bytes are read. */
interface Counted { readonly birth: number; parsedBytes: number; records: number }

/**
 * Measures a {@link Spool} from its folder, so the numbers hold across a restart (the spool outlives the process):
 * depth in bytes and records, and the age of the oldest record. Record counts are cached per segment and extended
 * by reading only the bytes appended since the last measure.
 */
export class SpoolStats {
  private readonly counted = new Map<number, Counted>();
  private measuring: Promise<SpoolSnapshot> | undefined;

  constructor(private readonly spool: Spool, private readonly now: () => number = Date.now) {}

  /** Reads the spool's folder; a segment removed meanwhile (drained) is skipped. Concurrent calls share one read. */
  measure(): Promise<SpoolSnapshot> {
    this.measuring ??= this.read().finally(() => { this.measuring = undefined; });
    return this.measuring;
  }

  private async read(): Promise<SpoolSnapshot> {
    const seqs = await this.spool.segments();
    for (const seq of this.counted.keys()) if (!seqs.includes(seq)) this.counted.delete(seq);
    let bytes = 0;
    let records = 0;
    let oldest = Number.POSITIVE_INFINITY;
    for (const seq of seqs) {
      const counted = await this.count(seq).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      });
      if (counted === undefined) continue;
      bytes += counted.size;
      records += counted.entry.records;
      if (counted.entry.records > 0) oldest = Math.min(oldest, counted.entry.birth);
    }
    const oldestAgeSeconds = Number.isFinite(oldest) ? Math.max(0, (this.now() - oldest) / 1000) : 0;
    return { bytes, records, oldestAgeSeconds };
  }

  private async count(seq: number): Promise<{ size: number; entry: Counted }> {
    const path = segmentPath(this.spool.dir, seq);
    const info = await stat(path);
    let entry = this.counted.get(seq);
    if (entry === undefined) {
      // The segment file is created by its first append: its birth time is its oldest record's (mtime where the
      // filesystem keeps no birth time; that is younger, never older, than the truth).
      entry = { birth: info.birthtimeMs > 0 ? info.birthtimeMs : info.mtimeMs, parsedBytes: 0, records: 0 };
      this.counted.set(seq, entry);
    }
    if (info.size > entry.parsedBytes) {
      const handle = await open(path, 'r');
      try {
        const data = Buffer.allocUnsafe(info.size - entry.parsedBytes);
        const { bytesRead } = await handle.read(data, 0, data.length, entry.parsedBytes);
        let frames = 0;
        entry.parsedBytes += scanFrames(data.subarray(0, bytesRead), () => { frames += 1; });
        entry.records += frames;
      } finally {
        await handle.close();
      }
    }
    return { size: info.size, entry };
  }
}
