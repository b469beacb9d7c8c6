/**
 * At most `limit` tasks at once, the others waiting in arrival order: one sink's requests in flight, shared by every
 * partition its delivery consumer works on.
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency limit must be a positive integer, got ${limit}`);
  }

  /** Tasks running now. */
  get active(): number { return this.running; }
  /** Tasks waiting for a turn. */
  get queued(): number { return this.waiting.length; }

  /** Runs `task` once fewer than `limit` tasks run; settles as it does. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running += 1;
    try {
      return await task();
    } finally {
      // The turn passes straight to the next waiter, so a task arriving meanwhile cannot jump the queue.
      const next = this.waiting.shift();
      if (next === undefined) this.running -= 1; else next();
    }
  }
}
