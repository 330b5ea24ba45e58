/**
 * The exact visited store of the sequential search, with states bit-packed (state-codec.ts) and a
 * compact index: the Xen model's 44-byte vector is kept in 16 bytes, and an index slot is one
 * 32-bit word instead of two. Same interface and same ids as StateStore (store.ts), which stays
 * the store of worker threads (they read its buffers directly).
 *
 * Index slot: 0 empty, else `(h & ~mask) | (id + 1)` — the id in the low bits (the index has more
 * slots than states, so `id + 1 <= mask`) and the hash bits above the slot number as a tag: a
 * probe compares tags first and reads a stored vector only on a tag match (a false match once
 * in 2^(32 - log2 slots) probes). Growing rehashes the packed vectors in id order (sequential
 * reads) and places each state again at random, the cost of a probe: the index grows x4, so that
 * a run places its states again about 1.33 times in all instead of 2 (x2). Its load stays between
 * 0.1875 and 0.75: at most 21.3 index bytes per state (the Xen model: 16 + 6 + 21.3 <= 45).
 *
 * The callers hand in and get back schema (unpacked) vectors; `insert` packs (checking every
 * field's domain on the way) and calls `onBadState` for a vector outside the schema's domains,
 * which would otherwise be stored truncated.
 */
import { ModelError } from './model.js';
import type { Schema } from './schema.js';
import { compileCodec, type StateCodec } from './state-codec.js';
import { hashWords, JIT_REHEARSAL, Links, unpackedChunks, STORE_CHUNK_SHIFT, STORE_MAX_LOAD, type StoreExport, type VisitedStore } from './store.js';

const CHUNK_SHIFT = STORE_CHUNK_SHIFT;
const CHUNK = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK - 1;
/** The index never grows beyond 2^30 slots (ids must fit below the tag bits). */
const MAX_INDEX_BITS = 30;

/** Called with pack()'s code (a field index, or PACK_BAD_PADDING) for a vector it cannot store. */
export type BadStateHandler = (code: number, v: Int32Array, parent: number, step: number) => never;

export class PackedStateStore implements VisitedStore {
  /** Words of the schema vectors handed in and out. */
  readonly words: number;
  /** Words of a stored (packed) vector. */
  readonly packedWords: number;
  readonly keepsStates = true;
  readonly codec: StateCodec;
  onBadState: BadStateHandler = (code) => {
    throw new ModelError(`state outside the schema's domains (field ${code})`);
  };
  private vecChunks: Int32Array[] = [];
  private readonly links: Links;
  private table: Int32Array;
  /** Number of slots - 1. */
  private mask: number;
  /** The packed form of the vector last handed in. */
  private readonly buf: Int32Array;
  count = 0;
  /** The id at which insert() next allocates a chunk (or, at JIT_REHEARSAL, rehearses that). */
  private chunkDue = 0;
  /** The count above which insert() next calls grow() (first at JIT_REHEARSAL: a rehearsal). */
  private growDue: number;

  constructor(schema: Schema, wideSteps = false, initialIndexBits = 16) {
    this.codec = compileCodec(schema);
    this.words = schema.words;
    this.packedWords = this.codec.words;
    this.buf = new Int32Array(this.packedWords);
    this.links = new Links(wideSteps, (bytes) => new ArrayBuffer(bytes));
    const bits = Math.min(MAX_INDEX_BITS, initialIndexBits);
    this.table = new Int32Array(1 << bits);
    this.mask = (1 << bits) - 1;
    this.growDue = Math.min(JIT_REHEARSAL, this.loadLimit);
  }

  /** The count above which the index must grow. */
  private get loadLimit(): number {
    return (this.mask + 1) * STORE_MAX_LOAD;
  }

  get storedBytes(): number {
    return this.packedWords * 4;
  }

  get bytes(): number {
    return this.vecChunks.length * CHUNK * (this.packedWords * 4 + this.links.bytesPerState) + this.table.length * 4;
  }

  load(id: number, out: Int32Array): void {
    this.codec.unpack(this.vecChunks[id >>> CHUNK_SHIFT]!, (id & CHUNK_MASK) * this.packedWords, out);
  }

  /** The packed vector of state `id` into out[0 .. packedWords). */
  packedAt(id: number, out: Int32Array): void {
    const c = this.vecChunks[id >>> CHUNK_SHIFT]!;
    const base = (id & CHUNK_MASK) * this.packedWords;
    for (let i = 0; i < this.packedWords; i++) out[i] = c[base + i]!;
  }

  parent(id: number): number {
    return this.links.parent(id);
  }

  step(id: number): number {
    return this.links.step(id);
  }

  find(v: Int32Array): number {
    const p = this.buf;
    // nothing outside the domains is ever stored
    if (this.codec.pack(v, p) !== -1) return -1;
    const e = this.probe(p, hashWords(p, 0, this.packedWords));
    return e > 0 ? e - 1 : -1;
  }

  insert(v: Int32Array, parent: number, step: number): number {
    const p = this.buf;
    const bad = this.codec.pack(v, p);
    if (bad !== -1) this.onBadState(bad, v, parent, step);
    const pw = this.packedWords;
    const h = hashWords(p, 0, pw);
    const e = this.probe(p, h);
    if (e > 0) return -e;
    const slot = ~e;
    const id = this.count;
    if (id === this.chunkDue) this.addChunk(id);
    const c = this.vecChunks[id >>> CHUNK_SHIFT]!;
    const base = (id & CHUNK_MASK) * pw;
    for (let i = 0; i < pw; i++) c[base + i] = p[i]!;
    this.links.set(id, parent, step);
    this.table[slot] = (h & ~this.mask) | (id + 1);
    this.count = id + 1;
    if (this.count > this.growDue) this.grow();
    return id;
  }

  /**
   * The chunk that state `id` (a multiple of CHUNK) is the first of; at id JIT_REHEARSAL the same
   * code as a rehearsal, on a chunk dropped at once.
   */
  private addChunk(id: number): void {
    this.vecChunks.push(new Int32Array(CHUNK * this.packedWords));
    this.links.addChunk();
    if ((id & CHUNK_MASK) !== 0) {
      this.vecChunks.pop();
      this.links.popChunk();
    }
    this.chunkDue = id < JIT_REHEARSAL ? JIT_REHEARSAL : ((id >>> CHUNK_SHIFT) + 1) << CHUNK_SHIFT;
  }

  matches(id: number, v: Int32Array): boolean {
    const p = this.buf;
    if (this.codec.pack(v, p) !== -1) return false;
    return this.equal(id, p);
  }

  release(_id: number): void {}

  /**
   * Checkpoints: every stored state unpacked (the byte store's export: schema vectors back to
   * back, chunk by chunk; these are copies) and the links.
   */
  exportStates(): StoreExport {
    return { vectors: unpackedChunks(this), ...this.links.exportLinks(this.count) };
  }

  /** How many more states fit before the index must grow. */
  get room(): number {
    return Math.floor((this.mask + 1) * STORE_MAX_LOAD) - this.count;
  }

  /**
   * The packed vector `p` (hash `h`): `id + 1` of the stored equal state (> 0), or `~slot` of the
   * empty slot where it would go (< 0; not `-slot`, which is -0 for slot 0 and deoptimises).
   */
  private probe(p: Int32Array, h: number): number {
    const t = this.table;
    const mask = this.mask;
    const tag = h & ~mask;
    // the step to the next slot comes first, so that it runs on every probe (not first on a collision deep in the search: see JIT_REHEARSAL)
    let slot = (h - 1) & mask;
    for (;;) {
      slot = (slot + 1) & mask;
      const e = t[slot]!;
      if (e === 0) return ~slot;
      if ((e & ~mask) === tag && this.equal((e & mask) - 1, p)) return e & mask;
    }
  }

  private equal(id: number, p: Int32Array): boolean {
    const c = this.vecChunks[id >>> CHUNK_SHIFT]!;
    const pw = this.packedWords;
    const base = (id & CHUNK_MASK) * pw;
    for (let i = 0; i < pw; i++) if (c[base + i] !== p[i]) return false;
    return true;
  }

  /** Grow the index x4 and place every state again by its hash (called below the load limit: a rehearsal, see JIT_REHEARSAL). */
  private grow(): void {
    this.growDue = this.loadLimit;
    if (this.count <= this.growDue) return;
    const old = this.mask + 1;
    const slots = Math.min(2 ** MAX_INDEX_BITS, old * 4);
    if (slots === old) throw new ModelError(`visited store: more than ${Math.floor(old * STORE_MAX_LOAD)} states`);
    const t = new Int32Array(slots);
    const mask = slots - 1;
    const notMask = ~mask;
    const pw = this.packedWords;
    const n = this.count;
    for (let c = 0; c < this.vecChunks.length; c++) {
      const vc = this.vecChunks[c]!;
      const first = c << CHUNK_SHIFT;
      const end = Math.min(CHUNK, n - first);
      for (let k = 0; k < end; k++) {
        const h = hashWords(vc, k * pw, pw);
        let slot = h & mask;
        while (t[slot] !== 0) slot = (slot + 1) & mask;
        t[slot] = (h & notMask) | (first + k + 1);
      }
    }
    this.table = t;
    this.mask = mask;
    this.growDue = this.loadLimit;
  }
}
