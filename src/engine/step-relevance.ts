/**
 * Which state properties a step can change (Observer.newState on a state reached by that step).
 *
 * The argument: a search checks every state it stores, so when a new state t is reached from a
 * stored state s by step i, every invariant not found violated yet held in s (had it failed there
 * it would have been recorded), and every cover not reached yet was false in s. A property whose
 * declared reads (Property.reads) step i's declared writes (Step.access.writes) do not touch
 * reads the same bytes in t as in s, so it has the same value: the invariant still holds, the
 * cover is still false, and neither needs evaluating. (By induction over the search order the
 * same holds for states whose check was itself skipped this way; initial states, and states
 * stored without a step, are checked whole.) An invariant that is a conjunction of components
 * (PropertyReads.components) and declares nothing else that the step writes changes only through
 * the components whose reads the step writes: those are asked, and only if one fails is the
 * whole invariant evaluated (it decides, and its message is the one recorded).
 *
 * Premises — each is what partial-order reduction already trusts, and what verifyAccesses
 * (reduce/verify.ts) checks on the states it explores, and the step-relevance tests compare with
 * full evaluation on every edge: the steps' writes and the properties' reads are declared
 * truthfully; a step of process q changes a process field F (Model.processFields) only as to
 * whether it designates q, so `F@P` is untouched by the other processes' steps; an invariant with
 * components is their conjunction. An undeclared step writes everything, and a property without
 * reads reads everything: they are always evaluated.
 *
 * Not for symmetry with image checks: there every image of the new state is checked, and the
 * images' edges were not looked at (Observer keeps the whole check then). Under symmetry with
 * invariant properties, the state checked is the canonical image of the step's successor, whose
 * processes may have been permuted: a whole property keeps its value under the permutation, but a
 * component does not (the stepping process's component may now sit at another process's place),
 * so there (`components` false) an invariant a step touches is checked whole.
 */
import type { Model, Property, PropertyReads } from './model.js';
import { FieldIndex } from './reduce/por.js';

type Holds = (s: Uint8Array) => boolean;

/** An invariant a step can change, and how to check it on the step's successors. */
export interface RelevantInvariant {
  /** Index among the model's `always` properties (Observer.always). */
  readonly prop: number;
  /** The components whose reads the step writes (the others still hold), or null: the whole check. */
  readonly parts: readonly Holds[] | null;
}

export class StepRelevance {
  private constructor(
    /** Per step: the invariants it can change. */
    readonly invariants: readonly (readonly RelevantInvariant[])[],
    /** Per step: the covers (indices among the `sometimes` properties) it can change. */
    readonly covers: readonly Int32Array[],
    /** The same as flags: at step * (number of covers) + cover, 1 when the step can change the cover. */
    readonly coverFlags: Uint8Array,
  ) {}

  /**
   * The tables for `model`, whose `always` and `sometimes` properties (in model order) are
   * `always` and `sometimes`; null when no step declares its accesses (nothing can be skipped).
   */
  static build(model: Model, always: readonly Property[], sometimes: readonly Property[], components = true): StepRelevance | null {
    if (!model.steps.some((st) => st.access)) return null;
    const ix = new FieldIndex(model);
    const bits = new BitNames(ix);
    const writes = model.steps.map((st) => (st.access ? bits.writes(st.access.writes, model.processes.indexOf(st.process)) : null));
    // what each property reads, once (bit sets; null: everything)
    const invReads = always.map((p) => invariantReads(p.reads, bits));
    const coverReads = sometimes.map((p) => (p.reads ? bits.reads(allReads(p.reads)) : null));
    const invariants = writes.map((w) => invReads.flatMap((r, k) => relevantInvariant(r, k, w, components)));
    const covers = writes.map((w) => Int32Array.from(coverReads.flatMap((r, k) => (mayChange(w, r) ? [k] : []))));
    const flags = new Uint8Array(model.steps.length * sometimes.length);
    covers.forEach((list, i) => list.forEach((c) => (flags[i * sometimes.length + c] = 1)));
    return new StepRelevance(invariants, covers, flags);
  }
}

/** Whether a step writing `w` (null: everything) may change something read as `r` (null: everything). */
function mayChange(w: Uint32Array | null, r: Uint32Array | null): boolean {
  if (w === null || r === null) return true;
  for (let k = 0; k < w.length; k++) if ((w[k]! & r[k]!) !== 0) return true;
  return false;
}

/** An invariant's reads as bit sets: besides its components (`rest`), and per component; null: undeclared. */
interface InvariantReads {
  readonly rest: Uint32Array | null;
  readonly parts: readonly { readonly reads: Uint32Array | null; readonly holds: Holds }[];
  /** It reads nothing but its components (they decide it). */
  readonly only: boolean;
}

function invariantReads(reads: PropertyReads | undefined, bits: BitNames): InvariantReads | null {
  if (reads === undefined) return null;
  return {
    rest: bits.reads(allReads({ ...reads, components: [] })),
    parts: (reads.components ?? []).map((c) => ({ reads: bits.reads([...c.owners, ...c.reads]), holds: c.holds.bind(c) })),
    only: reads.fields.length === 0 && Object.keys(reads.values ?? {}).length === 0 && (reads.guarded ?? []).length === 0,
  };
}

/**
 * Invariant k (reads `r`) as a step writing `w` can change it: nothing ([]), some components, or
 * whole (always whole when `components` is false).
 */
function relevantInvariant(r: InvariantReads | null, k: number, w: Uint32Array | null, components: boolean): RelevantInvariant[] {
  if (r === null || w === null) return [{ prop: k, parts: null }];
  // what the invariant reads besides its components: a write there means the whole check
  if (mayChange(w, r.rest)) return [{ prop: k, parts: null }];
  const touched = r.parts.filter((c) => mayChange(w, c.reads));
  if (touched.length === 0) return [];
  // the components decide only for an invariant that reads nothing else (verifyAccesses checks
  // that such an invariant is their conjunction both ways: `conjunctions`)
  return [{ prop: k, parts: !components || touched.length === r.parts.length || !r.only ? null : touched.map((c) => c.holds) }];
}

/** Every name a property declares reading (fields, value-compared fields, guarded groups, components). */
function allReads(r: PropertyReads): string[] {
  return [...r.fields, ...Object.keys(r.values ?? {}), ...(r.guarded ?? []).flatMap((g) => [g.pc, ...g.fields]), ...(r.components ?? []).flatMap((c) => [...c.owners, ...c.reads])];
}

/** Bit sets over a FieldIndex's parts; a name the model does not have yields null (everything). */
class BitNames {
  private readonly words: number;
  constructor(private readonly ix: FieldIndex) {
    this.words = (ix.total + 31) >>> 5;
  }

  /** Read bits of declared names (a process field read whole: every process's part), or null for an unknown name. */
  reads(names: readonly string[]): Uint32Array | null {
    return this.collect(names, (nm) => this.ix.readBits(nm));
  }

  /** Write bits of a step of process `proc` (a process field: only its own part), or null for an unknown name. */
  writes(names: readonly string[], proc: number): Uint32Array | null {
    return this.collect(names, (nm) => this.ix.writeBits(nm, proc));
  }

  private collect(names: readonly string[], partsOf: (nm: string) => readonly number[]): Uint32Array | null {
    const b = new Uint32Array(this.words);
    for (const nm of names) {
      if (!this.ix.knows(nm)) return null;
      for (const k of partsOf(nm)) b[k >>> 5]! |= 1 << (k & 31);
    }
    return b;
  }
}
