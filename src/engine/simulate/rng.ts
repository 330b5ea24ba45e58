/**
 * The walks' random numbers: xoshiro128** (Blackman & Vigna), seeded through the murmur3
 * finaliser and splitmix32. Run r of seed s has its own generator, so a walk depends only on the
 * seed, its number and the model.
 */

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** The generator of run `run` (0-based) of seed `seed` (safe non-negative integers). */
  constructor(seed: number, run: number) {
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 0x100000000) >>> 0;
    let x = fmix32(lo ^ 0x243f6a88);
    x = fmix32(x ^ hi ^ 0x85a308d3);
    x = fmix32(x ^ (run >>> 0) ^ 0x13198a2e);
    x = fmix32(x ^ (Math.floor(run / 0x100000000) >>> 0) ^ 0x03707344);
    // splitmix32 from x fills the state (never all zero: splitmix32 is a bijection of a counter)
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      return fmix32(x);
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** A uniform unsigned 32-bit integer. */
  next(): number {
    const b = this.b;
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    this.c ^= this.a;
    this.d ^= b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }

  /** A uniform integer in 0..n-1 (n >= 1; exact: rejection of the biased top of the range). */
  below(n: number): number {
    if (n <= 1) return 0;
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const r = this.next();
      if (r < limit) return r % n;
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
