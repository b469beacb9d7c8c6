/**
 * The oracle: the kube-apiserver's own audit log, followed while a fault row runs. The log rotates fast on a shared
 * machine (500 MB files, two backups kept), so the follower holds its file open: a rotated-away or deleted file is
 * still read to its end before the new one is opened.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

/** One API server audit event, the fields the oracle reads. */
export interface ApiServerEntry {
  readonly auditID: string;
  readonly stage: string;
  readonly verb?: string;
  readonly requestURI: string;
  readonly userAgent?: string;
  readonly responseStatus?: { code?: number };
  readonly objectRef?: { resource?: string; namespace?: string; name?: string };
  readonly requestReceivedTimestamp?: string;
}

/** Follows the audit log from its current end, keeping the entries whose line contains `marker`. */
export class ApiServerLogFollower {
  readonly entries: ApiServerEntry[] = [];
  private handle: FileHandle | undefined;
  private ino = 0;
  private offset = 0;
  private rest = '';
  private decoder = new StringDecoder('utf8');
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> = Promise.resolve();
  /** Bytes read, for the report. */
  bytes = 0;
  rotations = 0;
  /**
   * Lines naming the marker that could not be read as an audit event (torn, or not JSON), and a partial last line of a
   * rotated-away file: each is a request the oracle could not see, so the row fails on any.
   */
  unparseable = 0;
  /** A sample of the unparseable lines (their first 200 characters), for the report. */
  readonly unparseableSample: string[] = [];

  constructor(private readonly path: string, private readonly marker: string) {}

  /** Opens the log at its end and polls it every `intervalMs`. */
  async start(intervalMs = 500): Promise<void> {
    this.handle = await open(this.path, 'r');
    const s = await this.handle.stat();
    this.ino = s.ino;
    this.offset = s.size;
    this.timer = setInterval(() => { this.reading = this.reading.then(() => this.poll()).catch(() => undefined); }, intervalMs);
    this.timer.unref();
  }

  /** Reads what was written up to now (call before judging). */
  async sync(): Promise<void> {
    this.reading = this.reading.then(() => this.poll());
    await this.reading;
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.reading.catch(() => undefined);
    await this.handle?.close();
    this.handle = undefined;
  }

  private async poll(): Promise<void> {
    if (this.handle === undefined) return;
    await this.drain();
    const current = await stat(this.path).catch(() => undefined);
    if (current !== undefined && current.ino !== this.ino) {
      // Rotated: the open handle is the renamed file; it was just read to its end. Continue with the new file.
      await this.drain();
      if (this.rest !== '') this.reject(this.rest);
      await this.handle.close();
      this.handle = await open(this.path, 'r');
      this.ino = (await this.handle.stat()).ino;
      this.offset = 0;
      this.rest = '';
      this.decoder = new StringDecoder('utf8');
      this.rotations += 1;
      await this.drain();
    }
  }

  private async drain(): Promise<void> {
    const handle = this.handle!;
    const chunk = Buffer.alloc(4 * 1024 * 1024);
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, this.offset);
      if (bytesRead === 0) return;
      this.offset += bytesRead;
      this.bytes += bytesRead;
      const text = this.rest + this.decoder.write(chunk.subarray(0, bytesRead));
      const lines = text.split('\n');
      this.rest = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.includes(this.marker)) continue;
        let e: ApiServerEntry;
        try {
          e = JSON.parse(line) as ApiServerEntry;
        } catch {
          this.reject(line);
          continue;
        }
        if (typeof e !== 'object' || e === null || typeof e.auditID !== 'string' || typeof e.stage !== 'string') { this.reject(line); continue; }
        if (e.userAgent?.startsWith(this.marker) === true) this.entries.push(e);
      }
    }
  }

  private reject(line: string): void {
    this.unparseable += 1;
    if (this.unparseableSample.length < 5) this.unparseableSample.push(line.slice(0, 200));
  }
}
