import { mkdir, open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** One spooled Kafka record. */
export interface SpoolRecord { readonly key: string; readonly value: Buffer }

interface Waiting { readonly frame: Buffer; readonly resolve: () => void; readonly reject: (e: unknown) => void }

const SEGMENT = /^(\d{12})\.spool$/;

/** The file of segment `seq` in the spool folder `dir`. */
export function segmentPath(dir: string, seq: number): string {
  return join(dir, `${String(seq).padStart(12, '0')}.spool`);
}

/**
 * Calls `onFrame` with the offsets of each complete frame in `data` (a segment, or a part of one that starts at a frame
 * boundary); returns the length of the complete frames. A torn final frame (crash mid-write) is left out.
 */
export function scanFrames(data: Buffer, onFrame?: (start: number, keyLength: number, end: number) => void): number {
  let offset = 0;
  while (offset + 4 <= data.length) {
    const keyLength = data.readUInt32BE(offset);
    if (offset + 8 + keyLength > data.length) break;
    const end = offset + 8 + keyLength + data.readUInt32BE(offset + 4 + keyLength);
    if (end > data.length) break;
    onFrame?.(offset, keyLength, end);
    offset = end;
  }
  return offset;
}

/**
 * An append-only, fsync'd local spool of Kafka records in numbered segment files. Appends that arrive together are
 * written and synced together (group commit). Segments are drained oldest first, so order is kept.
 */
export class Spool {
  private active: { seq: number; handle: FileHandle; bytes: number } | undefined;
  private waiting: Waiting[] = [];
  private writing = false;

  constructor(readonly dir: string) {}

  /** Appends a record; resolves once it is on disk (datasync). */
  append(record: SpoolRecord): Promise<void> {
    const key = Buffer.from(record.key, 'utf8');
    const frame = Buffer.allocUnsafe(8 + key.length + record.value.length);
    frame.writeUInt32BE(key.length, 0);
    key.copy(frame, 4);
    frame.writeUInt32BE(record.value.length, 4 + key.length);
    record.value.copy(frame, 8 + key.length);
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ frame, resolve, reject });
      if (!this.writing) void this.writeLoop();
    });
  }

  private async writeLoop(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting;
        this.waiting = [];
        try {
          const segment = await this.activeSegment();
          const data = Buffer.concat(group.map((w) => w.frame));
          await segment.handle.write(data);
          await segment.handle.datasync();
          segment.bytes += data.length;
          for (const w of group) w.resolve();
        } catch (error) {
          for (const w of group) w.reject(error);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private async activeSegment(): Promise<{ seq: number; handle: FileHandle; bytes: number }> {
    if (this.active !== undefined) return this.active;
    await mkdir(this.dir, { recursive: true });
    const existing = await this.segments();
    const seq = (existing.at(-1) ?? 0) + 1;
    const handle = await open(segmentPath(this.dir, seq), 'a');
    this.active = { seq, handle, bytes: 0 };
    return this.active;
  }

  /** Sequence numbers of the segments on disk, oldest first. */
  async segments(): Promise<number[]> {
    let names: string[];
    try { names = await readdir(this.dir); } catch { return []; }
    return names.map((n) => SEGMENT.exec(n)?.[1]).filter((s): s is string => s !== undefined).map(Number).sort((a, b) => a - b);
  }

  /** True when nothing is spooled and nothing is being written. */
  async isEmpty(): Promise<boolean> {
    const segments = await this.segments();
    // Checked after the await, so an append that arrived while the folder was read is seen.
    if (this.writing || this.waiting.length > 0) return false;
    if (this.active !== undefined && this.active.bytes > 0) return false;
    return segments.every((seq) => seq === this.active?.seq);
  }

  /** Closes the active segment so new appends start a new one; returns the closed segments, oldest first. */
  async sealed(): Promise<number[]> {
    if (this.active !== undefined && this.active.bytes > 0 && !this.writing && this.waiting.length === 0) {
      // Detach before the await: an append arriving meanwhile must open a new segment, not write to this closing one.
      const sealing = this.active;
      this.active = undefined;
      await sealing.handle.close();
    }
    return (await this.segments()).filter((seq) => seq !== this.active?.seq);
  }

  /** Reads one sealed segment's records in order. A torn final frame (crash mid-write) is ignored. */
  async read(seq: number): Promise<SpoolRecord[]> {
    const data = await readFile(segmentPath(this.dir, seq));
    const records: SpoolRecord[] = [];
    scanFrames(data, (start, keyLength, end) => {
      records.push({ key: data.toString('utf8', start + 4, start + 4 + keyLength), value: data.subarray(start + 8 + keyLength, end) });
    });
    return records;
  }

  /** Deletes a drained segment. */
  async remove(seq: number): Promise<void> {
    await rm(segmentPath(this.dir, seq), { force: true });
  }

  /** Closes the active segment. Safe to call twice. */
  async close(): Promise<void> {
    const active = this.active;
    this.active = undefined;
    if (active !== undefined) await active.handle.close();
  }
}
