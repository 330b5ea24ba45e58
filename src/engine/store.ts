/**
 * The visited set: an exact store of packed states.
 *
 * States live in fixed-size chunks (so growth never copies them and no single buffer has to hold
 * them all), numbered in insertion order, which for BFS is also the queue order: the store doubles
 * as the frontier. Each state has a parent id and the index of the step that produced it (for an
 * initial state: parent -1 and the initial-state index). An open-addressing Int32 index with
 * linear probing maps a state to its id; hashing and comparison work on 32-bit words.
 */

const CHUNK_SHIFT = 16;
const CHUNK = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK - 1;
const MAX_LOAD = 0.75;

export function hashWords(v: Int32Array, off: number, words: number): number {
  // murmur3-style mixing of 32-bit words
  let h = 0x2f1a3c5b ^ words;
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

export class StateStore {
  readonly words: number;
  private vecChunks: Int32Array[] = [];
  private parentChunks: Int32Array[] = [];
  private stepChunks: Uint16Array[] | Uint32Array[] = [];
  private index: Int32Array;
  private mask: number;
  private readonly wideSteps: boolean;
  count = 0;

  constructor(words: number, wideSteps = false, initialIndexBits = 16) {
    this.words = words;
    this.wideSteps = wideSteps;
    this.index = new Int32Array(1 << initialIndexBits);
    this.mask = this.index.length - 1;
  }

  /** Bytes allocated by the store. */
  get bytes(): number {
    const chunks = this.vecChunks.length;
    return chunks * CHUNK * (this.words * 4 + 4 + (this.wideSteps ? 4 : 2)) + this.index.length * 4;
  }

  /** Copy state `id` into `out` (length >= words). */
  load(id: number, out: Int32Array): void {
    const c = this.vecChunks[id >>> CHUNK_SHIFT]!;
    const w = this.words;
    const base = (id & CHUNK_MASK) * w;
    for (let i = 0; i < w; i++) out[i] = c[base + i]!;
  }

  parent(id: number): number {
    return this.parentChunks[id >>> CHUNK_SHIFT]![id & CHUNK_MASK]!;
  }

  step(id: number): number {
    return this.stepChunks[id >>> CHUNK_SHIFT]![id & CHUNK_MASK]!;
  }

  /** Id of the state equal to `v`, or -1. */
  find(v: Int32Array): number {
    const w = this.words;
    const index = this.index;
    const mask = this.mask;
    let slot = hashWords(v, 0, w) & mask;
    for (;;) {
      const e = index[slot]!;
      if (e === 0) return -1;
      const id = e - 1;
      if (this.equals(id, v)) return id;
      slot = (slot + 1) & mask;
    }
  }

  /**
   * Insert `v` unless present. Returns the new id (>= 0) when inserted, or `-1 - id` of the
   * existing equal state.
   */
  insert(v: Int32Array, parent: number, step: number): number {
    const w = this.words;
    const index = this.index;
    const mask = this.mask;
    let slot = hashWords(v, 0, w) & mask;
    for (;;) {
      const e = index[slot]!;
      if (e === 0) break;
      const id = e - 1;
      if (this.equals(id, v)) return -1 - id;
      slot = (slot + 1) & mask;
    }
    const id = this.count;
    const ci = id >>> CHUNK_SHIFT;
    if (ci === this.vecChunks.length) this.addChunk();
    const off = id & CHUNK_MASK;
    const c = this.vecChunks[ci]!;
    const base = off * w;
    for (let i = 0; i < w; i++) c[base + i] = v[i]!;
    this.parentChunks[ci]![off] = parent;
    this.stepChunks[ci]![off] = step;
    index[slot] = id + 1;
    this.count = id + 1;
    if (this.count > this.index.length * MAX_LOAD) this.grow();
    return id;
  }

  private equals(id: number, v: Int32Array): boolean {
    const c = this.vecChunks[id >>> CHUNK_SHIFT]!;
    const w = this.words;
    const base = (id & CHUNK_MASK) * w;
    for (let i = 0; i < w; i++) if (c[base + i] !== v[i]) return false;
    return true;
  }

  private addChunk(): void {
    this.vecChunks.push(new Int32Array(CHUNK * this.words));
    this.parentChunks.push(new Int32Array(CHUNK));
    if (this.wideSteps) (this.stepChunks as Uint32Array[]).push(new Uint32Array(CHUNK));
    else (this.stepChunks as Uint16Array[]).push(new Uint16Array(CHUNK));
  }

  private grow(): void {
    const cap = this.index.length * 2;
    const index = new Int32Array(cap);
    const mask = cap - 1;
    const w = this.words;
    for (let id = 0; id < this.count; id++) {
      const c = this.vecChunks[id >>> CHUNK_SHIFT]!;
      let slot = hashWords(c, (id & CHUNK_MASK) * w, w) & mask;
      while (index[slot] !== 0) slot = (slot + 1) & mask;
      index[slot] = id + 1;
    }
    this.index = index;
    this.mask = mask;
  }
}
