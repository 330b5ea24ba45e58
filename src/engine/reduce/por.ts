/**
 * Partial-order reduction for safety: the static part. From the accesses each step declares
 * (Step.access) and the fields each property reads (Property.reads) it derives
 * - dependency: two steps are dependent when one writes a field the other reads or writes
 *   (Godefroid, "Partial-Order Methods for the Verification of Concurrent Systems", LNCS 1032,
 *   1996, def. 3.3 by read/write sets); steps of one process both write its program counter, so
 *   they are always dependent; an undeclared step reads and writes every field;
 * - necessary enabling sets: a disabled step whose process is not at the step's label (`at`) can
 *   only be enabled by a step that may write that label (StepAccess.at.to); otherwise by a step
 *   writing something it reads;
 * - visibility: a step is visible when it may change what a property reads.
 *
 * Visibility is decided per edge: a step is split into the edges that change what a property
 * observes and those that do not. The split depends only on what the step reads, which no step
 * independent of it writes, so an independent step never moves an edge from one part to the
 * other — the parts are transitions in their own right (the usual "transition = guarded command"
 * view, refined), and the ample-set conditions hold for them. An undeclared step is visible.
 * How each kind of property stays sound (see stubborn.ts for the search side):
 * - `always`: an edge is visible when it changes a field the property reads (a field read only
 *   as "= v", Property.reads.values: when it leaves or enters one of those values);
 * - `assert` (ctx.fail inside a step): an edge that raises one is visible (the failure is
 *   computed from what the step reads, declared); reduction preserves the visible edges of
 *   every execution, so every assertion that fails somewhere fails in the reduced graph too;
 * - `transition` (the kernel's lock-order graph and irq-usage, which accumulate facts over the
 *   whole search): an edge of a relevant step is visible unless the property says it observes
 *   nothing there (TransitionProperty.observes: a lock taken with nothing else held adds no
 *   lock-order edge, nor one the graph already has); every fact of the full graph is then found
 *   in the reduced one. (Facts only accumulate, so the visible edges only become fewer during
 *   the search; every set chosen earlier, for more visible edges, is still stubborn for fewer, so
 *   the reduced graph as a whole is one for the final visibility, under which every fact not yet
 *   found is still visible: it would have been found.) The check reads (Property.reads, or per
 *   step TransitionProperty.stepReads) count as reads of every relevant step. Facts are sets:
 *   adding them commutes, so relevant steps are not made dependent on each other;
 * - process fields (Model.processFields, FieldIndex): a lock word is split into one part per
 *   process, so "do I hold it?" is independent of the other processes' lock operations;
 * - components (PropertyReads.components): every step that may write what a part reads checks on
 *   its edges whether it flips the part, and those steps are mutually dependent, so no step
 *   independent of one of them can change whether its edge flips the part;
 * - `terminal` and deadlock: strong stubborn sets keep every reachable state without enabled
 *   steps (Valmari 1991), so no condition is needed;
 * - `sometimes` (covers): not made visible (the Xen model's covers read program counters, which
 *   would make nearly every step visible); a cover reached is reached in a real state, one not
 *   reached is reported as not decided under reduction.
 * The tables are built one by one in por-tables.ts.
 */
import { ModelError, type Model, type Property, type Step, type TransitionProperty } from '../model.js';
import { BitSets, componentWriters, dependency, enablingSets, guardedWrites, invariantWrites, labelGroups, labelTables, stepAccesses, transitionObservers, writersOf } from './por-tables.js';

/** One part of an invariant (PropertyReads.components): whether it holds in a state. */
export interface InvariantPart {
  holds(s: Uint8Array): boolean;
}

/** Why a model gets no reduction (shown in the report), or the analysis. */
export type PorBuild = { readonly ok: true; readonly analysis: PorAnalysis } | { readonly ok: false; readonly reason: string };

export class PorAnalysis {
  /** Per step: the steps dependent on it (itself excluded). */
  readonly dep: Int32Array[];
  /** Per step: the steps that may enable it when its process is at its label (writers of its reads). */
  readonly nesGuard: Int32Array[];
  /** Per step: the steps that may move its process to its label (writers of the label's field); null: none known. */
  readonly nesPc: (Int32Array | null)[];
  /**
   * Per step: the steps at each label of its label's field (index: the field's current value), or
   * null. Set when only steps labelled on that field write it (a process's program counter):
   * then, while the field is not at the step's label, the steps at the current value are a
   * necessary enabling set — the first step of any path that moves the field is one of them.
   */
  readonly atCurrent: (Int32Array[] | null)[];
  /**
   * When every step is labelled on a field that only labelled steps write (a program counter per
   * process): the groups (one per such field) and, per step, the groups of the steps dependent on
   * it and of the writers of what it reads. Null otherwise.
   */
  readonly groups: {
    readonly ofStep: Int32Array;
    /** Per group: the byte offset of its field. */
    readonly offset: Int32Array;
    /** Per group: its steps by label value. */
    readonly steps: readonly Int32Array[][];
    readonly dep: Int32Array[];
    readonly nesGuard: Int32Array[];
  } | null;
  /** Per step: byte offset and value of its label (`at`), or -1. */
  readonly atOffset: Int32Array;
  readonly atValue: Int32Array;
  /** Per step: visible on every edge (undeclared). */
  readonly visibleAlways: Uint8Array;
  /** Per step: the transition properties it is relevant to (an edge they observe is visible). */
  readonly observers: TransitionProperty[][];
  /** Per step: byte offsets of the fields invariants read whole that it may write. */
  readonly observedBytes: Int32Array[];
  /** Per step: fields read by properties as "= v" that it writes: offsets, and the values that matter (256 flags each). */
  readonly valueChecks: { offset: number; values: Uint8Array }[][];
  /** The invariant components (PropertyReads.components): whether each part holds (called as a method: no bound function per call). */
  readonly components: readonly InvariantPart[];
  /** Per component: the invariant it is part of (index among the model's `always` properties). */
  readonly componentInvariant: Int32Array;
  /** Per step: the components (indices into `components`) whose reads it may write. */
  readonly componentChecks: Int32Array[];
  /** Per step of a guarded group's process (PropertyReads.guarded): the group's pc offset, values, and the bytes of its fields the step writes. */
  readonly guardChecks: { pc: number; values: Uint8Array; bytes: Int32Array }[][];
  /** Per step: the assertion ids it declares (null: undeclared, any). */
  readonly fails: (ReadonlySet<string> | null)[];
  /** Steps with an access declaration. */
  readonly declared: number;
  /**
   * Every two steps are dependent: then every closure holds every step, and no state can be
   * reduced (BEEM's puzzles: one process, or processes that all touch the same arrays). The
   * search then runs without the reduction, rather than paying for it until its window gives up.
   */
  readonly allDependent: boolean;

  private constructor(model: Model, ix: FieldIndex) {
    const bs = new BitSets(ix);
    const acc = stepAccesses(model, bs);
    const { reads, writes } = acc;
    this.fails = acc.fails;
    this.atOffset = acc.atOffset;
    this.atValue = acc.atValue;
    this.declared = acc.declared;
    this.observers = transitionObservers(model, bs, reads);
    const inv = invariantWrites(model, bs, writes);
    this.visibleAlways = inv.visibleAlways;
    this.observedBytes = inv.observedBytes;
    this.valueChecks = inv.valueChecks;
    const comp = componentWriters(model, bs, writes);
    this.components = comp.components;
    this.componentInvariant = comp.componentInvariant;
    this.componentChecks = comp.componentChecks;
    this.guardChecks = guardedWrites(model, bs, writes);
    const writers = writersOf(bs, writes);
    this.dep = dependency(reads, writes, comp.extraDep);
    this.allDependent = this.dep.every((d) => d.length === model.steps.length - 1);
    const byLabelField = labelTables(model, ix, writers);
    this.atCurrent = model.steps.map((st) => (st.access?.at ? (byLabelField.get(st.access.at.field) ?? null) : null));
    this.groups = labelGroups(model, byLabelField, this.dep);
    const nes = enablingSets(model, bs, reads, writers, this.groups);
    this.nesGuard = nes.nesGuard;
    this.nesPc = nes.nesPc;
  }

  /**
   * The analysis, or why there is none: no step declares its accesses, or an invariant does not
   * say what it reads (every step would be visible).
   */
  static build(model: Model): PorBuild {
    const steps = model.steps;
    if (!steps.some((s) => s.access)) return { ok: false, reason: 'the model declares no step accesses' };
    const undeclared = model.properties.find((p) => p.kind === 'always' && !p.reads);
    if (undeclared) return { ok: false, reason: `property ${undeclared.id} does not declare what it reads` };
    const ix = new FieldIndex(model);
    const unknown = unknownField(steps, model.properties, ix);
    if (unknown) throw new ModelError(`model ${model.name}: ${unknown}`);
    return { ok: true, analysis: new PorAnalysis(model, ix) };
  }

  /**
   * Whether the edge src --i--> dst may change what an invariant reads: it changes a field read
   * whole, or moves a field read as "= v" into or out of such a value. (The step split by what it
   * does to those fields: a step independent of it cannot change which part an edge is in, since
   * it writes neither the field nor anything the step reads.) The components' values in src are
   * taken from (or put in) `at`, the memo of the source state.
   */
  visible(i: number, src: Uint8Array, dst: Uint8Array, failed: boolean, at: SourceMemo): boolean {
    if (this.visibleAlways[i] || failed) return true;
    const obs = this.observers[i]!;
    for (let k = 0; k < obs.length; k++) {
      const p = obs[k]!;
      if (!p.observes || p.observes(src, i, dst)) return true;
    }
    const bytes = this.observedBytes[i]!;
    for (let k = 0; k < bytes.length; k++) if (src[bytes[k]!] !== dst[bytes[k]!]) return true;
    const checks = this.valueChecks[i]!;
    for (let k = 0; k < checks.length; k++) {
      const c = checks[k]!;
      if (src[c.offset] !== dst[c.offset] && (c.values[src[c.offset]!] || c.values[dst[c.offset]!])) return true;
    }
    const comps = this.componentChecks[i]!;
    for (let k = 0; k < comps.length; k++) {
      const c = comps[k]!;
      const part = this.components[c]!;
      if (at.holds(c, part, src) !== part.holds(dst)) return true;
    }
    const guards = this.guardChecks[i]!;
    for (let k = 0; k < guards.length; k++) {
      const g = guards[k]!;
      if (!g.values[src[g.pc]!] && !g.values[dst[g.pc]!]) continue;
      for (let j = 0; j < g.bytes.length; j++) if (src[g.bytes[j]!] !== dst[g.bytes[j]!]) return true;
    }
    return false;
  }
}

/**
 * The values of the invariant components in one source state, each computed when first asked:
 * the edges of a state all start from it (PorAnalysis.visible). `next()` starts a new state.
 *
 * A component of an invariant not found violated so far holds without being computed: the
 * source is a stored state, every stored state was checked (or reached by an invisible edge from
 * one that was: Observer.newState), and an invariant is the conjunction of its components
 * (PropertyReads.components; verifyAccesses checks it on the states it explores).
 */
export class SourceMemo {
  private readonly stamp: Int32Array;
  private readonly value: Uint8Array;
  private gen = 1;

  /**
   * @param invariantOf per component, its invariant's index into `violated`
   * @param violated per invariant, 1 once found violated (Observer.alwaysDone)
   */
  constructor(
    private readonly invariantOf: Int32Array,
    private readonly violated: Uint8Array,
  ) {
    this.stamp = new Int32Array(invariantOf.length);
    this.value = new Uint8Array(invariantOf.length);
  }

  next(): void {
    if (++this.gen === 0x3fffffff) {
      this.stamp.fill(0);
      this.gen = 1;
    }
  }

  holds(c: number, part: InvariantPart, src: Uint8Array): boolean {
    if (this.violated[this.invariantOf[c]!] === 0) return true;
    if (this.stamp[c] === this.gen) return this.value[c] === 1;
    const v = part.holds(src);
    this.stamp[c] = this.gen;
    this.value[c] = v ? 1 : 0;
    return v;
  }
}

/** A declaration naming a field the schema does not have (a model bug, reported rather than ignored). */
function unknownField(steps: readonly Step[], props: readonly Property[], ix: FieldIndex): string | null {
  const check = (names: readonly string[], where: string): string | null => {
    for (const nm of names) if (!ix.knows(nm)) return `${where} names unknown field ${nm}`;
    return null;
  };
  for (const s of steps) {
    const a = s.access;
    if (!a) continue;
    const bad = check(a.reads, `step ${s.id}`) ?? check(a.writes, `step ${s.id}`) ?? (a.at ? check([a.at.field], `step ${s.id}`) : null);
    if (bad) return bad;
  }
  for (const p of props) {
    if (!p.reads) continue;
    const guarded = [...(p.reads.guarded ?? []).flatMap((g) => [g.pc, ...g.fields]), ...(p.reads.components ?? []).flatMap((c) => [...c.owners, ...c.reads])];
    const bad = check(p.reads.fields, `property ${p.id}`) ?? check(Object.keys(p.reads.values ?? {}), `property ${p.id}`) ?? check(guarded, `property ${p.id}`);
    if (bad) return bad;
  }
  return null;
}

/**
 * The dependency analysis's view of the state: one part per schema field, except that a field of
 * Model.processFields is split into one part per process — `F@P`, whether F designates P — and
 * has no other content (a `proc` field's value is the one process it designates, or none; a
 * `proc-mask`'s is the set). A step of process q writing F writes only `F@q` (the model's promise,
 * checked by verifyAccesses); reading F whole reads every part. This is the value-refined
 * dependency of lock words: "do I hold it?" asked by p is independent of q taking or releasing
 * the lock (q moves the owner only between nobody and q), while two acquires of one lock still
 * conflict (each reads the parts the other writes).
 */
export class FieldIndex {
  /** Number of schema fields; bits [0, nfields) are the fields, the process parts follow. */
  readonly nfields: number;
  readonly total: number;
  /** Per schema field: its parts' bits (itself, or one per process). */
  readonly parts: number[][];
  private readonly byName = new Map<string, number>();
  private readonly partByName = new Map<string, number>();

  constructor(model: Model) {
    const fields = model.schema.fields;
    this.nfields = fields.length;
    let next = fields.length;
    const pf = model.processFields ?? {};
    this.parts = fields.map((f, i) => {
      this.byName.set(f.name, i);
      if (!pf[f.name]) return [i];
      return model.processes.map((p) => {
        this.partByName.set(`${f.name}@${p}`, next);
        return next++;
      });
    });
    this.total = next;
  }

  knows(name: string): boolean {
    return this.byName.has(name) || this.partByName.has(name);
  }
  /** The schema field a declared name is about. */
  fieldOf(name: string): number {
    const at = this.partByName.has(name) ? name.lastIndexOf('@') : -1;
    return this.byName.get(at >= 0 ? name.slice(0, at) : name)!;
  }
  readBits(name: string): readonly number[] {
    const part = this.partByName.get(name);
    return part !== undefined ? [part] : this.parts[this.byName.get(name)!]!;
  }
  /** What a step of process `proc` (index; -1 unknown) writes when it declares writing `name`. */
  writeBits(name: string, proc: number): readonly number[] {
    const part = this.partByName.get(name);
    if (part !== undefined) return [part];
    const ps = this.parts[this.byName.get(name)!]!;
    return ps.length > 1 && proc >= 0 ? [ps[proc]!] : ps;
  }
}

