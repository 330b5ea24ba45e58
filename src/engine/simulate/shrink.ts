/**
 * Shrinking a found walk (see simulate.ts): a schedule is a list of step indices, interpreted
 * from the walk's initial state by taking each listed step that is enabled and skipping the
 * others; fast-check's array shrinker proposes smaller schedules until none still fails.
 */
import fc from 'fast-check';
import type { Model, PropertyKind } from '../model.js';
import { RecordingCtx } from '../trace.js';
import type { Found } from './findings.js';
import { DEFAULT_MAX_SHRINK_EVALUATIONS, type SimulateOptions } from './options.js';
import { deadlockMessage } from './views.js';

export interface Evaluation {
  /** The schedule violates the property. */
  readonly fails: boolean;
  /** The steps taken, up to the violation (normalised schedule). */
  readonly taken: number[];
  readonly message: string;
}

export interface Shrunk {
  readonly steps: number[];
  readonly message: string;
  readonly shrunk: boolean;
  /** Why not shrunk, or why shrinking stopped early. */
  readonly why?: string;
  /** Schedules tried. */
  readonly evaluations: number;
}

/**
 * Interprets schedules for one property at a time (see the header). Buffers are reused across
 * evaluations; transition properties are evaluated on a fresh model copy each time when `fresh`
 * is given.
 */
export class Shrinker {
  private readonly w: Int32Array;
  private readonly nw: Int32Array;
  private readonly s: Uint8Array;
  private readonly n: Uint8Array;
  private readonly ctx = new RecordingCtx();
  private readonly inits: Uint8Array[];

  constructor(
    private readonly model: Model,
    private readonly options: Pick<SimulateOptions, 'shrink' | 'maxShrinkEvaluations' | 'fresh' | 'shouldStop'>,
    private readonly checkDeadlock: boolean,
  ) {
    this.w = new Int32Array(model.schema.words);
    this.nw = new Int32Array(model.schema.words);
    this.s = new Uint8Array(this.w.buffer);
    this.n = new Uint8Array(this.nw.buffer);
    this.inits = model.init();
  }

  /** Run `schedule` from initial state `initial` and check property `id` of kind `kind` along it. */
  evaluate(id: string, kind: PropertyKind, initial: number, schedule: ArrayLike<number>): Evaluation {
    const m = kind === 'transition' && this.options.fresh ? this.copyFor(id) : this.model;
    const steps = m.steps;
    const p = m.properties.find((q) => q.id === id);
    const { w, nw, s, n, ctx } = this;
    const words = w.length;
    s.set(this.inits[initial]!);
    const taken: number[] = [];
    if (p?.kind === 'always' && !p.check(s)) return { fails: true, taken, message: p.description };
    for (let k = 0; k < schedule.length; k++) {
      const i = schedule[k]!;
      const st = steps[i];
      if (!st || !st.guard(s)) continue;
      for (let j = 0; j < words; j++) nw[j] = w[j]!;
      ctx.reset();
      if (st.apply(n, ctx) === false) continue;
      taken.push(i);
      // as in a walk, a ctx.fail with the property's id violates it whatever its kind
      const at = ctx.ids.indexOf(id);
      if (at >= 0) return { fails: true, taken, message: ctx.messages[at] ?? p?.description ?? id };
      if (p?.kind === 'transition') {
        const r = p.check(s, i, n);
        if (r !== true) return { fails: true, taken, message: typeof r === 'string' ? r : p.description };
      }
      for (let j = 0; j < words; j++) w[j] = nw[j]!;
      if (p?.kind === 'always' && !p.check(s)) return { fails: true, taken, message: p.description };
    }
    if (kind === 'terminal' || kind === 'deadlock') {
      if (this.anyEnabled(m, s)) return { fails: false, taken, message: '' };
      if (p?.kind === 'terminal') return { fails: !p.check(s), taken, message: p.description };
      if (kind === 'deadlock' && this.checkDeadlock && !(m.validEnd && m.validEnd(s))) {
        return { fails: true, taken, message: m.describeDeadlock ? m.describeDeadlock(s) : deadlockMessage(m, s) };
      }
    }
    return { fails: false, taken, message: '' };
  }

  /** A model whose transition property `id` starts afresh: this one, reset if it can forget, else a new copy. */
  private copyFor(id: string): Model {
    const p = this.model.properties.find((q) => q.id === id);
    if (p?.kind === 'transition' && p.reset) {
      p.reset();
      return this.model;
    }
    return this.options.fresh!();
  }

  private anyEnabled(m: Model, s: Uint8Array): boolean {
    const copy = new Uint8Array(s.length);
    for (const st of m.steps) {
      if (!st.guard(s)) continue;
      copy.set(s);
      this.ctx.reset();
      if (st.apply(copy, this.ctx) !== false) return true;
    }
    return false;
  }

  /** Shrink the schedule of a violation found by a walk. */
  shrink(f: Pick<Found, 'property' | 'kind' | 'message' | 'initial' | 'path'>): Shrunk {
    if (f.kind === 'transition' && !this.options.fresh) {
      // its state has seen every walk: a try on this instance says nothing about the try alone
      const why = 'without a fresh model copy per walk the property keeps state across walks, so this walk may trip it only after earlier ones';
      return { steps: Array.from(f.path), message: f.message, shrunk: false, why, evaluations: 0 };
    }
    const first = this.evaluate(f.property, f.kind, f.initial, f.path);
    if (!first.fails) return { steps: Array.from(f.path), message: f.message, shrunk: false, why: 'the walk does not fail when replayed on its own', evaluations: 1 };
    if (this.options.shrink === false) return { steps: first.taken, message: first.message, shrunk: false, why: 'shrinking is off', evaluations: 1 };
    const budget = this.options.maxShrinkEvaluations ?? DEFAULT_MAX_SHRINK_EVALUATIONS;
    const nsteps = this.model.steps.length;
    // shrinks never lengthen a schedule: the first one bounds them all
    const arb = fc.array(fc.integer({ min: 0, max: Math.max(0, nsteps - 1) }), { maxLength: first.taken.length });
    let best = first;
    let context: unknown = undefined;
    let evaluations = 1;
    let exhausted = false;
    let interrupted = false;
    const shouldStop = this.options.shouldStop;
    for (;;) {
      if (best.taken.length === 0) break;
      let improved = false;
      for (const candidate of arb.shrink(best.taken, context)) {
        if (evaluations >= budget) {
          exhausted = true;
          break;
        }
        if (shouldStop?.()) {
          interrupted = true;
          break;
        }
        evaluations++;
        const e = this.evaluate(f.property, f.kind, f.initial, candidate.value);
        if (e.fails) {
          // keep fast-check's context when the candidate was already normal (nothing skipped or cut)
          context = e.taken.length === candidate.value.length ? candidate.context : undefined;
          best = e;
          improved = true;
          break;
        }
      }
      if (!improved || exhausted || interrupted) break;
    }
    if (interrupted && evaluations === 1) return { steps: best.taken, message: best.message, shrunk: false, why: 'the run was interrupted', evaluations };
    const why = exhausted ? `budget of ${budget} schedules reached` : interrupted ? 'interrupted' : undefined;
    return { steps: best.taken, message: best.message, shrunk: true, evaluations, ...(why ? { why } : {}) };
  }
}
