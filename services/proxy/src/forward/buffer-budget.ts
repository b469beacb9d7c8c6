/**
 * Bytes all exchanges together may hold in memory to mask or convert an answer. One caller asking for many large
 * answers at once gets refused (503, retriable) instead of filling the heap and stalling everyone else.
 */
export class BufferBudget {
  private used = 0;

  constructor(private readonly limitBytes: number) {}

  /** Takes `bytes` from the budget; false (and nothing taken) when that would exceed it. */
  reserve(bytes: number): boolean {
    if (this.used + bytes > this.limitBytes) return false;
    this.used += bytes;
    return true;
  }

  /** Gives `bytes` back. */
  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }

  /** Bytes held now. */
  inUse(): number { return this.used; }
}
