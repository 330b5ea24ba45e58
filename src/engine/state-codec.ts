/**
 * A bit-packed form of a schema's state vector, for the visited store (packed-store.ts).
 *
 * The search works on the byte layout of schema.ts (one or two bytes per field); most fields have
 * tiny domains (a bool needs 1 bit, a pc of 106 labels 7), so the store keeps each state as the
 * fields' offsets from their minimum, `bits(max - min)` bits each, packed into 32-bit words:
 * the Xen model's 44-byte vector becomes 16 bytes. Fields never straddle a word (first-fit
 * decreasing by width), so each is one shift and mask.
 *
 * The packing is a bijection between in-domain byte vectors (padding bytes zero) and packed
 * vectors, so the store's ids, counts and BFS order are those of storing the bytes. `pack` checks
 * every field's domain as it goes (the check the observer makes on each new state): it returns the
 * index of the first field outside its domain instead of packing it.
 *
 * Both directions are compiled once per schema (new Function, constant offsets and shifts), as the
 * DVE compiler compiles guards.
 */
import type { Field, Schema } from './schema.js';

/** `pack` found bytes set in the padding after the last field. */
export const PACK_BAD_PADDING = -2;

export interface StateCodec {
  /** Words of the packed vector. */
  readonly words: number;
  /** Words of the unpacked (schema) vector. */
  readonly unpackedWords: number;
  /** Fields in schema order (the indices `pack` reports). */
  readonly fields: readonly Field[];
  /**
   * Pack the schema vector `v` (words) into `out[0 .. words)`: -1, or the index of the first field
   * (schema order) outside its domain, or PACK_BAD_PADDING.
   */
  pack(v: Int32Array, out: Int32Array): number;
  /** Unpack `p[base .. base + words)` into the schema vector `out` (words). */
  unpack(p: Int32Array, base: number, out: Int32Array): void;
}

interface Slot {
  readonly field: Field;
  readonly index: number;
  readonly bits: number;
  word: number;
  shift: number;
}

/** Bits to hold 0 .. range. */
function bitsFor(range: number): number {
  let b = 0;
  while (range >= 2 ** b) b++;
  return b;
}

/** Place fields into 32-bit words, widest first, each into the first word with room. */
function place(fields: readonly Field[]): { slots: Slot[]; words: number } {
  const slots: Slot[] = fields.map((field, index) => ({ field, index, bits: bitsFor(field.max - field.min), word: 0, shift: 0 }));
  const used: number[] = [];
  const order = [...slots].sort((a, b) => b.bits - a.bits || a.index - b.index);
  for (const s of order) {
    if (s.bits === 0) continue;
    let w = used.findIndex((u) => u + s.bits <= 32);
    if (w < 0) {
      w = used.length;
      used.push(0);
    }
    s.word = w;
    s.shift = used[w]!;
    used[w]! += s.bits;
  }
  return { slots, words: Math.max(1, used.length) };
}

/** The expression for the raw (signed) value of field f from the unpacked words a0, a1, ... */
function readRaw(f: Field): string {
  const byte = (o: number): string => `((a${o >> 2} >>> ${(o & 3) * 8}) & 255)`;
  if (f.width === 1) return f.signed ? `((a${f.offset >> 2} << ${24 - (f.offset & 3) * 8}) >> 24)` : byte(f.offset);
  return `((((${byte(f.offset)}) | (${byte(f.offset + 1)} << 8)) << 16) >> 16)`;
}

/** Compile the codec of `schema`. */
export function compileCodec(schema: Schema): StateCodec {
  const { slots, words } = place(schema.fields);
  const uw = schema.words;
  const packSrc: string[] = [];
  for (let k = 0; k < uw; k++) packSrc.push(`const a${k} = v[${k}] | 0;`);
  for (let w = 0; w < words; w++) packSrc.push(`let w${w} = 0;`);
  packSrc.push('let x = 0;');
  for (const s of slots) {
    const f = s.field;
    const range = f.max - f.min;
    packSrc.push(`x = (${readRaw(f)} - ${f.min}) | 0;`);
    packSrc.push(`if ((x >>> 0) > ${range}) return ${s.index};`);
    if (s.bits > 0) packSrc.push(`w${s.word} |= x << ${s.shift};`);
  }
  // padding after the last field must be zero (no field holds it)
  for (let o = schema.usedBytes; o < schema.size; o++) packSrc.push(`if (((a${o >> 2} >>> ${(o & 3) * 8}) & 255) !== 0) return ${PACK_BAD_PADDING};`);
  for (let w = 0; w < words; w++) packSrc.push(`out[${w}] = w${w};`);
  packSrc.push('return -1;');

  // unpack: each byte of the schema vector from its field
  const byteExpr: string[] = new Array(schema.size).fill('0');
  for (const s of slots) {
    const f = s.field;
    const val = s.bits > 0 ? `(((p${s.word} >>> ${s.shift}) & ${2 ** s.bits - 1}) + ${f.min})` : `${f.min}`;
    if (f.width === 1) byteExpr[f.offset] = `(${val} & 255)`;
    else {
      byteExpr[f.offset] = `(${val} & 255)`;
      byteExpr[f.offset + 1] = `((${val} >> 8) & 255)`;
    }
  }
  const unpackSrc: string[] = [];
  for (let w = 0; w < words; w++) unpackSrc.push(`const p${w} = p[base + ${w}] | 0;`);
  for (let k = 0; k < uw; k++) {
    const parts = [0, 1, 2, 3].map((j) => byteExpr[k * 4 + j]!).map((e, j) => (e === '0' ? null : j === 0 ? e : `(${e} << ${j * 8})`)).filter((e) => e !== null);
    unpackSrc.push(`out[${k}] = ${parts.length > 0 ? parts.join(' | ') : '0'};`);
  }
  const pack = new Function('v', 'out', packSrc.join('\n')) as StateCodec['pack'];
  const unpack = new Function('p', 'base', 'out', unpackSrc.join('\n')) as StateCodec['unpack'];
  return { words, unpackedWords: uw, fields: schema.fields, pack, unpack };
}
