/** A Map that keeps at most `max` entries, evicting the least recently set or touched one. */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly max: number, private readonly onEvict?: (key: K, value: V) => void) {}

  /** The value of `key`, marking it recently used. */
  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) { this.map.delete(key); this.map.set(key, value); }
    return value;
  }

  has(key: K): boolean { return this.map.has(key); }

  /** Sets `key`, evicting the oldest entries beyond the bound. */
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.max) {
      const oldest = this.map.keys().next().value as K;
      const evicted = this.map.get(oldest) as V;
      this.map.delete(oldest);
      this.onEvict?.(oldest, evicted);
    }
  }

  delete(key: K): boolean { return this.map.delete(key); }
  get size(): number { return this.map.size; }
  entries(): IterableIterator<[K, V]> { return this.map.entries(); }
}
