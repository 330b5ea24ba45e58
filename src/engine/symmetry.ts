/**
 * Symmetry reduction: each state is replaced by the least of its images under the model's
 * symmetry group (comparing the vectors as signed 32-bit words), so the explorer stores one state
 * per orbit. The steps, the set of initial states and validEnd must be invariant under the group;
 * then the reachable states are exactly the orbits of the stored representatives. Properties need
 * not be invariant (`phil0-eats` is not, under rotation): the explorer checks state properties on
 * every image of each new representative, and the trace to a violating image is the image of the
 * trace to its representative. Because the outgoing edges of a state are the images of those of
 * its representative, the unreduced counts are recovered exactly as sums over stored states of
 * |orbit| (states) and |orbit| x out-degree (transitions).
 */
import type { Symmetry } from './model.js';
import type { Field, Schema } from './schema.js';

export class Canonicalizer {
  private readonly images: Int32Array;
  private readonly imageBytes: Uint8Array[];
  private readonly srcBytes: Uint8Array;
  private readonly srcWords: Int32Array;

  constructor(
    readonly sym: Symmetry,
    readonly words: number,
  ) {
    if (!Number.isInteger(sym.size) || sym.size < 1) throw new Error(`symmetry: group size ${sym.size} is not a positive integer`);
    this.images = new Int32Array(sym.size * words);
    this.imageBytes = [];
    for (let g = 0; g < sym.size; g++) this.imageBytes.push(new Uint8Array(this.images.buffer, g * words * 4, words * 4));
    this.srcWords = new Int32Array(words);
    this.srcBytes = new Uint8Array(this.srcWords.buffer);
  }

  /** Number of images (the group size). */
  get size(): number {
    return this.sym.size;
  }

  /** Image g of the state last passed to canonicalize / orbit / fill (a view, valid until the next call). */
  image(g: number): Uint8Array {
    return this.imageBytes[g]!;
  }

  /** Fill the image table with every image of `v` (image 0 is v itself). */
  fill(v: Int32Array): void {
    const w = this.words;
    const im = this.images;
    for (let i = 0; i < w; i++) {
      im[i] = v[i]!;
      this.srcWords[i] = v[i]!;
    }
    for (let g = 1; g < this.sym.size; g++) {
      const d = this.imageBytes[g]!;
      d.fill(0);
      this.sym.apply(g, this.srcBytes, d);
    }
  }

  private less(a: number, b: number): boolean {
    const w = this.words;
    const im = this.images;
    for (let i = 0; i < w; i++) {
      const x = im[a * w + i]!;
      const y = im[b * w + i]!;
      if (x !== y) return x < y;
    }
    return false;
  }

  private same(a: number, b: number): boolean {
    const w = this.words;
    const im = this.images;
    for (let i = 0; i < w; i++) if (im[a * w + i] !== im[b * w + i]) return false;
    return true;
  }

  /**
   * Replace `v` by its orbit's representative, in place (the image table keeps v's images).
   * Returns the orbit's size, |G| / |stabiliser of v|.
   */
  canonicalize(v: Int32Array): number {
    const n = this.sym.size;
    this.fill(v);
    if (n === 1) return 1;
    let best = 0;
    let stab = 1;
    for (let g = 1; g < n; g++) {
      if (this.same(g, 0)) stab++;
      else if (this.less(g, best)) best = g;
    }
    if (best !== 0) {
      const w = this.words;
      for (let i = 0; i < w; i++) v[i] = this.images[best * w + i]!;
    }
    return n / stab;
  }

  /** Number of distinct states in the orbit of `v`. */
  orbit(v: Int32Array): number {
    const n = this.sym.size;
    this.fill(v);
    let stab = 1;
    for (let g = 1; g < n; g++) if (this.same(g, 0)) stab++;
    return n / stab;
  }
}

/**
 * The group element that maps `from` to `to` (both states of one orbit), or -1. Uses its own
 * buffers, so it does not disturb a Canonicalizer's image table.
 */
export function elementMapping(sym: Symmetry, from: Uint8Array, to: Uint8Array): number {
  if (equalBytes(from, to)) return 0;
  const img = new Uint8Array(from.length);
  for (let g = 1; g < sym.size; g++) {
    img.fill(0);
    sym.apply(g, from, img);
    if (equalBytes(img, to)) return g;
  }
  return -1;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Where a field goes under one group element, and what becomes of its value. */
export interface FieldImage {
  readonly to: Field;
  /** The new value (raw integer) for an old one; default: unchanged. */
  readonly value?: (v: number) => number;
}

/**
 * A Symmetry from a list of group elements, each described field by field (element 0, the
 * identity, is added in front). The images are precomputed as per-field lookup tables, so
 * `apply` is one table read per field. Every field must be the image of exactly one field.
 */
export function fieldSymmetry(schema: Schema, elements: readonly ((f: Field) => FieldImage)[], description: string, opts: { invariantProperties?: boolean } = {}): Symmetry {
  const fields = schema.fields;
  // one generated function per group element: a table read per field, constant offsets
  const fns = elements.map((el, gi) => {
    const seen = new Set<string>();
    const tables: Int32Array[] = [];
    const lines: string[] = [];
    for (const f of fields) {
      const img = el(f);
      if (img.to.width !== f.width || img.to.signed !== f.signed) throw new Error(`symmetry element ${gi + 1}: ${f.name} -> ${img.to.name} changes the field width`);
      if (seen.has(img.to.name)) throw new Error(`symmetry element ${gi + 1}: two fields map to ${img.to.name}`);
      seen.add(img.to.name);
      let identity = true;
      const table = new Int32Array(f.max - f.min + 1);
      for (let v = f.min; v <= f.max; v++) {
        table[v - f.min] = img.value ? img.value(v) : v;
        if (table[v - f.min] !== v) identity = false;
      }
      if (f.width === 1 && !f.signed && identity) {
        lines.push(`d[${img.to.offset}] = s[${f.offset}];`);
      } else if (f.width === 1 && !f.signed) {
        const t = tables.push(table) - 1;
        // a value outside the domain (never in a reachable state) is carried over unchanged
        lines.push(`v = s[${f.offset}]; d[${img.to.offset}] = v >= ${f.min} && v <= ${f.max} ? T[${t}][v - ${f.min}] : v;`);
      } else {
        const t = tables.push(table) - 1;
        lines.push(`v = S.get(s, F[${fields.indexOf(f)}]); S.set(d, F[${fields.indexOf(img.to)}], v >= ${f.min} && v <= ${f.max} ? T[${t}][v - ${f.min}] : v);`);
      }
    }
    const body = `return function apply(s, d) { let v = 0;\n${lines.join('\n')}\n};`;
    return new Function('T', 'S', 'F', body)(tables, schema, fields) as (s: Uint8Array, d: Uint8Array) => void;
  });
  return {
    size: elements.length + 1,
    description,
    invariantProperties: opts.invariantProperties,
    apply(g: number, src: Uint8Array, dst: Uint8Array): void {
      fns[g - 1]!(src, dst);
    },
  };
}

/** Every permutation of 0..n-1 except the identity, in lexicographic order. */
export function permutations(n: number): number[][] {
  const out: number[][] = [];
  const rec = (prefix: number[], rest: number[]): void => {
    if (rest.length === 0) {
      if (prefix.some((x, i) => x !== i)) out.push(prefix);
      return;
    }
    for (let i = 0; i < rest.length; i++) rec([...prefix, rest[i]!], [...rest.slice(0, i), ...rest.slice(i + 1)]);
  };
  rec([], Array.from({ length: n }, (_, i) => i));
  return out;
}

/** The rotations i -> i + r (mod n), r = 1..n-1. */
export function rotations(n: number): number[][] {
  return Array.from({ length: n - 1 }, (_, r) => Array.from({ length: n }, (_, i) => (i + r + 1) % n));
}

/**
 * The field of member perm[i] that corresponds to a field of member i, found by renaming: every
 * whole-word occurrence of a member's name in the field name is replaced by its image's name
 * (`vcpu0->mutex.owner` -> `vcpu1->mutex.owner`). Fields naming no member map to themselves.
 */
export function renameMembers(schema: Schema, members: readonly string[], perm: readonly number[], f: Field): Field {
  return schema.field(renameIn(f.name, members, perm));
}

/** `text` with every whole-word member name replaced by its image's name. */
export function renameIn(text: string, members: readonly string[], perm: readonly number[]): string {
  return text
    .split(/([A-Za-z0-9_]+)/)
    .map((p) => {
      const i = members.indexOf(p);
      return i >= 0 ? members[perm[i]!]! : p;
    })
    .join('');
}
