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
 *   lock-order edge); every fact-adding edge of the full graph is then in the reduced one. The
 *   check reads (Property.reads) count as reads of every relevant step. Facts are sets: adding
 *   them commutes, so relevant steps are not made dependent on each other;
 * - `terminal` and deadlock: strong stubborn sets keep every reachable state without enabled
 *   steps (Valmari 1991), so no condition is needed;
 * - `sometimes` (covers): not made visible (the Xen model's covers read program counters, which
 *   would make nearly every step visible); a cover reached is reached in a real state, one not
 *   reached is reported as not decided under reduction.
 */
import { ModelError, type Model, type Property, type Step, type TransitionProperty } from '../model.js';

/** Why a model gets no reduction (shown in the report), or the analysis. */
export type PorBuild = { readonly ok: true; readonly analysis: PorAnalysis } | { readonly ok: false; readonly reason: string };

export class PorAnalysis {
  /** Per step: the steps dependent on it (itself excluded). */
  readonly dep: Int32Array[];
  /** Per step: the steps that may enable it when its process is at its label (writers of its reads). */
  readonly nesGuard: Int32Array[];
  /** Per step: the steps that may move its process to its label (writers of the label's field); null: none known. */
  readonly nesPc: (Int32Array | null)[];
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
  /** Per step: the invariant components (PropertyReads.components) of its process. */
  readonly componentChecks: ((s: Uint8Array) => boolean)[][];
  /** Per step of a guarded group's process (PropertyReads.guarded): the group's pc offset, values, and the bytes of its fields the step writes. */
  readonly guardChecks: { pc: number; values: Uint8Array; bytes: Int32Array }[][];
  /** Per step: the assertion ids it declares (null: undeclared, any). */
  readonly fails: (ReadonlySet<string> | null)[];
  /** Steps with an access declaration. */
  readonly declared: number;

  private constructor(model: Model, fieldIndex: Map<string, number>, nfields: number) {
    const steps = model.steps;
    const n = steps.length;
    const props = model.properties;
    const transition = props.filter((p): p is TransitionProperty => p.kind === 'transition');
    const total = nfields;
    const words = (total + 31) >>> 5;
    const all = new Uint32Array(words).fill(0xffffffff);
    const reads: Uint32Array[] = [];
    const writes: Uint32Array[] = [];
    const set = (b: Uint32Array, k: number): void => void (b[k >>> 5]! |= 1 << (k & 31));
    const bits = (names: readonly string[]): Uint32Array => {
      const b = new Uint32Array(words);
      for (const nm of names) set(b, fieldIndex.get(nm)!);
      return b;
    };
    let declared = 0;
    this.fails = [];
    this.atOffset = new Int32Array(n).fill(-1);
    this.atValue = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const a = steps[i]!.access;
      if (!a) {
        reads.push(all.slice());
        writes.push(all.slice());
        this.fails.push(null);
        continue;
      }
      declared++;
      const r = bits(a.reads);
      const w = bits(a.writes);
      if (a.at) {
        const f = model.schema.byName.get(a.at.field)!;
        this.atOffset[i] = f.offset;
        this.atValue[i] = a.at.value;
        set(r, fieldIndex.get(a.at.field)!);
      }
      reads.push(r);
      writes.push(w);
      this.fails.push(new Set(a.fails ?? []));
    }
    this.declared = declared;
    // transition properties: relevant steps read what the check reads (it is part of their effect)
    this.observers = Array.from({ length: n }, () => []);
    for (const p of transition) {
      const pr = p.reads ? bits(p.reads.fields) : all;
      for (let i = 0; i < n; i++) {
        if (p.relevant && !p.relevant(i)) continue;
        this.observers[i]!.push(p);
        for (let j = 0; j < words; j++) reads[i]![j]! |= pr[j]!;
      }
    }
    // invariants: fields observed whole, fields observed by value; the ghosts are observed
    const observed = new Uint32Array(words);
    const byValue = new Map<number, Uint8Array>();
    for (const p of props) {
      if (p.kind !== 'always') continue;
      const pr = p.reads!;
      for (const nm of pr.fields) set(observed, fieldIndex.get(nm)!);
      for (const [nm, vals] of Object.entries(pr.values ?? {})) {
        const f = fieldIndex.get(nm)!;
        let flags = byValue.get(f);
        if (!flags) byValue.set(f, (flags = new Uint8Array(256)));
        for (const v of vals) flags[v & 0xff] = 1;
      }
    }
    const fields = model.schema.fields;
    this.visibleAlways = new Uint8Array(n);
    this.valueChecks = [];
    this.observedBytes = [];
    for (let i = 0; i < n; i++) {
      const w = writes[i]!;
      this.visibleAlways[i] = steps[i]!.access ? 0 : 1;
      const bytes: number[] = [];
      for (let f = 0; f < nfields; f++) {
        if (!(w[f >>> 5]! & (1 << (f & 31))) || !(observed[f >>> 5]! & (1 << (f & 31)))) continue;
        for (let b = 0; b < fields[f]!.width; b++) bytes.push(fields[f]!.offset + b);
      }
      const checks: { offset: number; values: Uint8Array }[] = [];
      for (const [f, values] of byValue) {
        if (!(w[f >>> 5]! & (1 << (f & 31)))) continue;
        const field = fields[f]!;
        if (field.width !== 1) for (let b = 0; b < 2; b++) bytes.push(field.offset + b);
        else checks.push({ offset: field.offset, values });
      }
      this.observedBytes.push(Int32Array.from(bytes));
      this.valueChecks.push(checks);
    }
    this.componentChecks = Array.from({ length: n }, () => []);
    for (const p of props) {
      if (p.kind !== 'always') continue;
      for (const c of p.reads!.components ?? []) {
        const owners = c.owners.map((nm) => fieldIndex.get(nm)!);
        for (let i = 0; i < n; i++) if (owners.some((k) => writes[i]![k >>> 5]! & (1 << (k & 31)))) this.componentChecks[i]!.push(c.holds.bind(c));
      }
    }
    this.guardChecks = Array.from({ length: n }, () => []);
    for (const p of props) {
      if (p.kind !== 'always') continue;
      for (const g of p.reads!.guarded ?? []) {
        const pcField = model.schema.byName.get(g.pc)!;
        const pcIndex = fieldIndex.get(g.pc)!;
        const values = new Uint8Array(256);
        for (const v of g.values) values[v & 0xff] = 1;
        const gf = g.fields.map((nm) => fieldIndex.get(nm)!);
        for (let i = 0; i < n; i++) {
          const w = writes[i]!;
          // only the process's own steps (they write its pc)
          if (!(w[pcIndex >>> 5]! & (1 << (pcIndex & 31)))) continue;
          const bytes: number[] = [];
          for (const f of gf) if (w[f >>> 5]! & (1 << (f & 31))) for (let b = 0; b < fields[f]!.width; b++) bytes.push(fields[f]!.offset + b);
          if (bytes.length > 0) this.guardChecks[i]!.push({ pc: pcField.offset, values, bytes: Int32Array.from(bytes) });
        }
      }
    }
    // dependency, and the writers of each field
    const writers: number[][] = Array.from({ length: total }, () => []);
    for (let i = 0; i < n; i++) for (let k = 0; k < total; k++) if (writes[i]![k >>> 5]! & (1 << (k & 31))) writers[k]!.push(i);
    this.dep = [];
    for (let i = 0; i < n; i++) {
      const d: number[] = [];
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        if (intersects(writes[i]!, reads[j]!) || intersects(writes[i]!, writes[j]!) || intersects(writes[j]!, reads[i]!)) d.push(j);
      }
      this.dep.push(Int32Array.from(d));
    }
    this.nesGuard = [];
    this.nesPc = [];
    for (let i = 0; i < n; i++) {
      const ws = new Set<number>();
      for (let k = 0; k < total; k++) if (reads[i]![k >>> 5]! & (1 << (k & 31))) for (const j of writers[k]!) if (j !== i) ws.add(j);
      this.nesGuard.push(Int32Array.from([...ws].sort((x, y) => x - y)));
      const at = steps[i]!.access?.at;
      // writers of the label's field that may write the label (a step declaring its next labels
      // on that field writes only those)
      const mayReach = (j: number): boolean => {
        const b = steps[j]!.access?.at;
        return !(b && b.field === at!.field && b.to && !b.to.includes(at!.value));
      };
      this.nesPc.push(at ? Int32Array.from(writers[fieldIndex.get(at.field)!]!.filter((j) => j !== i && mayReach(j))) : null);
    }
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
    const fields = model.schema.fields;
    const fieldIndex = new Map(fields.map((f, i) => [f.name, i]));
    const unknown = unknownField(steps, model.properties, fieldIndex);
    if (unknown) throw new ModelError(`model ${model.name}: ${unknown}`);
    return { ok: true, analysis: new PorAnalysis(model, fieldIndex, fields.length) };
  }

  /**
   * Whether the edge src --i--> dst may change what an invariant reads: it changes a field read
   * whole, or moves a field read as "= v" into or out of such a value. (The step split by what it
   * does to those fields: a step independent of it cannot change which part an edge is in, since
   * it writes neither the field nor anything the step reads.)
   */
  visible(i: number, src: Uint8Array, dst: Uint8Array, failed: boolean): boolean {
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
    for (let k = 0; k < comps.length; k++) if (comps[k]!(src) !== comps[k]!(dst)) return true;
    const guards = this.guardChecks[i]!;
    for (let k = 0; k < guards.length; k++) {
      const g = guards[k]!;
      if (!g.values[src[g.pc]!] && !g.values[dst[g.pc]!]) continue;
      for (let j = 0; j < g.bytes.length; j++) if (src[g.bytes[j]!] !== dst[g.bytes[j]!]) return true;
    }
    return false;
  }
}

function intersects(a: Uint32Array, b: Uint32Array): boolean {
  for (let k = 0; k < a.length; k++) if (a[k]! & b[k]!) return true;
  return false;
}

/** A declaration naming a field the schema does not have (a model bug, reported rather than ignored). */
function unknownField(steps: readonly Step[], props: readonly Property[], fieldIndex: ReadonlyMap<string, number>): string | null {
  const check = (names: readonly string[], where: string): string | null => {
    for (const nm of names) if (!fieldIndex.has(nm)) return `${where} names unknown field ${nm}`;
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

