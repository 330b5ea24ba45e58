/**
 * Sharding: every shard runs the same breadth-first search until the first level that holds at
 * least `minRoots` states; the states of that level are dealt out round-robin (state k of the level
 * goes to shard k mod count), and each shard expands only its own, keeping the others as visited.
 * Every state lies on a shortest path through some state of the split level owned by exactly one
 * shard, so the union of the shards' searches covers the whole space and the shortest trace to a
 * violation is found by the shard that owns its path. Shards overlap (a state reachable from roots
 * of two shards is explored by both), so their state counts add up to an upper bound.
 */
import { ModelError } from '../model.js';
import { hashWords } from '../store.js';

/** Reads stored state `id` into `out` (a store's load). */
export type StateReader = (id: number, out: Int32Array) => void;

export interface ShardOptions {
  readonly index: number;
  readonly count: number;
  /** Default: 32 x count. */
  readonly minRoots?: number;
}

export class ShardSplit {
  /** The depth of the level dealt out, once found. */
  level: number | null = null;
  /** The level dealt out: state ids [start, end). */
  start = 0;
  end = 0;
  /** States of the split level this shard owns (expanded so far). */
  roots = 0;
  readonly minRoots: number;
  /**
   * A fingerprint of the shared prefix: the size of the prefix and the split level and a hash of
   * the split level's state vectors in order. Every shard of one search computes the same one;
   * `merge` refuses shards whose fingerprints differ (another model, options or split).
   */
  prefix: string | null = null;

  constructor(
    readonly shard: ShardOptions,
    private readonly read?: { readonly load: StateReader; readonly words: number },
  ) {
    if (!(Number.isInteger(shard.count) && shard.count >= 1 && Number.isInteger(shard.index) && shard.index >= 0 && shard.index < shard.count)) {
      throw new ModelError(`bad shard ${shard.index}/${shard.count}: need 0 <= index < count`);
    }
    this.minRoots = Math.max(1, shard.minRoots ?? 32 * shard.count);
  }

  /** A new level, states [start, end), at `depth`: the split level if it is the first big enough. */
  beginLevel(depth: number, start: number, end: number): void {
    if (this.level === null && end - start >= this.minRoots) {
      this.level = depth;
      this.start = start;
      this.end = end;
      this.prefix = this.digest();
    }
  }

  private digest(): string | null {
    if (!this.read) return null;
    const v = new Int32Array(this.read.words);
    let a = hashWords(Int32Array.of(this.start, this.end, this.level ?? 0), 0, 3);
    let b = ~a;
    for (let id = this.start; id < this.end; id++) {
      this.read.load(id, v);
      a = hashWords(v, 0, v.length, a);
      b = hashWords(v, 0, v.length, b ^ 0x5bd1e995);
    }
    return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
  }

  /** True when state `id` belongs to the split level and to another shard (not expanded here). */
  skips(id: number): boolean {
    if (id >= this.end || id < this.start) return false;
    if ((id - this.start) % this.shard.count !== this.shard.index) return true;
    this.roots++;
    return false;
  }

  /** Like skips, without counting a root: state `id` belongs to the split level and to another shard. */
  elsewhere(id: number): boolean {
    return id >= this.start && id < this.end && (id - this.start) % this.shard.count !== this.shard.index;
  }

  /** True when the level [a, b) is (or may become) the split level. */
  touches(a: number, b: number): boolean {
    return this.level === null ? b - a >= this.minRoots : a < this.end && b > this.start;
  }

  stats(): { index: number; count: number; splitLevel: number | null; roots: number; levelSize: number; prefixStates: number; prefix?: string } {
    return {
      index: this.shard.index,
      count: this.shard.count,
      splitLevel: this.level,
      roots: this.level === null ? 0 : this.roots,
      levelSize: this.end - this.start,
      prefixStates: this.start,
      ...(this.prefix !== null ? { prefix: this.prefix } : {}),
    };
  }
}
