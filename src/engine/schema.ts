/**
 * State layout: named fields with small finite domains, packed into a fixed-width byte vector.
 *
 * Every field gets a fixed byte offset. Fields whose domain fits in 0..255 take one unsigned byte,
 * fields in -128..127 one signed byte, anything else two bytes (signed 16-bit little endian, the
 * range of a DVE `int`). The vector is padded to a multiple of 4 bytes so the store can hash and
 * compare it as 32-bit words. Models read and write fields through `get`/`set` (slow, generic) or
 * directly by offset (`s[f.offset]`) in hot code for one-byte unsigned fields.
 *
 * Example:
 *   const L = new Layout();
 *   const pc = L.enum('P.pc', ['idle', 'busy']);
 *   const x = L.int('x', 0, 3);
 *   const schema = L.finish();
 *   const s = schema.blank(); s[x.offset] = 2; schema.decode(s) // { 'P.pc': 'idle', x: 2 }
 */

export type FieldKind = 'bool' | 'int' | 'enum';

export interface Field {
  /** Unique name, dotted for grouped fields (`vcpu0.pc`, `pos[2]`). */
  readonly name: string;
  readonly kind: FieldKind;
  readonly offset: number;
  /** 1 or 2 bytes. */
  readonly width: 1 | 2;
  /** True for a one-byte field stored as a signed byte. */
  readonly signed: boolean;
  readonly min: number;
  readonly max: number;
  /** Names of the values of an enum field (value i is values[i]). */
  readonly values?: readonly string[];
  /** Optional owner (process name) used for display and symmetry. */
  readonly group?: string;
}

export type Value = number | boolean | string;

export class Layout {
  private readonly fields: Field[] = [];
  private readonly names = new Set<string>();
  private offset = 0;

  bool(name: string, group?: string): Field {
    return this.add({ name, kind: 'bool', min: 0, max: 1, group });
  }

  int(name: string, min: number, max: number, group?: string): Field {
    if (!Number.isInteger(min) || !Number.isInteger(max) || min > max) {
      throw new SchemaError(`field ${name}: bad domain ${min}..${max}`);
    }
    if (min < -32768 || max > 32767) {
      if (!(min >= 0 && max <= 255)) throw new SchemaError(`field ${name}: domain ${min}..${max} exceeds 16 bits`);
    }
    return this.add({ name, kind: 'int', min, max, group });
  }

  enum(name: string, values: readonly string[], group?: string): Field {
    if (values.length === 0 || values.length > 256) throw new SchemaError(`field ${name}: enum needs 1..256 values`);
    return this.add({ name, kind: 'enum', min: 0, max: values.length - 1, values: [...values], group });
  }

  /**
   * An enum whose values are added while the model is being built (e.g. a process's program
   * counter, one value per code label). Call `close()` before `finish()`.
   */
  openEnum(name: string, group?: string): { field: Field; add(value: string): number; close(): void } {
    const values: string[] = [];
    const field = this.add({ name, kind: 'enum', min: 0, max: 255, values, group }) as { -readonly [K in keyof Field]: Field[K] };
    field.values = values;
    return {
      field,
      add(value: string): number {
        const i = values.indexOf(value);
        if (i >= 0) return i;
        if (values.length >= 256) throw new SchemaError(`field ${name}: more than 256 values`);
        values.push(value);
        return values.length - 1;
      },
      close(): void {
        field.max = Math.max(0, values.length - 1);
      },
    };
  }

  /** A fixed array of ints: fields `name[0]` .. `name[len-1]`. */
  array(name: string, len: number, min: number, max: number, group?: string): Field[] {
    const out: Field[] = [];
    for (let i = 0; i < len; i++) out.push(this.int(`${name}[${i}]`, min, max, group));
    return out;
  }

  /** The fields declared so far, in layout order. */
  get declared(): readonly Field[] {
    return this.fields;
  }

  private add(spec: { name: string; kind: FieldKind; min: number; max: number; values?: readonly string[]; group?: string }): Field {
    if (this.names.has(spec.name)) throw new SchemaError(`duplicate field ${spec.name}`);
    this.names.add(spec.name);
    let width: 1 | 2 = 2;
    let signed = false;
    if (spec.min >= 0 && spec.max <= 255) width = 1;
    else if (spec.min >= -128 && spec.max <= 127) {
      width = 1;
      signed = true;
    }
    const f: Field = { ...spec, offset: this.offset, width, signed };
    this.offset += width;
    this.fields.push(f);
    return f;
  }

  finish(): Schema {
    return new Schema(this.fields.slice(), this.offset);
  }
}

export class SchemaError extends Error {}

export class Schema {
  /** Vector size in bytes, padded to a multiple of 4 (at least 4). */
  readonly size: number;
  readonly words: number;
  readonly byName: ReadonlyMap<string, Field>;

  constructor(
    readonly fields: readonly Field[],
    /** Bytes actually used by fields (before padding). */
    readonly usedBytes: number,
  ) {
    this.size = Math.max(4, (usedBytes + 3) & ~3);
    this.words = this.size >> 2;
    this.byName = new Map(fields.map((f) => [f.name, f]));
  }

  blank(): Uint8Array {
    return new Uint8Array(this.size);
  }

  field(name: string): Field {
    const f = this.byName.get(name);
    if (!f) throw new SchemaError(`no field named ${name}`);
    return f;
  }

  /** The raw integer value of a field. */
  get(s: Uint8Array, f: Field): number {
    if (f.width === 1) return f.signed ? (s[f.offset]! << 24) >> 24 : s[f.offset]!;
    return ((s[f.offset]! | (s[f.offset + 1]! << 8)) << 16) >> 16;
  }

  set(s: Uint8Array, f: Field, v: number): void {
    s[f.offset] = v & 0xff;
    if (f.width === 2) s[f.offset + 1] = (v >> 8) & 0xff;
  }

  /** The displayed value: booleans as true/false, enums by name. */
  value(s: Uint8Array, f: Field): Value {
    const v = this.get(s, f);
    if (f.kind === 'bool') return v !== 0;
    if (f.kind === 'enum') return f.values![v] ?? v;
    return v;
  }

  decode(s: Uint8Array): Record<string, Value> {
    const out: Record<string, Value> = {};
    for (const f of this.fields) out[f.name] = this.value(s, f);
    return out;
  }

  /** Inverse of decode for the given fields; missing fields keep their value in `into`. */
  encode(values: Record<string, Value>, into: Uint8Array = this.blank()): Uint8Array {
    for (const [name, v] of Object.entries(values)) {
      const f = this.field(name);
      let n: number;
      if (typeof v === 'boolean') n = v ? 1 : 0;
      else if (typeof v === 'string') {
        n = f.values ? f.values.indexOf(v) : -1;
        if (n < 0) throw new SchemaError(`field ${name}: unknown value ${v}`);
      } else n = v;
      if (n < f.min || n > f.max) throw new SchemaError(`field ${name}: value ${n} outside ${f.min}..${f.max}`);
      this.set(into, f, n);
    }
    return into;
  }

  /** Fields whose domain is narrower than their storage (the only ones a step can push out of range). */
  narrowFields(): Field[] {
    return this.fields.filter((f) => {
      const full = f.width === 2 ? f.min === -32768 && f.max === 32767 : f.signed ? f.min === -128 && f.max === 127 : f.min === 0 && f.max === 255;
      return !full;
    });
  }

  /**
   * A compiled check of the given fields' domains: returns the index (into `fields`) of the first
   * field outside its domain, or -1. One generated function with constant offsets, for hot loops.
   */
  domainChecker(fields: readonly Field[]): (s: Uint8Array) => number {
    if (fields.length === 0) return () => -1;
    const lines = fields.map((f, i) => {
      const read = f.width === 1 ? (f.signed ? `((s[${f.offset}] << 24) >> 24)` : `s[${f.offset}]`) : `(((s[${f.offset}] | (s[${f.offset + 1}] << 8)) << 16) >> 16)`;
      return `v = ${read}; if (v < ${f.min} || v > ${f.max}) return ${i};`;
    });
    return new Function('s', `let v = 0;\n${lines.join('\n')}\nreturn -1;`) as (s: Uint8Array) => number;
  }

  /** The first field whose value lies outside its domain, or undefined. */
  outOfDomain(s: Uint8Array): { field: Field; value: number } | undefined {
    for (const f of this.fields) {
      const v = this.get(s, f);
      if (v < f.min || v > f.max) return { field: f, value: v };
    }
    return undefined;
  }

  /** Fields that differ between two states, with their new values. */
  diff(a: Uint8Array, b: Uint8Array): Record<string, Value> {
    const out: Record<string, Value> = {};
    for (const f of this.fields) {
      if (this.get(a, f) !== this.get(b, f)) out[f.name] = this.value(b, f);
    }
    return out;
  }
}
