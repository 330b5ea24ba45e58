/**
 * One random walk at a time (see simulate.ts for the rules): the walker keeps the per-walk
 * buffers (the state and its successor in two reused word buffers, the path in a reused
 * Int32Array, so a step allocates nothing), the visited-state count and the step counters, and
 * checks the properties on the states and edges of each walk, recording what it finds.
 */
import { ModelError, type Model } from '../model.js';
import type { Field } from '../schema.js';
import { StateStore } from '../store.js';
import { RecordingCtx } from '../trace.js';
import { DEADLOCK_ID } from '../explore.js';
import { Rng } from './rng.js';
import type { Findings } from './findings.js';
import type { Pace } from './pace.js';
import { DEFAULT_MAX_STORED_STATES, type SimulateOptions } from './options.js';
import { DEADLOCK_DESCRIPTION, deadlockMessage, views, type Views } from './views.js';

export class Walker {
  readonly store: StateStore;
  /** Steps taken, over all walks. */
  transitions = 0;
  /** The longest walk, in steps. */
  longest = 0;
  /** Every visited state was counted (false once the store was full and an uncounted one came). */
  storedAll = true;
  /** Times each step was taken. */
  readonly fired: Float64Array;
  /** The model's initial states. */
  readonly inits: Uint8Array[];

  private readonly model: Model;
  private readonly seed: number;
  private readonly depth: number;
  private readonly words: number;
  private readonly nsteps: number;
  private readonly checkDeadlock: boolean;
  private readonly maxStored: number;
  private readonly fresh: (() => Model) | undefined;
  /** Every stateful property can forget: a walk resets them instead of rebuilding the model. */
  private readonly resettable: boolean;
  private readonly narrow: Field[];
  private readonly outside: (s: Uint8Array) => number;
  private readonly curW: Int32Array;
  private readonly nextW: Int32Array;
  private readonly cur: Uint8Array;
  private readonly next: Uint8Array;
  private readonly cand: Int32Array;
  private path: Int32Array;
  private readonly ctx = new RecordingCtx();
  private v: Views;

  constructor(
    model: Model,
    options: SimulateOptions,
    private readonly findings: Findings,
  ) {
    const schema = model.schema;
    this.model = model;
    this.seed = options.seed;
    this.depth = options.depth;
    this.words = schema.words;
    this.nsteps = model.steps.length;
    this.checkDeadlock = options.deadlock ?? true;
    this.maxStored = options.maxStoredStates ?? DEFAULT_MAX_STORED_STATES;
    const stateful = model.properties.some((p) => p.kind === 'transition');
    this.fresh = stateful ? options.fresh : undefined;
    this.resettable = this.fresh !== undefined && model.properties.every((p) => p.kind !== 'transition' || p.reset !== undefined);
    this.inits = initialStates(model);
    this.narrow = options.checkDomains === false ? [] : schema.narrowFields();
    this.outside = schema.domainChecker(this.narrow);
    this.store = new StateStore(this.words);
    this.curW = new Int32Array(this.words);
    this.nextW = new Int32Array(this.words);
    this.cur = new Uint8Array(this.curW.buffer);
    this.next = new Uint8Array(this.nextW.buffer);
    this.cand = new Int32Array(this.nsteps);
    this.path = new Int32Array(Math.min(this.depth, 1 << 16));
    this.fired = new Float64Array(this.nsteps);
    this.v = views(model);
  }

  /** Distinct states visited (counted up to maxStoredStates). */
  get states(): number {
    return this.store.count;
  }

  /** Checks of a state just reached (`len` steps into run `run`). */
  private checkState(run: number, initial: number, len: number): void {
    const { cur, curW, store, findings, v } = this;
    const path = this.path;
    const bad = this.outside(cur);
    if (bad >= 0) {
      const f = this.narrow[bad]!;
      const by = len > 0 ? v.steps[path[len - 1]!]!.id : 'initial state';
      throw new ModelError(`model ${this.model.name}: ${by} set ${f.name} = ${this.model.schema.get(cur, f)}, outside its domain ${f.min}..${f.max}`);
    }
    if (store.count < this.maxStored) store.insert(curW, -1, 0);
    else if (this.storedAll && store.find(curW) < 0) this.storedAll = false;
    const always = v.always;
    const alwaysNo = v.alwaysNo;
    const violatedProp = findings.violatedProp;
    for (let i = 0; i < always.length; i++) {
      const p = always[i]!;
      if (violatedProp[alwaysNo[i]!] === 0 && !p.check(cur)) {
        findings.record({ property: p.id, kind: 'always', description: p.description, message: p.description, source: p.source, run, initial }, path, len);
      }
    }
    const reached = findings.reached;
    if (findings.nReached < reached.length) {
      const some = v.sometimes;
      for (let i = 0; i < some.length; i++) {
        if (reached[i] === undefined && some[i]!.check(cur)) {
          reached[i] = { run, initial, path: path.slice(0, len) };
          findings.nReached++;
        }
      }
    }
  }

  /** Run `run`'s walk from its initial state until `depth` steps, a state with no enabled step, a violation that stops, or the pace halts. */
  walk(run: number, pace: Pace): void {
    if (this.resettable) for (const p of this.v.transition) p.reset!();
    else if (this.fresh) this.v = views(this.fresh());
    const { v, cur, curW, next, nextW, cand, ctx, findings, words, nsteps, depth, fired } = this;
    const steps = v.steps;
    const guards = v.model.guards?.bind(v.model);
    const transitionProps = v.transition;
    const inits = this.inits;
    const rng = new Rng(this.seed, run);
    const initial = inits.length === 1 ? 0 : rng.below(inits.length);
    cur.set(inits[initial]!);
    let len = 0;
    this.checkState(run, initial, 0);
    while (!findings.stop) {
      // the guard-true steps, then a uniform pick among them; a pick whose apply drops the edge
      // (returns false) is removed and the pick repeated, so the choice is uniform among the
      // enabled steps (a full guard scan is cheaper than drawing steps without replacement)
      let nc = 0;
      if (guards) nc = guards(cur, cand);
      else for (let i = 0; i < nsteps; i++) if (steps[i]!.guard(cur)) cand[nc++] = i;
      let chosen = -1;
      while (nc > 0) {
        const j = rng.below(nc);
        const i = cand[j]!;
        for (let k = 0; k < words; k++) nextW[k] = curW[k]!;
        ctx.reset();
        if (steps[i]!.apply(next, ctx) !== false) {
          chosen = i;
          break;
        }
        cand[j] = cand[--nc]!;
      }
      if (chosen < 0) {
        this.endOfWalk(run, initial, len);
        break;
      }
      if (len >= depth) break;
      if (len === this.path.length) this.growPath();
      this.path[len++] = chosen;
      this.transitions++;
      fired[chosen]++;
      if (ctx.ids.length > 0) this.recordFails(run, initial, len);
      for (let k = 0; k < transitionProps.length; k++) {
        const p = transitionProps[k]!;
        if (findings.isViolated(p.id)) continue;
        const r = p.check(cur, chosen, next);
        if (r !== true) findings.record({ property: p.id, kind: 'transition', description: p.description, message: typeof r === 'string' ? r : p.description, source: p.source, run, initial }, this.path, len);
      }
      if (findings.stop) break;
      for (let k = 0; k < words; k++) curW[k] = nextW[k]!;
      this.checkState(run, initial, len);
      if ((this.transitions & 1023) === 0 && pace.poll()) break;
    }
    if (len > this.longest) this.longest = len;
  }

  /** No step is enabled `len` steps into the walk: terminal properties and deadlock. */
  private endOfWalk(run: number, initial: number, len: number): void {
    const { cur, findings, path } = this;
    const terminal = this.v.terminal;
    for (let k = 0; k < terminal.length; k++) {
      const p = terminal[k]!;
      if (!findings.isViolated(p.id) && !p.check(cur)) findings.record({ property: p.id, kind: 'terminal', description: p.description, message: p.description, source: p.source, run, initial }, path, len);
    }
    const vm = this.v.model;
    if (this.checkDeadlock && !findings.isViolated(DEADLOCK_ID) && !(vm.validEnd && vm.validEnd(cur))) {
      findings.record({ property: DEADLOCK_ID, kind: 'deadlock', description: DEADLOCK_DESCRIPTION, message: vm.describeDeadlock ? vm.describeDeadlock(cur) : deadlockMessage(vm, cur), run, initial }, path, len);
    }
  }

  /** The step just taken (the walk's `len`th) called ctx.fail: each failed id is a violation (asserts, or the property of that id). */
  private recordFails(run: number, initial: number, len: number): void {
    const { ctx, findings } = this;
    for (let k = 0; k < ctx.ids.length; k++) {
      const pid = ctx.ids[k]!;
      if (findings.isViolated(pid)) continue;
      const p = findings.property(pid);
      findings.record({ property: pid, kind: p?.kind ?? 'assert', description: p?.description ?? pid, message: ctx.messages[k] ?? p?.description ?? pid, source: p?.source, run, initial }, this.path, len);
    }
  }

  private growPath(): void {
    const bigger = new Int32Array(Math.min(this.depth, this.path.length * 2));
    bigger.set(this.path);
    this.path = bigger;
  }
}

/** The model's initial states, checked to be there and of the schema's size. */
function initialStates(model: Model): Uint8Array[] {
  const inits = model.init();
  if (inits.length === 0) throw new ModelError(`model ${model.name} has no initial state`);
  inits.forEach((s, k) => {
    if (s.length !== model.schema.size) throw new ModelError(`model ${model.name}: initial state ${k} has ${s.length} bytes, expected ${model.schema.size}`);
  });
  return inits;
}
