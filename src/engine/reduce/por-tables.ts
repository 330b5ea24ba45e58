/**
 * The tables of PorAnalysis (por.ts), one builder per table, over bit sets of the analysis's
 * fields and process parts (FieldIndex): what each step reads and writes, what makes its edges
 * visible (invariants read whole or by value, components, guarded groups, transition properties),
 * which steps depend on which, and the necessary enabling sets. por.ts explains why each is sound.
 */
import type { Model, TransitionProperty } from '../model.js';
import type { FieldIndex, InvariantPart, PorAnalysis } from './por.js';

/** Bit sets over the fields and process parts of a FieldIndex. */
export class BitSets {
  readonly words: number;
  /** Every bit: an undeclared step reads and writes everything. */
  readonly all: Uint32Array;

  constructor(readonly ix: FieldIndex) {
    this.words = (ix.total + 31) >>> 5;
    this.all = new Uint32Array(this.words).fill(0xffffffff);
  }

  set(b: Uint32Array, k: number): void {
    b[k >>> 5]! |= 1 << (k & 31);
  }

  has(b: Uint32Array, k: number): boolean {
    return (b[k >>> 5]! & (1 << (k & 31))) !== 0;
  }

  /** Read bits of declared names (a process field read whole: every process's part). */
  reads(names: readonly string[]): Uint32Array {
    const b = new Uint32Array(this.words);
    for (const nm of names) for (const k of this.ix.readBits(nm)) this.set(b, k);
    return b;
  }

  /** Write bits of a step of process `proc` (a process field: only its own part). */
  writes(names: readonly string[], proc: number): Uint32Array {
    const b = new Uint32Array(this.words);
    for (const nm of names) for (const k of this.ix.writeBits(nm, proc)) this.set(b, k);
    return b;
  }

  /** Whether bit set b touches real field f (any of its parts). */
  touches(b: Uint32Array, f: number): boolean {
    return this.ix.parts[f]!.some((k) => this.has(b, k));
  }
}

export function intersects(a: Uint32Array, b: Uint32Array): boolean {
  for (let k = 0; k < a.length; k++) if (a[k]! & b[k]!) return true;
  return false;
}

/** Per step: its declared reads (with its label's field) and writes, assertions, label. */
export function stepAccesses(model: Model, bs: BitSets): {
  reads: Uint32Array[];
  writes: Uint32Array[];
} & Pick<PorAnalysis, 'fails' | 'atOffset' | 'atValue' | 'declared'> {
  const steps = model.steps;
  const n = steps.length;
  const reads: Uint32Array[] = [];
  const writes: Uint32Array[] = [];
  const fails: (ReadonlySet<string> | null)[] = [];
  const atOffset = new Int32Array(n).fill(-1);
  const atValue = new Int32Array(n);
  let declared = 0;
  for (let i = 0; i < n; i++) {
    const a = steps[i]!.access;
    if (!a) {
      reads.push(bs.all.slice());
      writes.push(bs.all.slice());
      fails.push(null);
      continue;
    }
    declared++;
    const r = bs.reads(a.reads);
    const w = bs.writes(a.writes, model.processes.indexOf(steps[i]!.process));
    if (a.at) {
      const f = model.schema.byName.get(a.at.field)!;
      atOffset[i] = f.offset;
      atValue[i] = a.at.value;
      for (const k of bs.ix.readBits(a.at.field)) bs.set(r, k);
    }
    reads.push(r);
    writes.push(w);
    fails.push(new Set(a.fails ?? []));
  }
  return { reads, writes, fails, atOffset, atValue, declared };
}

/**
 * Per step: the transition properties relevant to it. Their reads on its edges are added to the
 * step's reads (the check is part of its effect).
 */
export function transitionObservers(model: Model, bs: BitSets, reads: Uint32Array[]): TransitionProperty[][] {
  const n = model.steps.length;
  const observers: TransitionProperty[][] = Array.from({ length: n }, () => []);
  for (const p of model.properties) {
    if (p.kind !== 'transition') continue;
    const pr = p.reads ? bs.reads(p.reads.fields) : bs.all;
    for (let i = 0; i < n; i++) {
      if (p.relevant && !p.relevant(i)) continue;
      observers[i]!.push(p);
      const ri = p.reads && p.stepReads ? bs.reads(p.stepReads(i)) : pr;
      for (let j = 0; j < bs.words; j++) reads[i]![j]! |= ri[j]!;
    }
  }
  return observers;
}

/** Per step: the invariants' fields it may change, read whole (bytes) or as "= v" (value checks). */
export function invariantWrites(model: Model, bs: BitSets, writes: readonly Uint32Array[]): Pick<PorAnalysis, 'visibleAlways' | 'observedBytes' | 'valueChecks'> {
  const ix = bs.ix;
  const steps = model.steps;
  const n = steps.length;
  const observed = new Uint8Array(ix.nfields);
  const byValue = new Map<number, Uint8Array>();
  for (const p of model.properties) {
    if (p.kind !== 'always') continue;
    const pr = p.reads!;
    for (const nm of pr.fields) observed[ix.fieldOf(nm)] = 1;
    for (const [nm, vals] of Object.entries(pr.values ?? {})) {
      const f = ix.fieldOf(nm);
      let flags = byValue.get(f);
      if (!flags) byValue.set(f, (flags = new Uint8Array(256)));
      for (const v of vals) flags[v & 0xff] = 1;
    }
  }
  const fields = model.schema.fields;
  const visibleAlways = new Uint8Array(n);
  const valueChecks: { offset: number; values: Uint8Array }[][] = [];
  const observedBytes: Int32Array[] = [];
  for (let i = 0; i < n; i++) {
    const w = writes[i]!;
    visibleAlways[i] = steps[i]!.access ? 0 : 1;
    const bytes: number[] = [];
    for (let f = 0; f < ix.nfields; f++) {
      if (!observed[f] || !bs.touches(w, f)) continue;
      for (let b = 0; b < fields[f]!.width; b++) bytes.push(fields[f]!.offset + b);
    }
    const checks: { offset: number; values: Uint8Array }[] = [];
    for (const [f, values] of byValue) {
      if (!bs.touches(w, f)) continue;
      const field = fields[f]!;
      if (field.width !== 1) for (let b = 0; b < 2; b++) bytes.push(field.offset + b);
      else checks.push({ offset: field.offset, values });
    }
    observedBytes.push(Int32Array.from(bytes));
    valueChecks.push(checks);
  }
  return { visibleAlways, observedBytes, valueChecks };
}

/**
 * Invariant components: every step that may write what a part reads (its owners' pcs, its fields)
 * checks the part on its edges; and those steps are made dependent on each other (`extraDep`),
 * so that whether one of them flips the part cannot be changed by a step independent of it.
 * The parts are numbered (`components`); per step, the numbers of those it checks.
 */
export function componentWriters(model: Model, bs: BitSets, writes: readonly Uint32Array[]): Pick<PorAnalysis, 'components' | 'componentInvariant' | 'componentChecks'> & { extraDep: Uint32Array[] } {
  const n = model.steps.length;
  const components: InvariantPart[] = [];
  const invariant: number[] = [];
  let k = -1;
  const checks: number[][] = Array.from({ length: n }, () => []);
  // per step, a bit set over the steps
  const extraDep: Uint32Array[] = Array.from({ length: n }, () => new Uint32Array((n + 31) >>> 5));
  for (const p of model.properties) {
    if (p.kind !== 'always') continue;
    k++;
    for (const c of p.reads!.components ?? []) {
      const cb = bs.reads([...c.owners, ...c.reads]);
      const writers: number[] = [];
      const writerBits = new Uint32Array((n + 31) >>> 5);
      for (let i = 0; i < n; i++) {
        if (!intersects(writes[i]!, cb)) continue;
        writers.push(i);
        writerBits[i >>> 5]! |= 1 << (i & 31);
      }
      const id = components.length;
      components.push(c);
      invariant.push(k);
      for (const i of writers) {
        checks[i]!.push(id);
        const d = extraDep[i]!;
        for (let k = 0; k < d.length; k++) d[k]! |= writerBits[k]!;
      }
    }
  }
  return { components, componentInvariant: Int32Array.from(invariant), componentChecks: checks.map((c) => Int32Array.from(c)), extraDep };
}

/** Per step of a guarded group's process (PropertyReads.guarded): the pc, its values, the group's bytes it writes. */
export function guardedWrites(model: Model, bs: BitSets, writes: readonly Uint32Array[]): PorAnalysis['guardChecks'] {
  const ix = bs.ix;
  const n = model.steps.length;
  const fields = model.schema.fields;
  const guardChecks: { pc: number; values: Uint8Array; bytes: Int32Array }[][] = Array.from({ length: n }, () => []);
  for (const p of model.properties) {
    if (p.kind !== 'always') continue;
    for (const g of p.reads!.guarded ?? []) {
      const pcField = model.schema.byName.get(g.pc)!;
      const pcIndex = ix.fieldOf(g.pc);
      const values = new Uint8Array(256);
      for (const v of g.values) values[v & 0xff] = 1;
      const gf = g.fields.map((nm) => ix.fieldOf(nm));
      for (let i = 0; i < n; i++) {
        const w = writes[i]!;
        // only the process's own steps (they write its pc)
        if (!bs.touches(w, pcIndex)) continue;
        const bytes: number[] = [];
        for (const f of gf) if (bs.touches(w, f)) for (let b = 0; b < fields[f]!.width; b++) bytes.push(fields[f]!.offset + b);
        if (bytes.length > 0) guardChecks[i]!.push({ pc: pcField.offset, values, bytes: Int32Array.from(bytes) });
      }
    }
  }
  return guardChecks;
}

/** Per field part: the steps that may write it. */
export function writersOf(bs: BitSets, writes: readonly Uint32Array[]): number[][] {
  const writers: number[][] = Array.from({ length: bs.ix.total }, () => []);
  for (let i = 0; i < writes.length; i++) for (let k = 0; k < bs.ix.total; k++) if (bs.has(writes[i]!, k)) writers[k]!.push(i);
  return writers;
}

/** Per step: the steps dependent on it (one writes what the other reads or writes, or `extraDep`: a bit set over the steps). */
export function dependency(reads: readonly Uint32Array[], writes: readonly Uint32Array[], extraDep: readonly Uint32Array[]): Int32Array[] {
  const n = reads.length;
  const dep: Int32Array[] = [];
  for (let i = 0; i < n; i++) {
    const d: number[] = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      if ((extraDep[i]![j >>> 5]! & (1 << (j & 31))) !== 0 || intersects(writes[i]!, reads[j]!) || intersects(writes[i]!, writes[j]!) || intersects(writes[j]!, reads[i]!)) d.push(j);
    }
    dep.push(Int32Array.from(d));
  }
  return dep;
}

/** The label fields written only by steps labelled on them, and their steps per label value. */
export function labelTables(model: Model, ix: FieldIndex, writers: readonly number[][]): Map<string, Int32Array[]> {
  const steps = model.steps;
  const byLabelField = new Map<string, Int32Array[]>();
  const labelled = new Map<string, Set<number>>();
  for (let i = 0; i < steps.length; i++) {
    const at = steps[i]!.access?.at;
    if (at) {
      let set = labelled.get(at.field);
      if (!set) labelled.set(at.field, (set = new Set()));
      set.add(i);
    }
  }
  for (const [field, set] of labelled) {
    const ws = new Set(ix.readBits(field).flatMap((k) => writers[k]!));
    if (![...ws].every((j) => set.has(j))) continue;
    const table: number[][] = Array.from({ length: 256 }, () => []);
    for (const i of set) table[steps[i]!.access!.at!.value & 0xff]!.push(i);
    byLabelField.set(field, table.map((t) => Int32Array.from(t)));
  }
  return byLabelField;
}

type Groups = NonNullable<PorAnalysis['groups']>;

/**
 * Groups: the label fields that only their labelled steps write; when every step belongs to one,
 * the closure can work on groups (see StubbornSets.closureByGroup). Their enabling sets are
 * filled in by enablingSets().
 */
export function labelGroups(model: Model, byLabelField: ReadonlyMap<string, Int32Array[]>, dep: readonly Int32Array[]): Groups | null {
  const steps = model.steps;
  const groupFields = [...byLabelField.keys()];
  const groupNo = new Map(groupFields.map((f, g) => [f, g]));
  const groupOfStep = steps.map((st) => (st.access?.at && groupNo.has(st.access.at.field) ? groupNo.get(st.access.at.field)! : -1));
  if (steps.length === 0 || !groupOfStep.every((g) => g >= 0)) return null;
  const ofStep = Int32Array.from(groupOfStep);
  const groupsOf = new GroupsOf(ofStep, groupFields.length);
  return {
    ofStep,
    offset: Int32Array.from(groupFields.map((f) => model.schema.byName.get(f)!.offset)),
    steps: groupFields.map((f) => byLabelField.get(f)!),
    // the step's own group is always included (its siblings at its label write the same pc)
    dep: steps.map((_, i) => groupsOf.of(dep[i]!, i)),
    nesGuard: [],
  };
}

/** The groups of a list of steps, increasing, each once (a mark per group, no sort). */
class GroupsOf {
  private readonly mark: Uint8Array;
  constructor(
    private readonly ofStep: Int32Array,
    groups: number,
  ) {
    this.mark = new Uint8Array(groups);
  }
  /** The groups of `list` (and of step `also`, when not -1). */
  of(list: Int32Array, also = -1): Int32Array {
    const mark = this.mark;
    let n = 0;
    const note = (g: number): void => {
      if (mark[g] === 0) {
        mark[g] = 1;
        n++;
      }
    };
    if (also >= 0) note(this.ofStep[also]!);
    for (let k = 0; k < list.length; k++) note(this.ofStep[list[k]!]!);
    const out = new Int32Array(n);
    for (let g = 0, j = 0; j < n; g++) {
      if (mark[g] === 1) {
        out[j++] = g;
        mark[g] = 0;
      }
    }
    return out;
  }
}

/**
 * Per step: the writers of what it reads (enabling it at its label), and the writers of its
 * label's field that may write the label (moving its process there); the groups' enabling sets.
 */
export function enablingSets(model: Model, bs: BitSets, reads: readonly Uint32Array[], writers: readonly number[][], groups: Groups | null): Pick<PorAnalysis, 'nesGuard' | 'nesPc'> {
  const steps = model.steps;
  const n = steps.length;
  const sw = (n + 31) >>> 5;
  // per field part: its writers as a bit set over the steps
  const writerBits = writers.map((ws) => {
    const b = new Uint32Array(sw);
    for (const j of ws) b[j >>> 5]! |= 1 << (j & 31);
    return b;
  });
  const nesGuard: Int32Array[] = [];
  const nesPc: (Int32Array | null)[] = [];
  const ws = new Uint32Array(sw);
  const groupsOf = groups ? new GroupsOf(groups.ofStep, groups.offset.length) : null;
  // per label field: the steps that may write it, increasing
  const byField = new Map<string, number[]>();
  const fieldWriters = (field: string): number[] => {
    let list = byField.get(field);
    if (!list) byField.set(field, (list = [...new Set(bs.ix.readBits(field).flatMap((k) => writers[k]!))].sort((x, y) => x - y)));
    return list;
  };
  for (let i = 0; i < n; i++) {
    ws.fill(0);
    // the writers of each part step i reads (its read bits, lowest first; an undeclared step reads
    // BitSets.all, whose last word also sets bits past the last part: they have no writers)
    const r = reads[i]!;
    for (let w = 0; w < r.length; w++) {
      for (let bits = r[w]!; bits !== 0; bits &= bits - 1) {
        const wb = writerBits[(w << 5) + 31 - Math.clz32(bits & -bits)];
        if (wb !== undefined) for (let x = 0; x < sw; x++) ws[x]! |= wb[x]!;
      }
    }
    ws[i >>> 5]! &= ~(1 << (i & 31));
    const guardWriters = stepsOf(ws, n);
    nesGuard.push(guardWriters);
    const at = steps[i]!.access?.at;
    // writers of the label's field that may write the label (a step declaring its next labels
    // on that field writes only those)
    const mayReach = (j: number): boolean => {
      const b = steps[j]!.access?.at;
      return !(b && b.field === at!.field && b.to && !b.to.includes(at!.value));
    };
    if (groups) groups.nesGuard.push(groupsOf!.of(guardWriters));
    nesPc.push(at ? Int32Array.from(fieldWriters(at.field).filter((j) => j !== i && mayReach(j))) : null);
  }
  return { nesGuard, nesPc };
}

/** The members of a bit set over n steps, increasing. */
function stepsOf(b: Uint32Array, n: number): Int32Array {
  const out: number[] = [];
  for (let j = 0; j < n; j++) if ((b[j >>> 5]! & (1 << (j & 31))) !== 0) out.push(j);
  return Int32Array.from(out);
}
