/**
 * The state every search driver works on: the visited store (whose insertion order is the BFS
 * queue), the scratch buffers, the counters, the level bookkeeping, and the per-source protocol
 * the drivers follow — enterSource (level, shard ownership, budgets), the edges (emit), and
 * leaveSource (terminal states). Property bookkeeping is the Observer's, limits and progress the
 * Budget's; the drivers (sequential.ts, parallel.ts) only decide who expands which state.
 *
 * The hot path (emit) allocates nothing per transition: the source state is loaded into a scratch
 * word buffer, each enabled step writes its successor into a second scratch buffer, and the store
 * copies it only when it is new.
 */
import type { Model, Step } from '../model.js';
import type { IncompleteReason } from '../result.js';
import type { Schema } from '../schema.js';
import type { VisitedStore } from '../store.js';
import type { Canonicalizer } from '../symmetry.js';
import { RecordingCtx } from '../trace.js';
import { Budget, type BudgetOptions } from '../budget.js';
import { Observer, type ObserveOptions } from '../observe.js';
import { OrbitTally } from '../reduce/orbits.js';
import { StubbornSets } from '../reduce/stubborn.js';
import type { PorAnalysis } from '../reduce/por.js';
import { ShardSplit, type ShardOptions } from './shard.js';
import { successors } from './successors.js';
import { ModelError } from '../model.js';

export interface SearchOptions extends BudgetOptions, ObserveOptions {
  readonly maxStates: number;
  readonly maxDepth: number;
  readonly allViolations: boolean;
  readonly shard?: ShardOptions;
  /** Partial-order reduction (sequential search only). */
  readonly por?: PorAnalysis;
}

export class Search {
  /** The visited store (replaced only by replaceStore). */
  store: VisitedStore;
  readonly schema: Schema;
  readonly words: number;
  readonly steps: readonly Step[];
  readonly nsteps: number;
  readonly srcW: Int32Array;
  readonly dstW: Int32Array;
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
  readonly ctx = new RecordingCtx();
  /** Edges taken per step (coverage). */
  readonly fired: Float64Array;
  readonly obs: Observer;
  readonly budget: Budget;
  /** Orbit sizes under symmetry reduction. */
  readonly tally: OrbitTally | null;
  readonly split: ShardSplit | null;
  readonly maxStates: number;
  readonly maxDepth: number;
  readonly expand: NonNullable<Model['expand']>;
  /** Partial-order reduction: the successor filter, and the edges of the state being expanded. */
  readonly por: StubbornSets | null;
  private readonly porA: PorAnalysis | null;
  private readonly edgeSteps: Int32Array;
  /** The successors of the state being expanded: edge k's words at [k * words, (k + 1) * words), and a byte view of each. */
  private readonly edgeSuccW: Int32Array;
  private readonly edgeSucc: Uint8Array[];
  /** Per kept edge that raised an assertion (edgeFailed): its failures; other entries are stale. */
  private readonly edgeFails: { ids: string[]; messages: (string | undefined)[] }[] = [];
  private readonly chosen: Int32Array;
  /** Per kept edge: 1 when it raised an assertion. */
  private readonly edgeFailed: Uint8Array;
  private nEdges = 0;
  /** Nothing but the store looks at an edge: a full expansion emits through emitPlain. */
  private readonly plain: boolean;
  /** While the model primes its expand (Model.primeExpand): emit ignores every edge. */
  private priming = false;
  /** While emitting a reduced set: note an edge back into the current or an earlier level. */
  private watchBack = false;
  private backEdge = false;
  /** The edge being emitted was found invisible by the reduction (Observer.newState: the invariants hold after it). */
  private invisibleEdge = false;

  /** Stop the search: a violation in first-violation mode, or a budget ran out (then `incomplete` says which). */
  stop = false;
  incomplete: IncompleteReason | undefined;
  transitions = 0;
  /** The state being expanded (states below it are expanded). */
  curId = 0;
  /** Edges of the state being expanded so far. */
  enabled = 0;
  /** At maxDepth: edges are checked and counted, nothing beyond is stored. */
  probing = false;
  /** A state beyond maxDepth exists. */
  boundHit = false;
  levels = 0;
  /** The first state id of the next level. */
  levelEnd = 0;
  depth = 0;
  /** The first state the driver expands (a resumed search: the checkpoint's). */
  startId = 0;
  /**
   * Checkpoints (engine/checkpoint/): the step of the edge at which max-states stopped the search
   * (counted and checked, its successor not stored), or -1; a resumed search passes over the first
   * `skip` edges of state `resumeId` (counted before the checkpoint) once; the reduction's
   * counters before the state being expanded chose its stubborn set.
   */
  cutEdge = -1;
  cutId = -1;
  skip = 0;
  resumeId = -1;
  resumeSkip = 0;
  readonly porMark = new Float64Array(6);
  porUsedFor = -1;
  /** Search time (seconds) of the runs a resumed search continues. */
  priorSeconds = 0;

  constructor(
    readonly model: Model,
    store: VisitedStore,
    readonly canon: Canonicalizer | null,
    options: SearchOptions,
  ) {
    this.store = store;
    this.budget = new Budget(options, () => ({ states: this.store.count, transitions: this.transitions, depth: this.depth, queue: this.store.count - this.curId }));
    this.schema = model.schema;
    this.words = this.schema.words;
    this.steps = model.steps;
    this.nsteps = this.steps.length;
    this.srcW = new Int32Array(this.words);
    this.dstW = new Int32Array(this.words);
    this.src = new Uint8Array(this.srcW.buffer);
    this.dst = new Uint8Array(this.dstW.buffer);
    this.fired = new Float64Array(this.nsteps);
    const allViolations = options.allViolations;
    this.obs = new Observer(model, options, store, canon, this.ctx, () => {
      if (!allViolations) this.stop = true;
    });
    this.tally = canon !== null ? new OrbitTally() : null;
    this.split = options.shard ? new ShardSplit(options.shard, { load: (id, out) => this.store.load(id, out), words: this.words }) : null;
    this.maxStates = options.maxStates;
    this.maxDepth = options.maxDepth;
    this.expand = successors(model, this.srcW, this.dstW);
    const a = options.por ?? null;
    this.porA = a;
    const procs = new Map(model.processes.map((p, k) => [p, k]));
    this.por = a !== null ? new StubbornSets(a, Int32Array.from(this.steps, (st) => procs.get(st.process) ?? -1), this.nsteps, this.obs.alwaysDone) : null;
    this.edgeSteps = new Int32Array(a !== null ? this.nsteps : 0);
    this.edgeSuccW = new Int32Array(a !== null ? this.nsteps * this.words : 0);
    this.edgeSucc = a !== null ? Array.from(this.steps, (_, k) => new Uint8Array(this.edgeSuccW.buffer, k * this.words * 4, this.schema.size)) : [];
    this.chosen = new Int32Array(a !== null ? this.nsteps : 0);
    const o = this.obs;
    // under reduction too: the edges of a state expanded without it (the reduction gave up) take the plain path
    this.plain = canon === null && !options.checkDomains && o.always.length + o.sometimes.length + o.transitionProps.length === 0;
    if (model.expand !== undefined && model.primeExpand !== undefined) this.prime(model.primeExpand.bind(model));
    this.edgeFailed = new Uint8Array(a !== null ? this.nsteps : 0);
  }

  /** Let the model prime its expand with the emit the search passes it (ignoring every edge meanwhile). */
  private prime(primeExpand: NonNullable<Model['primeExpand']>): void {
    this.priming = true;
    try {
      primeExpand(this.plain ? this.emitPlain : this.emit);
    } finally {
      this.priming = false;
    }
  }

  /**
   * Go on with `store`, which holds the same states under the same ids (the parallel search
   * moves from the sequential store to a shared one when it launches its workers).
   */
  replaceStore(store: VisitedStore): void {
    if (store.count !== this.store.count) throw new Error('replaceStore: the new store must hold the same states');
    this.store = store;
    this.obs.useStore(store);
  }

  /** Store and check the initial states; the first level. */
  initial(inits: readonly Uint8Array[]): void {
    const { store, dst, dstW, canon } = this;
    for (let k = 0; k < inits.length && !this.stop; k++) {
      if (inits[k]!.length !== this.schema.size) throw new ModelError(`model ${this.model.name}: initial state ${k} has ${inits[k]!.length} bytes, expected ${this.schema.size}`);
      dst.set(inits[k]!);
      const orb = canon !== null ? canon.canonicalize(dstW) : 1;
      if (store.count >= this.maxStates && store.find(dstW) < 0) {
        this.incomplete = 'max-states';
        break;
      }
      const id = store.insert(dstW, -1, k);
      if (id >= 0) {
        if (this.tally !== null) this.tally.note(id, orb);
        this.obs.newState(id, dst);
      }
    }
    this.levels = store.count > 0 ? 1 : 0;
    this.levelEnd = store.count;
    if (this.maxDepth <= 0) this.probing = true;
    if (this.split !== null) this.split.beginLevel(this.depth, 0, this.levelEnd);
  }

  /** The edge curId --i--> dst (the successor generator's callback): check, count, store if new. */
  readonly emit = (i: number): boolean => {
    if (this.priming) return true;
    this.enabled++;
    this.transitions++;
    this.fired[i]++;
    this.obs.edge(this.curId, i, this.src, this.dst);
    if (this.stop) return false;
    const store = this.store;
    const dstW = this.dstW;
    const orb = this.canon !== null ? this.canon.canonicalize(dstW) : 1;
    if (this.probing) {
      // the layer at maxDepth: its edges are checked and counted, but nothing beyond is stored
      if (store.find(dstW) < 0) this.boundHit = true;
      return true;
    }
    if (store.count >= this.maxStates) {
      if (store.find(dstW) < 0) {
        this.incomplete = 'max-states';
        this.stop = true;
        this.cutEdge = i;
        this.cutId = this.curId;
        return false;
      }
      return true;
    }
    const id = store.insert(dstW, this.curId, i);
    if (id >= 0) {
      if (this.tally !== null) this.tally.note(id, orb);
      this.obs.newState(id, this.dst, this.invisibleEdge, i);
    } else if (this.watchBack && -1 - id < this.levelEnd) this.backEdge = true; // insert() gave -1 - (the stored state's id)
    return !this.stop;
  };

  /**
   * emit() where nothing but the store looks at an edge (plain): no property of any kind, no
   * domain check besides the packed store's, no symmetry, no reduction at work (none, or it gave
   * up: StubbornSets.abandoned) — BEEM's DVE models.
   * The same counts, store and stops as emit (the model's own assertions, if it raises any, still
   * go to the observer); the bound and max-states edges take emit's path.
   */
  readonly emitPlain = (i: number): boolean => {
    if (this.priming) return true;
    if (this.probing || this.store.count >= this.maxStates || this.ctx.ids.length > 0) return this.emit(i);
    this.enabled++;
    this.transitions++;
    this.fired[i]++;
    this.store.insert(this.dstW, this.curId, i);
    return true;
  };

  /**
   * emit() for the first state of a resumed search: its first `skip` edges were counted, checked
   * and stored before the checkpoint, so they are passed over (noting, under reduction, an edge
   * back into an earlier level as emit would).
   */
  readonly emitSkipping = (i: number): boolean => {
    if (this.skip === 0) return this.emit(i);
    this.skip--;
    this.ctx.reset();
    if (this.watchBack) {
      if (this.canon !== null) this.canon.canonicalize(this.dstW);
      if (this.store.find(this.dstW) < this.levelEnd) this.backEdge = true;
    }
    return true;
  };

  /** When curId is the first state of a new BFS level: count it, and see what it is. */
  nextLevel(): void {
    if (this.curId !== this.levelEnd) return;
    this.depth++;
    this.levels++;
    this.levelEnd = this.store.count;
    if (this.depth >= this.maxDepth) this.probing = true;
    if (this.split !== null) this.split.beginLevel(this.depth, this.curId, this.levelEnd);
  }

  /** Level bookkeeping, shard ownership and budgets before expanding state curId. */
  enterSource(): 'expand' | 'skip' | 'stop' {
    this.nextLevel();
    const id = this.curId;
    if (this.split !== null && this.split.skips(id)) return 'skip';
    if ((id & 1023) === 0 && id > 0) {
      // expanded states are not loaded again (a fingerprint store drops their vectors)
      this.store.release(id);
      const why = this.budget.poll();
      if (why !== undefined) {
        this.incomplete = why;
        return 'stop';
      }
    }
    return 'expand';
  }

  /** The budgets, checked now (not throttled): false, with `incomplete` set, when one ran out. */
  withinBudget(): boolean {
    const why = this.budget.exceeded(performance.now());
    if (why === undefined) return true;
    this.incomplete = why;
    return false;
  }

  /** After the edges of state curId (loaded in src): terminal and deadlock checks. */
  leaveSource(): void {
    if (this.enabled === 0) this.obs.terminalState(this.curId, this.srcW, this.src);
  }

  /** Expand state curId here: every edge through emit (or, under reduction, a stubborn set of them). */
  expandHere(): void {
    this.store.load(this.curId, this.srcW);
    this.enabled = 0;
    this.ctx.reset();
    const resumed = this.skip > 0;
    if (this.por !== null && !this.por.abandoned) this.expandReduced(this.por);
    else this.expand(this.src, this.dst, this.ctx, resumed ? this.emitSkipping : this.plain ? this.emitPlain : this.emit);
    if (this.tally !== null) this.tally.edges(this.curId, this.enabled);
    // a resumed state had edges before the checkpoint: not terminal
    if (resumed) this.skip = 0;
    else if (!this.stop) this.leaveSource();
  }

  /**
   * Partial-order reduction (reduce/stubborn.ts): every edge is computed first, then only those
   * of a stubborn set are emitted — all of them when a successor lies in the current or an
   * earlier level (the cycle proviso for breadth-first search).
   */
  private expandReduced(por: StubbornSets): void {
    this.nEdges = 0;
    por.saveCounters(this.porMark);
    this.porUsedFor = this.curId;
    this.expand(this.src, this.dst, this.ctx, this.collect);
    const n = this.nEdges;
    const chosen = this.chosen;
    const m = n === 0 ? 0 : por.choose(this.src, this.edgeSteps, n, this.edgeSucc, this.edgeFailed, chosen);
    if (m === n) {
      for (let k = 0; k < n; k++) if (!this.emitEdge(k)) return;
      return;
    }
    this.watchBack = true;
    this.backEdge = false;
    for (let j = 0; j < m; j++) {
      if (!this.emitEdge(chosen[j]!)) break;
    }
    this.watchBack = false;
    if (!this.backEdge || this.stop) return;
    por.proviso++;
    for (let k = 0, j = 0; k < n; k++) {
      if (j < m && chosen[j] === k) {
        j++;
        continue;
      }
      if (!this.emitEdge(k)) return;
    }
  }

  /** The successor generator's callback under reduction: keep the edge (its successor and assertions). */
  private readonly collect = (i: number): boolean => {
    const k = this.nEdges++;
    this.edgeSteps[k] = i;
    const words = this.words;
    const dstW = this.dstW;
    const succ = this.edgeSuccW;
    for (let w = 0, o = k * words; w < words; w++) succ[o + w] = dstW[w]!;
    const ctx = this.ctx;
    if (ctx.ids.length > 0) {
      const declared = this.porA!.fails[i];
      for (const id of ctx.ids) {
        if (declared && !declared.has(id)) throw new ModelError(`model ${this.model.name}: step ${this.steps[i]!.id} raised ${id}, which its access declaration does not list (fails): partial-order reduction would be unsound`);
      }
      this.edgeFails[k] = { ids: ctx.ids.slice(), messages: ctx.messages.slice() };
      this.edgeFailed[k] = 1;
      ctx.reset();
    } else this.edgeFailed[k] = 0;
    return true;
  };

  /** Emit kept edge k (successor and assertions restored); false when the search stops. */
  private emitEdge(k: number): boolean {
    const words = this.words;
    const dstW = this.dstW;
    const succ = this.edgeSuccW;
    for (let w = 0, o = k * words; w < words; w++) dstW[w] = succ[o + w]!;
    if (this.edgeFailed[k] === 1) {
      const f = this.edgeFails[k]!;
      for (let j = 0; j < f.ids.length; j++) this.ctx.fail(f.ids[j]!, f.messages[j]);
    }
    this.invisibleEdge = this.por!.knownInvisible(k);
    const more = this.skip > 0 ? this.emitSkipping(this.edgeSteps[k]!) : this.emit(this.edgeSteps[k]!);
    this.invisibleEdge = false;
    return more;
  }
}
