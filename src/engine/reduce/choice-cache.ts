/**
 * Memo of the stubborn-set choice's state-independent part (StubbornSets.choose). Without the
 * visibility test, the closures depend on a state only through its label fields (the program
 * counters: which steps are at their labels) and its enabled steps; the Xen model's default run
 * meets a few thousand such keys in 390 k states. An entry maps a key — the label bytes and the
 * enabled steps, in order — to the set the closures choose there (edge indices, increasing), or
 * to none. The table is bounded: when it is full it is emptied (only a memo: a result computed
 * again is the same), so a search's results never depend on it.
 *
 * Entry layout in `pool`: hash, n, the label bytes, the n steps, m, then the m edge indices (none
 * when m = n: no smaller set).
 */
export class ChoiceCache {
  /** At most this many entries; then the table starts again empty. */
  static readonly maxEntries = 1 << 17;
  /** 0: empty, else entry number + 1 (load at most 1/2: the table doubles up to 2 maxEntries slots). */
  private slots = new Int32Array(1 << 12);
  private mask = (1 << 12) - 1;
  /** Per entry: its start in `pool`. */
  private start = new Int32Array(1 << 11);
  private pool = new Int32Array(1 << 14);
  private used = 0;
  private entries = 0;
  /** The slot and hash get() stopped at for a missing key (put() fills it). */
  private missSlot = -1;
  private missHash = 0;
  /** Lookups, and those answered from the table (a benchmark's figures). */
  lookups = 0;
  hits = 0;

  /** @param offsets the byte offsets of the label fields (the key's state part) */
  constructor(private readonly offsets: Int32Array) {}

  /** The set stored for (src's labels, steps[0..n)) into `out` and its size (n: none); -1 when not stored. */
  get(src: Uint8Array, steps: Int32Array, n: number, out: Int32Array): number {
    this.lookups++;
    const offs = this.offsets;
    const g = offs.length;
    let h = n;
    for (let k = 0; k < g; k++) h = Math.imul(h ^ src[offs[k]!]!, 0x9e3779b1);
    for (let k = 0; k < n; k++) h = Math.imul(h ^ steps[k]!, 0x85ebca6b);
    h ^= h >>> 15;
    const pool = this.pool;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const e = this.slots[slot]!;
      if (e === 0) {
        this.missSlot = slot;
        this.missHash = h;
        return -1;
      }
      let p = this.start[e - 1]!;
      if (pool[p] !== h || pool[p + 1] !== n) continue;
      p += 2;
      let same = true;
      for (let k = 0; k < g && same; k++) same = pool[p + k] === src[offs[k]!];
      p += g;
      for (let k = 0; k < n && same; k++) same = pool[p + k] === steps[k];
      if (!same) continue;
      p += n;
      const m = pool[p++]!;
      if (m < n) for (let k = 0; k < m; k++) out[k] = pool[p + k]!;
      this.hits++;
      return m;
    }
  }

  /** After get() returned -1 for this key: store its set set[0..m) (m = n: none). */
  put(src: Uint8Array, steps: Int32Array, n: number, set: Int32Array, m: number): void {
    const g = this.offsets.length;
    const size = 3 + g + n + (m < n ? m : 0);
    if (this.entries === ChoiceCache.maxEntries) {
      this.clear();
      this.missSlot = this.missHash & this.mask;
    } else if (this.entries === this.start.length) {
      this.grow();
      this.missSlot = this.freeSlot(this.missHash);
    }
    if (this.used + size > this.pool.length) this.growPool(this.used + size);
    const pool = this.pool;
    let p = this.used;
    this.start[this.entries] = p;
    pool[p++] = this.missHash;
    pool[p++] = n;
    for (let k = 0; k < g; k++) pool[p++] = src[this.offsets[k]!]!;
    for (let k = 0; k < n; k++) pool[p++] = steps[k]!;
    pool[p++] = m;
    if (m < n) for (let k = 0; k < m; k++) pool[p++] = set[k]!;
    this.used = p;
    this.slots[this.missSlot] = ++this.entries;
  }

  private clear(): void {
    this.slots.fill(0);
    this.entries = 0;
    this.used = 0;
  }

  /** Twice the entries and slots; the entries placed again by their hashes. */
  private grow(): void {
    const start = new Int32Array(this.start.length * 2);
    start.set(this.start);
    this.start = start;
    this.slots = new Int32Array(this.slots.length * 2);
    this.mask = this.slots.length - 1;
    for (let e = 0; e < this.entries; e++) this.slots[this.freeSlot(this.pool[start[e]!]!)] = e + 1;
  }

  private freeSlot(h: number): number {
    let slot = h & this.mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
    return slot;
  }

  private growPool(need: number): void {
    this.pool = grownPool(this.pool, this.used, need);
  }
}

/**
 * ChoiceCache for keys that are one number (ChoiceKeys): the same memo — a key maps to the set
 * the closures choose (edge indices, increasing) or to none — with one double compared per probe
 * instead of the label bytes and the steps. Bounded the same way: emptied when full.
 *
 * A slot is two doubles side by side (one cache line per probe): the key, and its entry — 0 for
 * an empty slot; for the usual answers the answer itself, negative: ~(m | e0 << 8 | e1 << 16)
 * when there are at most two edges (or none: m = n) and each index is below 256; otherwise its
 * start in `pool` + 1, where the entry is m and the m edge indices.
 */
export class KeyedChoiceCache {
  /** At most this many entries; then the table starts again empty. */
  static readonly maxEntries = ChoiceCache.maxEntries;
  /** Per slot s: the key at 2s, the entry at 2s + 1 (load at most 1/2). */
  private table = new Float64Array(2 << 12);
  private mask = (1 << 12) - 1;
  private pool = new Int32Array(1 << 10);
  private used = 0;
  private entries = 0;
  /** The slot get() stopped at for a missing key (put() fills it). */
  private missSlot = -1;
  /** Lookups, and those answered from the table (a benchmark's figures). */
  lookups = 0;
  hits = 0;

  /** The set stored for `key` (a state with n edges) into `out` and its size (n: none); -1 when not stored. */
  get(key: number, n: number, out: Int32Array): number {
    this.lookups++;
    const table = this.table;
    for (let slot = slotHash(key) & this.mask; ; slot = (slot + 1) & this.mask) {
      const e = table[2 * slot + 1]!;
      if (e === 0) {
        this.missSlot = slot;
        return -1;
      }
      if (table[2 * slot] !== key) continue;
      this.hits++;
      if (e < 0) {
        const packed = ~e;
        const m = packed & 0xff;
        if (m < n) {
          if (m > 0) out[0] = (packed >>> 8) & 0xff;
          if (m > 1) out[1] = packed >>> 16;
        }
        return m;
      }
      const pool = this.pool;
      const m = pool[e - 1]!;
      if (m < n) for (let k = 0; k < m; k++) out[k] = pool[e + k]!;
      return m;
    }
  }

  /** After get(key) returned -1: store its set set[0..m) (m = n: none). */
  put(key: number, n: number, set: Int32Array, m: number): void {
    if (this.entries === KeyedChoiceCache.maxEntries) {
      this.clear();
      this.missSlot = this.freeSlot(key);
    } else if (2 * (this.entries + 1) > this.mask + 1) {
      this.grow();
      this.missSlot = this.freeSlot(key);
    }
    this.table[2 * this.missSlot] = key;
    this.table[2 * this.missSlot + 1] = this.entryOf(n, set, m);
    this.entries++;
  }

  /** The slot's entry for the set set[0..m) of a state with n edges: packed when small, else in the pool. */
  private entryOf(n: number, set: Int32Array, m: number): number {
    if (m === n && m < 256) return ~m;
    if (m < n && m <= 2 && (m < 1 || set[0]! < 256) && (m < 2 || set[1]! < 256)) return ~(m | (m > 0 ? set[0]! << 8 : 0) | (m > 1 ? set[1]! << 16 : 0));
    const size = 1 + (m < n ? m : 0);
    if (this.used + size > this.pool.length) this.growPool(this.used + size);
    const pool = this.pool;
    const p = this.used;
    pool[p] = m;
    if (m < n) for (let k = 0; k < m; k++) pool[p + 1 + k] = set[k]!;
    this.used = p + size;
    return p + 1;
  }

  private clear(): void {
    this.table.fill(0);
    this.entries = 0;
    this.used = 0;
  }

  /** Twice the slots; the entries placed again by their keys. */
  private grow(): void {
    const old = this.table;
    this.table = new Float64Array(old.length * 2);
    this.mask = (this.table.length >> 1) - 1;
    for (let s = 0; s < old.length; s += 2) {
      if (old[s + 1] === 0) continue;
      const slot = this.freeSlot(old[s]!);
      this.table[2 * slot] = old[s]!;
      this.table[2 * slot + 1] = old[s + 1]!;
    }
  }

  private freeSlot(key: number): number {
    let slot = slotHash(key) & this.mask;
    while (this.table[2 * slot + 1] !== 0) slot = (slot + 1) & this.mask;
    return slot;
  }

  private growPool(need: number): void {
    this.pool = grownPool(this.pool, this.used, need);
  }
}

/** A pool (its first `used` numbers kept) doubled until it holds `need` numbers. */
function grownPool(pool: Int32Array, used: number, need: number): Int32Array<ArrayBuffer> {
  let len = pool.length * 2;
  while (len < need) len *= 2;
  const next = new Int32Array(len);
  next.set(pool.subarray(0, used));
  return next;
}

/** A 32-bit hash of a key (a non-negative integer below 2^53): both halves mixed. */
function slotHash(key: number): number {
  const lo = key >>> 0;
  const hi = (key / 4294967296) >>> 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1);
  h ^= h >>> 15;
  return h;
}
