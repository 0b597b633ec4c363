/**
 * A least-recently-used map with a hard size bound: the device and board
 * caches of a long-running game server must not grow with every player ever
 * seen.
 *
 * @since 0.1.0
 */

/**
 * An LRU map. `get` refreshes recency; `set` evicts the least recently used
 * entry once `capacity` is reached.
 *
 * @since 0.1.0
 * @category models
 */
export class BoundedCache<K, V> {
  // A Map iterates in insertion order, so re-inserting on access keeps the
  // least recently used entry first: eviction is `keys().next()`.
  private readonly entries = new Map<K, V>()

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError("BoundedCache capacity must be a positive integer")
    }
  }

  /** How many entries are held (never more than `capacity`). */
  get size(): number {
    return this.entries.size
  }

  /** The value for `key`, marking it most recently used. */
  get(key: K): V | undefined {
    const value = this.entries.get(key)
    if (value === undefined) return undefined
    this.entries.delete(key)
    this.entries.set(key, value)
    return value
  }

  /** The value for `key` without touching its recency. */
  peek(key: K): V | undefined {
    return this.entries.get(key)
  }

  has(key: K): boolean {
    return this.entries.has(key)
  }

  /** Stores `value`, evicting the least recently used entry when full. Returns the evicted key, if any. */
  set(key: K, value: V): K | undefined {
    let evicted: K | undefined
    if (this.entries.has(key)) {
      this.entries.delete(key)
    } else if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next()
      if (!oldest.done) {
        evicted = oldest.value
        this.entries.delete(oldest.value)
      }
    }
    this.entries.set(key, value)
    return evicted
  }

  delete(key: K): boolean {
    return this.entries.delete(key)
  }

  /** Every value, least recently used first, without touching recency. */
  values(): IterableIterator<V> {
    return this.entries.values()
  }
}
