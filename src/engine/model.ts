/**
 * The model form every checker input is turned into: a state layout, initial states, guarded
 * steps that work in place on a scratch state, and properties.
 *
 * Example (a counter that may wrap, with an invariant that fails at 3):
 *   const L = new Layout(); const x = L.int('x', 0, 3); const schema = L.finish();
 *   const model: Model = {
 *     name: 'counter', schema, processes: ['P'],
 *     init: () => [schema.blank()],
 *     steps: [{ id: 'inc', process: 'P', source: { file: 'c.c', func: 'inc', line: 'x++' },
 *               guard: (s) => s[x.offset]! < 3, apply: (s) => { s[x.offset]!++; } }],
 *     properties: [{ kind: 'always', id: 'x-small', description: 'x < 3', check: (s) => s[x.offset]! < 3 }],
 *   };
 */
import type { Schema, Value } from './schema.js';

export interface SourceRef {
  /** e.g. `arch/x86/kvm/xen.c` (free text for non-kernel models). */
  readonly file: string;
  /** e.g. `kvm_xen_start_timer`. */
  readonly func: string;
  /** The C (or DVE) line the step models, verbatim. */
  readonly line: string;
}

/** Handed to every step effect; reused across transitions (no allocation). */
export interface StepCtx {
  /** Report that an assertion-type property (WARN_ON_ONCE, a kernel rule) failed on this transition. */
  fail(propertyId: string, message?: string): void;
}

export interface Step {
  /** Unique, named after the code: `start_timer.cancel_old`. */
  readonly id: string;
  /** The process (thread / interrupt / actor) that takes the step. */
  readonly process: string;
  readonly source: SourceRef;
  /** True when enabled in state `s` (must not modify `s`). */
  guard(s: Uint8Array): boolean;
  /**
   * Turn the scratch copy `s` of the source state into the successor, in place.
   * Returning `false` drops the transition (it is then neither counted nor explored).
   */
  apply(s: Uint8Array, ctx: StepCtx): void | boolean;
  /**
   * The state fields the step may touch (partial-order reduction). Without it the step counts as
   * reading and writing every field: it is dependent on every other step, and visible.
   */
  readonly access?: StepAccess;
}

/**
 * What a step may read (in its guard or its effect) and write, by field name, over every state
 * it can be taken from; and the assertions it may raise with ctx.fail. Over-approximations are
 * sound (they only cost reduction); an omission makes partial-order reduction unsound. Two steps
 * of different processes are independent when neither writes what the other reads or writes.
 */
export interface StepAccess {
  readonly reads: readonly string[];
  /**
   * A field of Model.processFields written by a step of process q counts as a write of whether
   * it designates q (`F@q`) and of the field's other contents, never of `F@p` for another p.
   */
  readonly writes: readonly string[];
  /** Property ids the step may raise (ctx.fail); default none. */
  readonly fails?: readonly string[];
  /**
   * A necessary condition of the guard: `field` = `value` (the process's program counter at the
   * step's label). While it does not hold, only a step writing `field` can enable the step.
   * `to`: every value the step may leave in `field` (its next labels), when known.
   */
  readonly at?: { readonly field: string; readonly value: number; readonly to?: readonly number[] };
}

/**
 * The fields a property reads (partial-order reduction: a step that may change one is visible).
 * `fields` are read whole; `values` lists fields only compared for equality against the values
 * given (program counters: "pc = L"), so only a step that may leave or enter one of them is
 * visible for that field.
 */
export interface PropertyReads {
  readonly fields: readonly string[];
  readonly values?: Readonly<Record<string, readonly number[]>>;
  /**
   * Fields that matter only while a process is at one of some labels, and whose meaning for that
   * process only its own steps change (lock words: "held by p" changes only by p's lock and
   * unlock — another process unlocking p's lock raises an assertion, which is visible anyway).
   * A step of that process is visible when it changes one of `fields` while at, or moving from
   * or to, one of `values` of `pc`; a step of another process is not visible for them.
   */
  readonly guarded?: readonly { readonly pc: string; readonly values: readonly number[]; readonly fields: readonly string[] }[];
  /**
   * An invariant that is a conjunction of parts each of which only some processes can change
   * (their pcs, the locks they hold, their interrupt state, fields only they write): per part, the
   * pc fields of those processes (`owners`), the part `holds`, and the fields it reads. A step of
   * an owner is visible when it changes `holds`; no other step changes it.
   */
  readonly components?: readonly { readonly owners: readonly string[]; readonly reads: readonly string[]; holds(s: Uint8Array): boolean }[];
}

interface PropertyBase {
  readonly id: string;
  readonly description: string;
  /** The C lines the property concerns. */
  readonly source?: readonly SourceRef[];
  /**
   * The fields `check` reads (partial-order reduction; for a transition property, of the states
   * before and after the step). Undeclared: every field. For invariants and covers the search
   * also uses them without reduction: a state reached by a step that writes none of them is not
   * checked again (engine/step-relevance.ts).
   */
  readonly reads?: PropertyReads;
}

export interface AlwaysProperty extends PropertyBase {
  readonly kind: 'always';
  check(s: Uint8Array): boolean;
}
export interface TransitionProperty extends PropertyBase {
  readonly kind: 'transition';
  /** `step` is the index into Model.steps. May keep state of its own across calls (e.g. a lock-order graph). */
  check(before: Uint8Array, step: number, after: Uint8Array): boolean | string;
  /**
   * Only steps for which this returns true can violate the property (e.g. only steps that take a
   * lock matter to a lock-order graph). Lets a parallel search skip the other edges. Default: all.
   */
  relevant?(step: number): boolean;
  /**
   * Partial-order reduction: the fields `check` and `observes` read on edges of this (relevant)
   * step, when fewer than `reads.fields` (a lock-order check asks only what the stepping process
   * holds). Default: `reads.fields`.
   */
  stepReads?(step: number): readonly string[];
  /**
   * Partial-order reduction: false when the edge cannot add to what the property learns or
   * report (a lock taken while holding nothing adds no lock-order edge), or adds only what it has
   * already learned — knowledge that only grows makes fewer edges visible over time, and a stubborn
   * set chosen for more visible edges is still one for fewer. Reads only `reads` fields (of the
   * states). Default: every relevant edge counts.
   */
  observes?(before: Uint8Array, step: number, after: Uint8Array): boolean;
  /**
   * For a property that accumulates knowledge across the exploration (a lock-order graph): the
   * knowledge gathered so far, as JSON data. Shards of one search export it; `judge` decides from
   * the union what no single shard saw.
   */
  facts?(): unknown;
  /**
   * Checkpoints: learn `facts` (what facts() returned in an earlier run of the same model) as if
   * the edges that taught them had been seen, in the same order. A property with facts() but no
   * restoreFacts() cannot be checkpointed.
   */
  restoreFacts?(facts: unknown): void;
  /**
   * For a property that accumulates knowledge: forget it, as in a new copy of the model (random
   * simulation starts every walk afresh this way instead of rebuilding the model).
   */
  reset?(): void;
  /** Given the facts of several partial searches of one model: true, or a violation message. */
  judge?(facts: readonly unknown[]): true | string;
}
export interface TerminalProperty extends PropertyBase {
  readonly kind: 'terminal';
  /** Checked on states with no enabled step. */
  check(s: Uint8Array): boolean;
}
export interface SometimesProperty extends PropertyBase {
  readonly kind: 'sometimes';
  /** Must hold in at least one reachable state; never reached is reported (a finding, not a violation). */
  check(s: Uint8Array): boolean;
  /**
   * Make a complete search that never reaches this state a violation (exit 1), as
   * ExploreOptions.failOnUnreachedCover does for every cover. Default: an unreached cover is
   * reported as a finding and the run passes when every safety property holds.
   */
  readonly failIfUnreached?: boolean;
}
export interface AssertProperty extends PropertyBase {
  /** Raised from inside a step with ctx.fail(id). */
  readonly kind: 'assert';
}

export type Property = AlwaysProperty | TransitionProperty | TerminalProperty | SometimesProperty | AssertProperty;
export type PropertyKind = Property['kind'] | 'deadlock';

/**
 * Transitions a model's own rules took away while the search ran: how often step `step` met an
 * evaluation error (DVE: an index out of bounds or a division by zero in a guard disables the
 * transition; in an effect, or an out-of-range assignment, drops it). The verdict depends on
 * those rules, so reports list them.
 */
export interface DroppedTransitions {
  readonly step: string;
  readonly source: SourceRef;
  /** `guard`: disabled by an error in its guard; `effect`: an error in its effect; `range`: an assignment out of range. */
  readonly kind: 'guard' | 'effect' | 'range';
  readonly count: number;
}

export interface Model {
  readonly name: string;
  readonly schema: Schema;
  /** Process names in display order (columns of a race diagram). */
  readonly processes: readonly string[];
  init(): Uint8Array[];
  readonly steps: readonly Step[];
  readonly properties: readonly Property[];
  /** Evaluation errors met so far by this model's successor generator (counts since it was built). */
  droppedTransitions?(): readonly DroppedTransitions[];
  /** The counters behind droppedTransitions (checkpoints save them and put them back). */
  readonly dropCounts?: Int32Array;
  /** A state with no enabled step that is a proper end (not a deadlock). Default: none is. */
  validEnd?(s: Uint8Array): boolean;
  /** Explain a deadlocked state (who waits for what, the lock chain). Default: the control states. */
  describeDeadlock?(s: Uint8Array): string;
  /**
   * Optional compiled successor generator, equivalent to looping over `steps` in order:
   * for each enabled step i, write its successor into `dst` and call `emit(i)`;
   * stop as soon as `emit` returns false.
   */
  expand?(src: Uint8Array, dst: Uint8Array, ctx: StepCtx, emit: (step: number) => boolean): void;
  /**
   * Optional, with a compiled `expand`: run every path of expand's code a few times, whatever the
   * guards say, calling `emit` (whose answers, and whatever it is given, the caller must ignore)
   * and leaving every count as it was — so that the JIT has seen every operation before it
   * optimises expand, instead of deoptimising it when a transition first fires deep in the
   * search. The search calls it once, with the emit it will pass to expand, in priming mode.
   */
  primeExpand?(emit: (step: number) => boolean): void;
  /**
   * Optional compiled guard scan, equivalent to testing every step's guard in order: writes the
   * indices of the steps whose guard holds in `s`, increasing, to `out` (room for every step) and
   * returns how many (random simulation draws among them).
   */
  guards?(s: Uint8Array, out: Int32Array): number;
  /**
   * Fields whose value designates processes — `proc`: 1 + an index into `processes`, 0 none (a
   * lock's owner); `proc-mask`: a bitmask of such indices (an rwlock's readers) — and that a step
   * of process q only ever changes as to whether they designate q (q takes or releases the lock;
   * it never moves another process's ownership). Access declarations may then name `F@P`: only
   * whether field F designates process P ("do I hold this lock?"). Partial-order reduction treats
   * `F@P` as its own field, written only by P's steps that write F, so a process asking about
   * itself is independent of the other processes' operations on F (value-refined dependency).
   * verifyAccesses checks the promise on every explored edge.
   */
  readonly processFields?: Readonly<Record<string, 'proc' | 'proc-mask'>>;
  /** Free-form facts shown in reports (variant, bounds...). */
  readonly info?: Readonly<Record<string, Value>>;
  /**
   * Interchangeable processes (symmetry reduction): a group of permutations of the state vector
   * under which the steps, the initial states and every property are invariant. With
   * `explore(model, { symmetry: true })` only one representative of each orbit is stored.
   */
  readonly symmetry?: Symmetry;
}

/** A finite group acting on states; element 0 is the identity. */
export interface Symmetry {
  /** Number of group elements (including the identity). */
  readonly size: number;
  /** Write the image of `src` under group element g (1 <= g < size) into `dst` (a different buffer). */
  apply(g: number, src: Uint8Array, dst: Uint8Array): void;
  /** e.g. "permutations of the 3 vCPUs". */
  readonly description: string;
  /**
   * Every property is invariant under the group too, so checking orbit representatives suffices.
   * Default false: state properties are checked on every image of each stored state.
   */
  readonly invariantProperties?: boolean;
}

/** A parameter a model factory accepts (for `list` and CLI validation). */
export interface ParamSpec {
  readonly name: string;
  readonly description: string;
  readonly type: 'int' | 'bool' | 'enum';
  readonly default: number | boolean | string;
  readonly min?: number;
  readonly max?: number;
  readonly values?: readonly string[];
}

export interface ModelFactory {
  readonly name: string;
  readonly description: string;
  readonly params: readonly ParamSpec[];
  build(params: Readonly<Record<string, number | boolean | string>>): Model;
}

export class ModelError extends Error {}
