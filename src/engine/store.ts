/**
 * The visited set: an exact store of packed states (`StateStore`), or a probabilistic one that
 * keeps 64-bit fingerprints (`FingerprintStore`, hash compaction).
 *
 * States are numbered in insertion order, which for BFS is also the queue order: the store doubles
 * as the frontier. Each state has a parent id and the index of the step that produced it (for an
 * initial state: parent -1 and the initial-state index). An open-addressing Int32 index with
 * linear probing maps a state to its id; hashing and comparison work on 32-bit words. Everything
 * lives in fixed-size chunks, so growth never copies states and no single buffer holds them all.
 *
 * A StateStore keeps every state (`load(id)` works for all ids). A FingerprintStore keeps, per
 * state, two independent 32-bit hashes of the vector plus the links; the full vectors are kept
 * only until the explorer has expanded them (`release`), so `load(id)` works for queued ids only
 * and traces are rebuilt by re-executing the steps from the initial state. Two different states
 * with the same fingerprint are taken as one: the second is missed (the explorer reports the
 * probability of that).
 */

import type { StateCodec } from './state-codec.js';
import type { PackedStateStore } from './packed-store.js';

const CHUNK_SHIFT = 16;
/** States per chunk = 2^STORE_CHUNK_SHIFT. */
export const STORE_CHUNK_SHIFT = CHUNK_SHIFT;
const CHUNK = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK - 1;
const MAX_LOAD = 0.75;
/** The index grows when more than this fraction of its slots is used. */
export const STORE_MAX_LOAD = MAX_LOAD;

/**
 * Code that runs for the first time deep in a search throws away the JIT's optimised code of every
 * function it was inlined into: V8 compiles a path it has never seen run as a deoptimisation.
 * A store's rare paths (the first write of a new chunk, growing the index) are reached first at
 * state 65,536 and at the first load limit, inside the successor generator's inlined emit — so
 * each would throw away the hottest code of the search (measured: 9–10% of loyd.2's and hanoi.2's
 * search). The sequential search's PackedStateStore therefore runs each such path once early, at
 * this many states, as a rehearsal that changes nothing: a chunk allocated and dropped, a grow()
 * that finds nothing to do. By then the inserting function has been called often enough to record
 * what it sees. (StateStore and FingerprintStore, the stores of --workers, --fingerprint and runs
 * without domain checks, do not rehearse: those are long runs, where one such loss is small.)
 * StubbornSets' window check and Budget.poll rehearse the same way.
 */
export const JIT_REHEARSAL = 256;

/** The second, independent hash of a fingerprint. */
export const FINGERPRINT_SEED = 0x6b43a9b5;

/** What the explorer and the trace builder need from a visited set. */
export interface VisitedStore {
  readonly words: number;
  readonly count: number;
  /** Bytes allocated by the store. */
  readonly bytes: number;
  /** Bytes the store keeps per state for its vector: bit-packed, whole, or a fingerprint. */
  readonly storedBytes: number;
  /** True when load() works for every id; false when only queued (unexpanded) states are kept. */
  readonly keepsStates: boolean;
  load(id: number, out: Int32Array): void;
  parent(id: number): number;
  step(id: number): number;
  /** Id of the state equal to `v`, or -1. */
  find(v: Int32Array): number;
  /** Insert `v` unless present: the new id (>= 0), or `-1 - id` of the stored equal state. */
  insert(v: Int32Array, parent: number, step: number): number;
  /** True when `v` is (for a fingerprint store: has the fingerprint of) the state stored as `id`. */
  matches(id: number, v: Int32Array): boolean;
  /** States with ids below `id` will not be loaded again (their vectors may be dropped). */
  release(id: number): void;
}

/** Buffers for the store: ordinary, or shared with worker threads. */
export type Alloc = (bytes: number) => ArrayBuffer | SharedArrayBuffer;
const plainAlloc: Alloc = (bytes) => new ArrayBuffer(bytes);
export const sharedAlloc: Alloc = (bytes) => new SharedArrayBuffer(bytes);

export function hashWords(v: Int32Array, off: number, words: number, seed = 0x2f1a3c5b): number {
  // murmur3-style mixing of 32-bit words
  let h = seed ^ words;
  for (let i = 0; i < words; i++) {
    let k = v[off + i]!;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/**
 * Checkpoints of a store that keeps its vectors packed: every stored state unpacked into schema
 * vectors back to back, chunk by chunk (copies).
 */
export function unpackedChunks(store: Pick<VisitedStore, 'count' | 'words' | 'load'>): Int32Array[] {
  const vectors: Int32Array[] = [];
  const w = store.words;
  const out = new Int32Array(w);
  for (let first = 0; first < store.count; first += CHUNK) {
    const n = Math.min(CHUNK, store.count - first);
    const c = new Int32Array(n * w);
    for (let k = 0; k < n; k++) {
      store.load(first + k, out);
      c.set(out, k * w);
    }
    vectors.push(c);
  }
  return vectors;
}

/** Parent and step-id columns, shared by the stores. */
export class Links {
  private parentChunks: Int32Array[] = [];
  private stepChunks: (Uint16Array | Uint32Array)[] = [];
  constructor(
    private readonly wide: boolean,
    private readonly alloc: Alloc,
  ) {}
  get bytesPerState(): number {
    return 4 + (this.wide ? 4 : 2);
  }
  addChunk(): void {
    this.parentChunks.push(new Int32Array(this.alloc(CHUNK * 4)));
    this.stepChunks.push(this.wide ? new Uint32Array(this.alloc(CHUNK * 4)) : new Uint16Array(this.alloc(CHUNK * 2)));
  }
  popChunk(): void {
    this.parentChunks.pop();
    this.stepChunks.pop();
  }
  set(id: number, parent: number, step: number): void {
    this.parentChunks[id >>> CHUNK_SHIFT]![id & CHUNK_MASK] = parent;
    this.stepChunks[id >>> CHUNK_SHIFT]![id & CHUNK_MASK] = step;
  }
  parent(id: number): number {
    return this.parentChunks[id >>> CHUNK_SHIFT]![id & CHUNK_MASK]!;
  }
  step(id: number): number {
    return this.stepChunks[id >>> CHUNK_SHIFT]![id & CHUNK_MASK]!;
  }
  /** Checkpoints: the links of states 0..count-1, as views of the chunks (no copy). */
  exportLinks(count: number): { parents: Int32Array[]; steps: (Uint16Array | Uint32Array)[] } {
    return { parents: trimChunks(this.parentChunks, count, 1), steps: trimChunks(this.stepChunks, count, 1) };
  }
  /** The raw chunk buffers (for worker threads). */
  buffers(): { parents: (ArrayBuffer | SharedArrayBuffer)[]; steps: (ArrayBuffer | SharedArrayBuffer)[] } {
    return { parents: this.parentChunks.map((c) => c.buffer), steps: this.stepChunks.map((c) => c.buffer) };
  }
}

/** Views of the first `count` entries (of `per` elements each) of a list of chunks. */
function trimChunks<T extends Int32Array | Uint16Array | Uint32Array>(chunks: readonly T[], count: number, per: number): T[] {
  const out: T[] = [];
  for (let k = 0; k * CHUNK < count; k++) out.push(chunks[k]!.subarray(0, Math.min(CHUNK, count - k * CHUNK) * per) as T);
  return out;
}

/** A store's contents as chunk views, for a checkpoint (see engine/checkpoint/). */
export interface StoreExport {
  readonly vectors: Int32Array[];
  readonly parents: Int32Array[];
  readonly steps: (Uint16Array | Uint32Array)[];
}

/**
 * Checkpoints: fill the empty exact store `store` with `count` exported states (vectors back to
 * back), in id order, through insert(). False when two of them are equal (not a store's export).
 */
export function importStates(store: VisitedStore, vectors: Int32Array, parents: Int32Array, steps: ArrayLike<number>, count: number): boolean {
  const w = store.words;
  for (let id = 0; id < count; id++) {
    if (store.insert(vectors.subarray(id * w, id * w + w), parents[id]!, steps[id]!) !== id) return false;
  }
  return true;
}

/** A fingerprint store's contents: every fingerprint and link, the vectors of the queued states only. */
export interface FingerprintExport {
  readonly fingerprints: Int32Array[];
  readonly parents: Int32Array[];
  readonly steps: (Uint16Array | Uint32Array)[];
  /** Vectors of the states from `queuedFrom` on. */
  readonly queued: Int32Array[];
  readonly queuedFrom: number;
  /** The first queue chunk not yet released, and the most chunks held at once (memory statistics). */
  readonly firstLiveChunk: number;
  readonly peakQueueChunks: number;
}

/**
 * The exact store: every state vector is kept. The index is one Int32Array of slot pairs
 * (`id + 1`, full 32-bit hash): a probe compares hashes first and touches a stored vector only on
 * a hash match, both words of a slot share a cache line, and growing re-places entries by their
 * stored hash, sweeping the old table in order, without reading any state vector.
 *
 * With a codec (state-codec.ts; the parallel search's shared store), vectors are stored packed
 * — the Xen model's 44 bytes in 16 — and hashed and compared packed: callers still hand in and
 * get back schema vectors, except where a method says it takes the stored form. A vector outside
 * the schema's domains cannot be packed: `insert` calls `onBadState` (as PackedStateStore does).
 */
export class StateStore implements VisitedStore {
  readonly words: number;
  /** Words of a stored vector (packed with a codec, else `words`). */
  readonly storedWords: number;
  readonly keepsStates = true;
  readonly codec: StateCodec | null;
  /** Called with pack()'s code for a vector outside the schema's domains (codec only); must throw. */
  onBadState: (code: number, v: Int32Array, parent: number, step: number) => never = (code) => {
    throw new Error(`state outside the schema's domains (field ${code})`);
  };
  /** The stored form of the vector last handed in (codec only). */
  private readonly packBuf: Int32Array;
  get storedBytes(): number {
    return this.storedWords * 4;
  }
  private vecChunks: Int32Array[] = [];
  private readonly links: Links;
  /** Slot pairs: [2s] = id + 1 (0: empty), [2s + 1] = hash. */
  private table: Int32Array;
  /** Number of slots - 1. */
  private mask: number;
  private readonly alloc: Alloc;
  /**
   * Index slots are published with Atomics.store (worker threads read the store concurrently):
   * set by the parallel search when it launches them (before, plain stores suffice: a worker
   * learns of the store by a message sent after them).
   */
  atomic = false;
  count = 0;

  constructor(words: number, wideSteps = false, initialIndexBits = 16, alloc: Alloc = plainAlloc, codec: StateCodec | null = null) {
    this.words = words;
    this.codec = codec;
    this.storedWords = codec !== null ? codec.words : words;
    this.packBuf = new Int32Array(this.storedWords);
    this.alloc = alloc;
    this.links = new Links(wideSteps, alloc);
    this.table = new Int32Array(alloc(8 << initialIndexBits));
    this.mask = (1 << initialIndexBits) - 1;
  }

  get bytes(): number {
    return this.vecChunks.length * CHUNK * (this.storedWords * 4 + this.links.bytesPerState) + this.table.length * 4;
  }

  /** Copy state `id` into `out` (length >= words). */
  load(id: number, out: Int32Array): void {
    const c = this.vecChunks[id >>> CHUNK_SHIFT]!;
    const w = this.storedWords;
    const base = (id & CHUNK_MASK) * w;
    if (this.codec !== null) {
      this.codec.unpack(c, base, out);
      return;
    }
    for (let i = 0; i < w; i++) out[i] = c[base + i]!;
  }

  /** The schema vector of the stored form `p` into `out`. */
  fromStored(p: Int32Array, out: Int32Array): void {
    if (this.codec !== null) this.codec.unpack(p, 0, out);
    else for (let i = 0; i < this.words; i++) out[i] = p[i]!;
  }

  /** The stored form of `v` (a reused buffer with a codec), or null when it lies outside the domains. */
  private stored(v: Int32Array): Int32Array | null {
    if (this.codec === null) return v;
    return this.codec.pack(v, this.packBuf) === -1 ? this.packBuf : null;
  }

  parent(id: number): number {
    return this.links.parent(id);
  }

  step(id: number): number {
    return this.links.step(id);
  }

  find(v: Int32Array): number {
    const p = this.stored(v);
    // nothing outside the domains is ever stored
    if (p === null) return -1;
    const h = hashWords(p, 0, this.storedWords);
    const t = this.table;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const e = t[slot << 1]!;
      if (e === 0) return -1;
      if (t[(slot << 1) | 1] === h && this.equal(e - 1, p)) return e - 1;
      slot = (slot + 1) & mask;
    }
  }

  insert(v: Int32Array, parent: number, step: number): number {
    const p = this.stored(v);
    if (p === null) this.onBadState(this.codec!.pack(v, this.packBuf), v, parent, step);
    return this.insertStored(p, hashWords(p, 0, this.storedWords), parent, step);
  }

  /** insert() for a vector whose stored form's hashWords() value `h` is already known. */
  insertHashed(v: Int32Array, h: number, parent: number, step: number): number {
    const p = this.stored(v);
    if (p === null) this.onBadState(this.codec!.pack(v, this.packBuf), v, parent, step);
    return this.insertStored(p, h, parent, step);
  }

  /**
   * Take over every state of `from` (ids, parents, steps), whose packed vectors are in this
   * store's stored form (its codec is `from`'s): the parallel search starts on the sequential
   * packed store and moves to a shared one only when it launches its workers.
   */
  adoptPacked(from: PackedStateStore): void {
    if (this.count !== 0 || this.codec !== from.codec) throw new Error('adoptPacked: an empty store with the same codec');
    const p = new Int32Array(this.storedWords);
    for (let id = 0; id < from.count; id++) {
      from.packedAt(id, p);
      this.insertStored(p, hashWords(p, 0, this.storedWords), from.parent(id), from.step(id));
    }
  }

  /** insert() of the stored form `p` (hash `h`). */
  private insertStored(v: Int32Array, h: number, parent: number, step: number): number {
    const w = this.storedWords;
    const t = this.table;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const e = t[slot << 1]!;
      if (e === 0) break;
      if (t[(slot << 1) | 1] === h && this.equal(e - 1, v)) return -e;
      slot = (slot + 1) & mask;
    }
    const id = this.count;
    const ci = id >>> CHUNK_SHIFT;
    if (ci === this.vecChunks.length) {
      this.vecChunks.push(new Int32Array(this.alloc(CHUNK * w * 4)));
      this.links.addChunk();
    }
    const c = this.vecChunks[ci]!;
    const base = (id & CHUNK_MASK) * w;
    for (let i = 0; i < w; i++) c[base + i] = v[i]!;
    this.links.set(id, parent, step);
    t[(slot << 1) | 1] = h;
    // the vector and the hash are written before the word that publishes them
    if (this.atomic) Atomics.store(t, slot << 1, id + 1);
    else t[slot << 1] = id + 1;
    this.count = id + 1;
    if (this.count > (mask + 1) * MAX_LOAD) this.grow();
    return id;
  }

  matches(id: number, v: Int32Array): boolean {
    const p = this.stored(v);
    return p !== null && this.equal(id, p);
  }

  /** State `id` is the stored form `p`. */
  private equal(id: number, p: Int32Array): boolean {
    const c = this.vecChunks[id >>> CHUNK_SHIFT]!;
    const w = this.storedWords;
    const base = (id & CHUNK_MASK) * w;
    for (let i = 0; i < w; i++) if (c[base + i] !== p[i]) return false;
    return true;
  }

  /** How many more states fit before the index must grow. */
  get room(): number {
    return Math.floor((this.mask + 1) * MAX_LOAD) - this.count;
  }

  /** Grow the index until `n` more states fit without growing. */
  reserve(n: number): void {
    while (this.room < n) this.grow();
  }

  /**
   * Store `v` (the stored form, hash `h`) as the next state in index slot `slot`, which a worker
   * claimed for it (parallel search, see parallel.ts): no probing. The caller has reserved room for it.
   */
  insertClaimed(v: Int32Array, h: number, slot: number, parent: number, step: number): number {
    const id = this.count;
    const ci = id >>> CHUNK_SHIFT;
    const w = this.storedWords;
    if (ci === this.vecChunks.length) {
      this.vecChunks.push(new Int32Array(this.alloc(CHUNK * w * 4)));
      this.links.addChunk();
    }
    const c = this.vecChunks[ci]!;
    const base = (id & CHUNK_MASK) * w;
    for (let i = 0; i < w; i++) c[base + i] = v[i]!;
    this.links.set(id, parent, step);
    this.table[(slot << 1) | 1] = h;
    Atomics.store(this.table, slot << 1, id + 1);
    this.count = id + 1;
    return id;
  }

  /** Set the links of state `id` (stored, or being stored by a worker: parallel search). */
  setLinks(id: number, parent: number, step: number): void {
    this.links.set(id, parent, step);
  }

  /**
   * Worker threads stored states count .. n - 1 themselves (vectors, links and index slots, in
   * chunks reserved before: search/claim-level.ts): take them as stored.
   */
  adoptSettled(n: number): void {
    this.count = n;
  }

  /**
   * Allocate now the vector chunks of `n` more states (parallel search: the owner inserts a
   * level's states while workers read the store, and they must know every chunk it writes to).
   */
  reserveVectors(n: number): void {
    while (this.vecChunks.length * CHUNK < this.count + n) {
      this.vecChunks.push(new Int32Array(this.alloc(CHUNK * this.storedWords * 4)));
      this.links.addChunk();
    }
  }

  /** Free the chunks reserved beyond the states stored (the store then has what inserting alone gives it). */
  trimVectors(): void {
    const used = Math.ceil(this.count / CHUNK);
    while (this.vecChunks.length > used) {
      this.vecChunks.pop();
      this.links.popChunk();
    }
  }

  /**
   * Undo every claim still in the index (parallel search, a level run again with more room):
   * the index is rebuilt without them, because emptying their slots in place could cut the
   * probe runs of states inserted after them.
   */
  dropClaims(): void {
    this.table = this.replaced(this.mask + 1, true);
  }

  /** Empty index slot `slot` (undoing a claim). */
  clearSlot(slot: number): void {
    this.table[slot << 1] = 0;
  }

  release(_id: number): void {}

  /** The raw buffers, for worker threads that read the store while the owner does not write it. */
  buffers(): {
    vectors: (ArrayBuffer | SharedArrayBuffer)[];
    table: ArrayBuffer | SharedArrayBuffer;
    parents: (ArrayBuffer | SharedArrayBuffer)[];
    steps: (ArrayBuffer | SharedArrayBuffer)[];
  } {
    return { vectors: this.vecChunks.map((c) => c.buffer), table: this.table.buffer, ...this.links.buffers() };
  }

  /** Checkpoints: the vectors (schema form: views of the chunks, or unpacked copies) and links of every stored state. */
  exportStates(): StoreExport {
    if (this.codec === null) return { vectors: trimChunks(this.vecChunks, this.count, this.words), ...this.links.exportLinks(this.count) };
    return { vectors: unpackedChunks(this), ...this.links.exportLinks(this.count) };
  }

  private grow(): void {
    const slots = (this.mask + 1) * 2;
    this.table = this.replaced(slots, false);
    this.mask = slots - 1;
  }

  /**
   * A new index of `slots` slots holding the current index's entries (without the claims, e < 0,
   * when `dropClaims`), each re-placed by its stored hash; visiting the old slots in order keeps
   * each probe run's entries in order, and their new slots mostly ascend (sequential writes).
   */
  private replaced(slots: number, dropClaims: boolean): Int32Array {
    const old = this.table;
    const oldSlots = this.mask + 1;
    const t = new Int32Array(this.alloc(slots * 8));
    const mask = slots - 1;
    for (let s = 0; s < oldSlots; s++) {
      const e = old[s << 1]!;
      if (e === 0 || (dropClaims && e < 0)) continue;
      const h = old[(s << 1) | 1]!;
      let slot = h & mask;
      while (t[slot << 1] !== 0) slot = (slot + 1) & mask;
      t[(slot << 1) | 1] = h;
      t[slot << 1] = e;
    }
    return t;
  }
}

/**
 * A read-only view of a shared StateStore from another thread (parallel search). It sees the
 * chunks and the index it was last given; a slot that names a state in a chunk it does not know
 * yet, or an index the owner has since replaced, only makes `find` miss — never find wrongly —
 * so a reader may treat a state as new that is already stored, and the owner sorts that out.
 */
export class StoreReader {
  private vecChunks: Int32Array<ArrayBufferLike>[] = [];
  private table: Int32Array<ArrayBufferLike> = new Int32Array(2);
  private mask = 0;
  /** Words of a stored vector (see StateStore: packed with the store's codec, the same one compiled from the same schema). */
  readonly storedWords: number;
  private readonly packBuf: Int32Array;
  constructor(
    readonly words: number,
    readonly codec: StateCodec | null = null,
  ) {
    this.storedWords = codec !== null ? codec.words : words;
    this.packBuf = new Int32Array(this.storedWords);
  }

  update(vectors: readonly (ArrayBuffer | SharedArrayBuffer)[], table: ArrayBuffer | SharedArrayBuffer): void {
    for (let c = this.vecChunks.length; c < vectors.length; c++) this.vecChunks.push(new Int32Array(vectors[c]!));
    this.table = new Int32Array(table);
    this.mask = (this.table.length >> 1) - 1;
  }

  load(id: number, out: Int32Array): void {
    const c = this.vecChunks[id >>> CHUNK_SHIFT]!;
    const w = this.storedWords;
    const base = (id & CHUNK_MASK) * w;
    if (this.codec !== null) {
      this.codec.unpack(c, base, out);
      return;
    }
    for (let i = 0; i < w; i++) out[i] = c[base + i]!;
  }

  /** hashWords() of the stored form of the vector last passed to find(). */
  lastHash = 0;

  /**
   * The state `v` (hash `h`) reached by the edge with discovery key `key`: known (stored, or
   * already a candidate of this level, whose key is lowered to `key` if smaller), or claimed as
   * candidate `counter[at]++` in an empty slot (its vector, hash, key and slot written before the
   * compare-and-swap that publishes it), or full (the arena's capacity is exhausted: the owner
   * makes room and runs the level again), or lowered (a candidate whose key this call lowered).
   * `lastCandidate` is the candidate claimed or lowered (`lastLoweredFrom`: its key before).
   * A claimed candidate's flag (`flag()`, called only then) and orbit size are written before
   * its slot is published. `v` is the stored form (packed, with a codec).
   */
  claim(v: Int32Array, h: number, key: number, arena: ClaimArena, counter: Int32Array, at: number, flag: () => number = noFlag, orbit = 1): number {
    const w = this.storedWords;
    const t = this.table;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const e = Atomics.load(t, slot << 1);
      if (e > 0) {
        if (t[(slot << 1) | 1] === h) {
          const id = e - 1;
          const c = this.vecChunks[id >>> CHUNK_SHIFT];
          if (c) {
            const base = (id & CHUNK_MASK) * w;
            let eq = true;
            for (let i = 0; i < w; i++) {
              if (c[base + i] !== v[i]) {
                eq = false;
                break;
              }
            }
            if (eq) return CLAIM.known;
          }
        }
        slot = (slot + 1) & mask;
        continue;
      }
      if (e < 0) {
        const c = -e - 1;
        if (arena.hashes[c] === h && arena.equals(c, v)) {
          // the sequential search discovers it on its smallest key
          for (;;) {
            const k = Atomics.load(arena.keys, c);
            if (k <= key) return CLAIM.known;
            if (Atomics.compareExchange(arena.keys, c, k, key) === k) {
              this.lastCandidate = c;
              this.lastLoweredFrom = k;
              return CLAIM.lowered;
            }
          }
        }
        slot = (slot + 1) & mask;
        continue;
      }
        // candidate numbers come in batches: each worker writes its own stretch of the arena
      if (this.candNext === this.candEnd) {
        const batch = Math.max(1, Math.min(256, Math.floor(arena.capacity / 64)));
        this.candNext = Atomics.add(counter, at, batch);
        this.candEnd = this.candNext + batch;
      }
      const c = this.candNext++;
      if (c >= arena.capacity) return CLAIM.full;
      const base = c * w;
      for (let i = 0; i < w; i++) arena.vectors[base + i] = v[i]!;
      arena.hashes[c] = h;
      arena.slots[c] = slot;
      // written before the slot is published: a worker that lowers the key reads them
      arena.flags[c] = flag();
      arena.orbits[c] = orbit;
      Atomics.store(arena.keys, c, key);
      if (Atomics.compareExchange(t, slot << 1, 0, -(c + 1)) === 0) {
        this.lastCandidate = c;
        return CLAIM.claimed;
      }
      // another worker took the slot first: this candidate is void, look at the slot again
      Atomics.store(arena.keys, c, ClaimArena.DEAD);
    }
  }

  lastCandidate = -1;
  /** This reader's batch of candidate numbers [candNext, candEnd) (see claim). */
  private candNext = 0;
  private candEnd = 0;

  /** A new arena (or the same one for a new try): no batch of candidate numbers held. */
  newArena(): void {
    this.candNext = this.candEnd = 0;
  }

  /** The key a `lowered` claim replaced. */
  lastLoweredFrom = -1;

  find(v0: Int32Array): number {
    const w = this.storedWords;
    let v = v0;
    if (this.codec !== null) {
      // nothing outside the domains is stored (the owner's insert reports it)
      if (this.codec.pack(v0, this.packBuf) !== -1) return -1;
      v = this.packBuf;
    }
    const t = this.table;
    const mask = this.mask;
    const h = hashWords(v, 0, w);
    this.lastHash = h;
    let slot = h & mask;
    for (;;) {
      const e = Atomics.load(t, slot << 1);
      if (e === 0) return -1;
      const id = e - 1;
      const c = t[(slot << 1) | 1] === h ? this.vecChunks[id >>> CHUNK_SHIFT] : undefined;
      if (c) {
        const base = (id & CHUNK_MASK) * w;
        let eq = true;
        for (let i = 0; i < w; i++) {
          if (c[base + i] !== v[i]) {
            eq = false;
            break;
          }
        }
        if (eq) return id;
      }
      slot = (slot + 1) & mask;
    }
  }
}

/**
 * The candidates of one BFS level in a parallel search with claimed slots (parallel.ts): workers
 * put a state that is new to the store into an empty index slot by compare-and-swap, writing
 * `-(c + 1)` for candidate c, whose vector, hash, slot and discovery key (source offset in the
 * level x steps + step: the sequential search's first discovery is the smallest) live here.
 */
export class ClaimArena {
  /** Candidate vectors, `words` each. */
  readonly vectors: Int32Array;
  readonly hashes: Int32Array;
  /** Discovery key; DEAD for a candidate whose claim lost the race. */
  readonly keys: Int32Array;
  readonly slots: Int32Array;
  /** 1: a state property may fail or a cover be reached in it. */
  readonly flags: Uint8Array;
  /** Orbit size under symmetry. */
  readonly orbits: Uint16Array;
  static readonly DEAD = 0x7fffffff;

  constructor(
    readonly words: number,
    readonly capacity: number,
    buffers?: ClaimBuffers,
  ) {
    const b = buffers ?? ClaimArena.allocate(words, capacity);
    this.vectors = new Int32Array(b.vectors);
    this.hashes = new Int32Array(b.hashes);
    this.keys = new Int32Array(b.keys);
    this.slots = new Int32Array(b.slots);
    this.flags = new Uint8Array(b.flags);
    this.orbits = new Uint16Array(b.orbits);
  }

  static allocate(words: number, capacity: number): ClaimBuffers {
    const n = Math.max(1, capacity);
    return {
      vectors: new SharedArrayBuffer(n * words * 4),
      hashes: new SharedArrayBuffer(n * 4),
      keys: new SharedArrayBuffer(n * 4),
      slots: new SharedArrayBuffer(n * 4),
      flags: new SharedArrayBuffer(n),
      orbits: new SharedArrayBuffer(n * 2),
    };
  }

  buffers(): ClaimBuffers {
    return { vectors: this.vectors.buffer, hashes: this.hashes.buffer, keys: this.keys.buffer, slots: this.slots.buffer, flags: this.flags.buffer, orbits: this.orbits.buffer } as ClaimBuffers;
  }

  equals(c: number, v: Int32Array): boolean {
    const w = this.words;
    const base = c * w;
    for (let i = 0; i < w; i++) if (this.vectors[base + i] !== v[i]) return false;
    return true;
  }

  load(c: number, out: Int32Array): void {
    const w = this.words;
    const base = c * w;
    for (let i = 0; i < w; i++) out[i] = this.vectors[base + i]!;
  }
}

export interface ClaimBuffers {
  readonly vectors: SharedArrayBuffer;
  readonly hashes: SharedArrayBuffer;
  readonly keys: SharedArrayBuffer;
  readonly slots: SharedArrayBuffer;
  readonly flags: SharedArrayBuffer;
  readonly orbits: SharedArrayBuffer;
}

const noFlag = (): number => 0;

/** Outcome of StoreReader.claim. */
export const CLAIM = { known: 0, claimed: 1, full: 2, lowered: 3 } as const;

/**
 * Hash compaction: a 64-bit fingerprint (two independent 32-bit hashes) per state instead of the
 * vector. The vectors of states not yet expanded are kept in a queue of chunks, dropped chunk by
 * chunk as `release` passes them.
 */
export class FingerprintStore implements VisitedStore {
  readonly words: number;
  readonly storedBytes = 8;
  readonly keepsStates = false;
  private fpChunks: Int32Array[] = [];
  private queue: (Int32Array | null)[] = [];
  private readonly links: Links;
  private index: Int32Array;
  private mask: number;
  private liveQueueChunks = 0;
  private peakQueueChunks = 0;
  count = 0;

  constructor(words: number, wideSteps = false, initialIndexBits = 16) {
    this.words = words;
    this.links = new Links(wideSteps, plainAlloc);
    this.index = new Int32Array(1 << initialIndexBits);
    this.mask = this.index.length - 1;
  }

  /** Fingerprint, links and index per state, plus the largest queue held at once. */
  get bytes(): number {
    return this.fpChunks.length * CHUNK * (8 + this.links.bytesPerState) + this.index.length * 4 + this.peakQueueChunks * CHUNK * this.words * 4;
  }

  load(id: number, out: Int32Array): void {
    const c = this.queue[id >>> CHUNK_SHIFT];
    if (!c) throw new Error(`fingerprint store: state ${id} was already released`);
    const w = this.words;
    const base = (id & CHUNK_MASK) * w;
    for (let i = 0; i < w; i++) out[i] = c[base + i]!;
  }

  parent(id: number): number {
    return this.links.parent(id);
  }

  step(id: number): number {
    return this.links.step(id);
  }

  find(v: Int32Array): number {
    const w = this.words;
    const h1 = hashWords(v, 0, w);
    const h2 = hashWords(v, 0, w, FINGERPRINT_SEED);
    let slot = h1 & this.mask;
    for (;;) {
      const e = this.index[slot]!;
      if (e === 0) return -1;
      if (this.fpIs(e - 1, h1, h2)) return e - 1;
      slot = (slot + 1) & this.mask;
    }
  }

  insert(v: Int32Array, parent: number, step: number): number {
    const w = this.words;
    const h1 = hashWords(v, 0, w);
    const h2 = hashWords(v, 0, w, FINGERPRINT_SEED);
    const index = this.index;
    const mask = this.mask;
    let slot = h1 & mask;
    for (;;) {
      const e = index[slot]!;
      if (e === 0) break;
      if (this.fpIs(e - 1, h1, h2)) return -e;
      slot = (slot + 1) & mask;
    }
    const id = this.count;
    const ci = id >>> CHUNK_SHIFT;
    const off = id & CHUNK_MASK;
    if (ci === this.fpChunks.length) {
      this.fpChunks.push(new Int32Array(CHUNK * 2));
      this.queue.push(new Int32Array(CHUNK * w));
      this.liveQueueChunks++;
      if (this.liveQueueChunks > this.peakQueueChunks) this.peakQueueChunks = this.liveQueueChunks;
      this.links.addChunk();
    }
    const fp = this.fpChunks[ci]!;
    fp[off * 2] = h1;
    fp[off * 2 + 1] = h2;
    const q = this.queue[ci]!;
    const base = off * w;
    for (let i = 0; i < w; i++) q[base + i] = v[i]!;
    this.links.set(id, parent, step);
    index[slot] = id + 1;
    this.count = id + 1;
    if (this.count > index.length * MAX_LOAD) this.grow();
    return id;
  }

  matches(id: number, v: Int32Array): boolean {
    return this.fpIs(id, hashWords(v, 0, this.words), hashWords(v, 0, this.words, FINGERPRINT_SEED));
  }

  release(id: number): void {
    // drop every queue chunk that lies wholly below `id`
    const upto = id >>> CHUNK_SHIFT;
    for (let c = 0; c < upto && c < this.queue.length; c++) {
      if (this.queue[c]) {
        this.queue[c] = null;
        this.liveQueueChunks--;
      }
    }
  }

  /** Checkpoints: fingerprints and links of every state, the vectors of the states from `from` on (not released yet). */
  exportStates(from: number): FingerprintExport {
    const w = this.words;
    const queued: Int32Array[] = [];
    for (let id = from; id < this.count; ) {
      const ci = id >>> CHUNK_SHIFT;
      const end = Math.min(this.count, (ci + 1) << CHUNK_SHIFT);
      queued.push(this.queue[ci]!.subarray((id & CHUNK_MASK) * w, (((end - 1) & CHUNK_MASK) + 1) * w));
      id = end;
    }
    const firstLiveChunk = this.queue.findIndex((q) => q !== null);
    return {
      fingerprints: trimChunks(this.fpChunks, this.count, 2),
      ...this.links.exportLinks(this.count),
      queued,
      queuedFrom: from,
      firstLiveChunk: firstLiveChunk < 0 ? this.queue.length : firstLiveChunk,
      peakQueueChunks: this.peakQueueChunks,
    };
  }

  /** Checkpoints: fill this empty store from an export (`fingerprints`, `queued`: back to back). */
  importStates(e: { fingerprints: Int32Array; parents: Int32Array; steps: ArrayLike<number>; count: number; queued: Int32Array; queuedFrom: number; firstLiveChunk: number; peakQueueChunks: number }): void {
    const w = this.words;
    for (let id = 0; id < e.count; id++) {
      const ci = id >>> CHUNK_SHIFT;
      if (ci === this.fpChunks.length) {
        this.fpChunks.push(new Int32Array(CHUNK * 2));
        const live = ci >= e.firstLiveChunk || ci >= e.queuedFrom >>> CHUNK_SHIFT;
        this.queue.push(live ? new Int32Array(CHUNK * w) : null);
        if (live) this.liveQueueChunks++;
        this.links.addChunk();
      }
      const off = (id & CHUNK_MASK) * 2;
      const h1 = e.fingerprints[id * 2]!;
      this.fpChunks[ci]![off] = h1;
      this.fpChunks[ci]![off + 1] = e.fingerprints[id * 2 + 1]!;
      this.links.set(id, e.parents[id]!, e.steps[id]!);
      let slot = h1 & this.mask;
      while (this.index[slot] !== 0) slot = (slot + 1) & this.mask;
      this.index[slot] = id + 1;
      this.count = id + 1;
      if (this.count > this.index.length * MAX_LOAD) this.grow();
    }
    for (let id = e.queuedFrom; id < e.count; id++) {
      this.queue[id >>> CHUNK_SHIFT]!.set(e.queued.subarray((id - e.queuedFrom) * w, (id - e.queuedFrom + 1) * w), (id & CHUNK_MASK) * w);
    }
    this.peakQueueChunks = Math.max(e.peakQueueChunks, this.liveQueueChunks);
  }

  private fpIs(id: number, h1: number, h2: number): boolean {
    const fp = this.fpChunks[id >>> CHUNK_SHIFT]!;
    const o = (id & CHUNK_MASK) * 2;
    return fp[o] === h1 && fp[o + 1] === h2;
  }

  private grow(): void {
    const cap = this.index.length * 2;
    const index = new Int32Array(cap);
    const mask = cap - 1;
    for (let id = 0; id < this.count; id++) {
      let slot = this.fpChunks[id >>> CHUNK_SHIFT]![(id & CHUNK_MASK) * 2]! & mask;
      while (index[slot] !== 0) slot = (slot + 1) & mask;
      index[slot] = id + 1;
    }
    this.index = index;
    this.mask = mask;
  }
}

/**
 * Probability that hash compaction merged two distinct states (so that one was missed), for n
 * distinct fingerprints of 64 bits assumed uniform: the birthday bound 1 - exp(-n(n-1)/2^65).
 */
export function fingerprintCollisionProbability(n: number): number {
  return -Math.expm1(-(n * (n - 1)) / 2 ** 65);
}
