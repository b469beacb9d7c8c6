import { AppError, ErrorCodes, HashChain, type ChainLink, type ChainOrigin, type GatewayEvent } from '@auditgate/shared';

/** The head of a stream: the last seq and hash (seq 0 and the origin's hash before the first event). */
export interface ChainHead { readonly seq: number; readonly hash: string }

interface Pending { readonly seq: number; readonly hash: string; done: boolean }

/**
 * The audit sink's hash chain: links each event as it is produced (after masking, so the chain never covers
 * plaintext) and tracks the durable head, the highest seq up to which every linked event was acknowledged by Kafka or
 * fsync'd to the spool. Checkpoints sign the durable head, never an event that could still be lost.
 */
export class AuditChain {
  private chain: HashChain | undefined;
  private durableHead: ChainHead = { seq: 0, hash: '' };
  private pending: Pending[] = [];
  private first = 0;
  private readonly listeners: Array<(head: ChainHead) => void> = [];

  constructor(readonly stream: string) {}

  /** Starts the stream at `origin`; called once, before the first event. */
  begin(origin: ChainOrigin): void {
    if (this.chain !== undefined) throw new Error('the audit chain has already begun');
    this.chain = new HashChain(this.stream, origin);
    this.durableHead = { seq: 0, hash: origin.prevHash };
  }

  /** Whether {@link begin} was called. */
  started(): boolean { return this.chain !== undefined; }

  /** Links `event` (setting `auditgate.chain`) as the stream's next event; returns the link and the record to store. */
  linkAndSerialize(event: GatewayEvent): { link: ChainLink; text: string } {
    if (this.chain === undefined) {
      throw new AppError('the audit chain has not begun', { code: ErrorCodes.INTERNAL, status: 503, retriable: true });
    }
    const linked = this.chain.linkAndSerialize(event);
    this.pending.push({ seq: linked.link.seq, hash: linked.link.hash, done: false });
    return linked;
  }

  /** Marks `seq` durable and advances the durable head over every consecutive durable event. */
  durable(seq: number): void {
    const entry = this.pending[this.first + seq - (this.pending[this.first]?.seq ?? seq)];
    if (entry === undefined || entry.seq !== seq) return;
    entry.done = true;
    let advanced = false;
    while (this.pending[this.first]?.done === true) {
      const head = this.pending[this.first]!;
      this.durableHead = { seq: head.seq, hash: head.hash };
      this.first += 1;
      advanced = true;
    }
    if (this.first > 1024 && this.first * 2 > this.pending.length) { this.pending = this.pending.slice(this.first); this.first = 0; }
    if (advanced) for (const listener of this.listeners) listener(this.durableHead);
  }

  /** The durable head. */
  head(): ChainHead { return this.durableHead; }

  /** The last linked event (durable or not). */
  linkedHead(): ChainHead { return this.chain?.head() ?? this.durableHead; }

  /** Calls `listener` whenever the durable head advances. */
  onAdvance(listener: (head: ChainHead) => void): void { this.listeners.push(listener); }
}
