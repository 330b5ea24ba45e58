/**
 * Random simulation: seeded random walks for state spaces too big to exhaust (TLC / SPIN style),
 * with every failing schedule shrunk by fast-check to a minimal one.
 *
 * Walks. Run r (0-based) draws from its own xoshiro128** generator seeded from (seed, r), so a
 * run depends only on the seed, its number and the model. A walk starts at an initial state
 * (uniform among model.init()) and at each state picks uniformly among the enabled steps (guard
 * true and apply not returning false: a random guard-true step is applied, and dropped from the
 * candidates when its apply returns false). It stops after `depth` steps or where no step is
 * enabled. Properties are checked as explore() checks them on the states and edges of one walk:
 * ctx.fail assertions and transition properties on each edge, always and sometimes properties on
 * each new state (the initial one included), terminal properties and deadlock (not a validEnd,
 * unless `deadlock: false`) where no step is enabled, field domains on each new state. Without
 * allViolations everything stops at the first violating edge or state, reporting every property
 * violated at that point; with it, each property is reported once (the first walk that violated
 * it). The walk loop allocates nothing per step: the state and its successor live in two reused
 * word buffers and the path in a reused Int32Array.
 *
 * Transition properties may keep state across calls (the lock-order graph). With `fresh` given
 * and such properties present, every walk and every shrink evaluation of a transition property
 * gets a new copy of the model, so each walk is one independent execution (lockdep over one
 * boot) and a reported trace trips its property on its own. Without `fresh` they see every step
 * of every walk (as explore's see every edge), and their violations are reported unshrunk, as the
 * walk took them (a try on a used instance says nothing about the try alone).
 *
 * Shrinking. A schedule is a list of step indices, interpreted from the walk's initial state by
 * taking each listed step that is enabled and skipping the others; it fails for property P when P
 * is violated on the way (always / assert / transition: at the first violating state or edge,
 * where it is cut) or in its final state (terminal, deadlock: no step enabled there). The walk's
 * own path is such a schedule. fast-check's array shrinker (fc.array(fc.integer()).shrink:
 * dropping prefixes of every suffix, i.e. any one step or run of steps, and lowering step
 * indices) proposes smaller schedules; the first that still fails is taken, normalised (skipped
 * steps and the part after the violation dropped) and shrunk again, until no proposal fails.
 * At that fixpoint no single step can be removed. Shrink streams use no randomness, so shrinking
 * is deterministic: same model, seed, runs and depth, same result. The reported trace is the
 * replay() of the shrunk step ids, so it replays by construction.
 *
 * The result is never 'pass': a simulation proves nothing. Without a violation the status is
 * 'incomplete' with reason 'simulation' ('time-limit' when the time limit cut the runs short);
 * with one it is 'violation', complete false (reason 'time-limit' or none, as explore's
 * stop-at-first). Simulation facts (seed, runs, depth, walks taken, longest walk) are added to
 * the model's info as `simulation.*`; each violation's message says which run found it at what
 * depth and how far it was shrunk. stats.states counts the
 * distinct states visited (an exact set, up to `maxStoredStates`; beyond that a lower bound),
 * stats.transitions the steps taken, stats.depth the longest walk.
 */
import fc from 'fast-check';
import { ModelError, type Model, type Property, type PropertyKind, type Step } from './model.js';
import type { CoverEntry, IncompleteReason, Result, Trace, Violation } from './result.js';
import type { Value } from './schema.js';
import { StateStore } from './store.js';
import { RecordingCtx, replay } from './trace.js';
import type { Progress, ProgressListener } from './events.js';
import { DEADLOCK_ID } from './explore.js';

export interface SimulateOptions {
  /** Any safe non-negative integer. */
  seed: number;
  /** Number of walks (>= 1). */
  runs: number;
  /** Steps per walk at most (>= 0). */
  depth: number;
  /** Keep walking after a violation; report each violated property once. Default false. */
  allViolations?: boolean;
  /** Report walks ending where no step is enabled in a state that is not a valid end. Default true. */
  deadlock?: boolean;
  /** Seconds; walks stop when it is reached (incomplete reason 'time-limit'). Shrinking is not cut short. */
  timeLimit?: number;
  /** Shrink failing schedules. Default true. */
  shrink?: boolean;
  /** Take only the runs r with r mod count == index (the seeds of the runs are unchanged): n shards take disjoint runs. */
  shard?: { readonly index: number; readonly count: number };
  /** Schedules tried while shrinking one violation, at most (deterministic budget). Default 20000. */
  maxShrinkEvaluations?: number;
  /** A new copy of the model (see the header: stateful transition properties). */
  fresh?: () => Model;
  /** Check that every new state keeps its fields inside their domains. Default true. */
  checkDomains?: boolean;
  /** Distinct states kept for counting, at most. Default 1M. */
  maxStoredStates?: number;
  onProgress?: ProgressListener;
  /** Milliseconds between progress events. Default 250. */
  progressInterval?: number;
}

export const DEFAULT_MAX_SHRINK_EVALUATIONS = 20_000;
export const DEFAULT_MAX_STORED_STATES = 1 << 20;

// ---------------------------------------------------------------------------------------------
// PRNG: xoshiro128** (Blackman & Vigna), seeded through the murmur3 finaliser and splitmix32.

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** The generator of run `run` (0-based) of seed `seed` (safe non-negative integers). */
  constructor(seed: number, run: number) {
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 0x100000000) >>> 0;
    let x = fmix32(lo ^ 0x243f6a88);
    x = fmix32(x ^ hi ^ 0x85a308d3);
    x = fmix32(x ^ (run >>> 0) ^ 0x13198a2e);
    x = fmix32(x ^ (Math.floor(run / 0x100000000) >>> 0) ^ 0x03707344);
    // splitmix32 from x fills the state (never all zero: splitmix32 is a bijection of a counter)
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      return fmix32(x);
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** A uniform unsigned 32-bit integer. */
  next(): number {
    const b = this.b;
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    this.c ^= this.a;
    this.d ^= b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }

  /** A uniform integer in 0..n-1 (n >= 1; exact: rejection of the biased top of the range). */
  below(n: number): number {
    if (n <= 1) return 0;
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const r = this.next();
      if (r < limit) return r % n;
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

// ---------------------------------------------------------------------------------------------

interface Found {
  property: string;
  kind: PropertyKind;
  description: string;
  message: string;
  source?: Property['source'];
  /** 0-based run. */
  run: number;
  initial: number;
  /** Step indices of the walk up to and including the violation. */
  path: Int32Array;
}

interface Reached {
  run: number;
  initial: number;
  path: Int32Array;
}

/** The property views one walk needs, for one model copy. */
interface Views {
  model: Model;
  steps: readonly Step[];
  always: Extract<Property, { kind: 'always' }>[];
  /** Index of each always property in model.properties. */
  alwaysNo: Int32Array;
  transition: Extract<Property, { kind: 'transition' }>[];
  terminal: Extract<Property, { kind: 'terminal' }>[];
  sometimes: Extract<Property, { kind: 'sometimes' }>[];
}

function views(model: Model): Views {
  const ps = model.properties;
  return {
    model,
    steps: model.steps,
    always: ps.filter((p): p is Extract<Property, { kind: 'always' }> => p.kind === 'always'),
    alwaysNo: Int32Array.from(ps.flatMap((p, i) => (p.kind === 'always' ? [i] : []))),
    transition: ps.filter((p): p is Extract<Property, { kind: 'transition' }> => p.kind === 'transition'),
    terminal: ps.filter((p): p is Extract<Property, { kind: 'terminal' }> => p.kind === 'terminal'),
    sometimes: ps.filter((p): p is Extract<Property, { kind: 'sometimes' }> => p.kind === 'sometimes'),
  };
}

export function simulate(model: Model, options: SimulateOptions): Result {
  const started = performance.now();
  const { seed, runs, depth } = options;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`simulate: seed must be a safe non-negative integer, got ${seed}`);
  if (!Number.isSafeInteger(runs) || runs < 1) throw new RangeError(`simulate: runs must be a positive integer, got ${runs}`);
  if (!Number.isSafeInteger(depth) || depth < 0) throw new RangeError(`simulate: depth must be a non-negative integer, got ${depth}`);
  const schema = model.schema;
  const words = schema.words;
  const nsteps = model.steps.length;
  const allViolations = options.allViolations ?? false;
  const checkDeadlock = options.deadlock ?? true;
  const timeLimitMs = options.timeLimit !== undefined ? options.timeLimit * 1000 : Infinity;
  const maxStored = options.maxStoredStates ?? DEFAULT_MAX_STORED_STATES;
  const onProgress = options.onProgress;
  const progressInterval = options.progressInterval ?? 250;
  const stateful = model.properties.some((p) => p.kind === 'transition');
  const fresh = stateful ? options.fresh : undefined;
  // when every stateful property can forget, a walk resets them instead of rebuilding the model
  const resettable = fresh !== undefined && model.properties.every((p) => p.kind !== 'transition' || p.reset !== undefined);
  const inits = model.init();
  if (inits.length === 0) throw new ModelError(`model ${model.name} has no initial state`);
  inits.forEach((s, k) => {
    if (s.length !== schema.size) throw new ModelError(`model ${model.name}: initial state ${k} has ${s.length} bytes, expected ${schema.size}`);
  });
  const narrow = options.checkDomains === false ? [] : schema.narrowFields();
  const outside = schema.domainChecker(narrow);
  const propIndex = new Map(model.properties.map((p, i) => [p.id, i]));
  const sometimesIds = model.properties.filter((p) => p.kind === 'sometimes').map((p) => p.id);

  const store = new StateStore(words);
  const curW = new Int32Array(words);
  const nextW = new Int32Array(words);
  const cur = new Uint8Array(curW.buffer);
  const next = new Uint8Array(nextW.buffer);
  const cand = new Int32Array(nsteps);
  let path = new Int32Array(Math.min(depth, 1 << 16));
  const ctx = new RecordingCtx();
  const fired = new Float64Array(nsteps);
  // violated[i] for model.properties[i]; deadlock and unknown assert ids in the set
  const violatedProp = new Uint8Array(model.properties.length);
  const violatedOther = new Set<string>();
  const found: Found[] = [];
  const reached: (Reached | undefined)[] = sometimesIds.map(() => undefined);
  let nReached = 0;

  let stop = false;
  let timeUp = false;
  let transitions = 0;
  let longest = 0;
  let walks = 0;
  let storedAll = true;
  let lastCheck = started;
  let lastProgress = started;
  let peakRss = process.memoryUsage.rss();
  let v = views(model);

  const isViolated = (id: string): boolean => {
    const i = propIndex.get(id);
    return i !== undefined ? violatedProp[i] === 1 : violatedOther.has(id);
  };
  const record = (f: Omit<Found, 'path'>, len: number): void => {
    if (isViolated(f.property)) return;
    const i = propIndex.get(f.property);
    if (i !== undefined) violatedProp[i] = 1;
    else violatedOther.add(f.property);
    found.push({ ...f, path: path.slice(0, len) });
    if (!allViolations) stop = true;
  };

  /** Checks of a state just reached (`len` steps into run `run`). */
  const checkState = (run: number, initial: number, len: number): void => {
    const bad = outside(cur);
    if (bad >= 0) {
      const f = narrow[bad]!;
      const by = len > 0 ? v.steps[path[len - 1]!]!.id : 'initial state';
      throw new ModelError(`model ${model.name}: ${by} set ${f.name} = ${schema.get(cur, f)}, outside its domain ${f.min}..${f.max}`);
    }
    if (store.count < maxStored) store.insert(curW, -1, 0);
    else if (storedAll && store.find(curW) < 0) storedAll = false;
    const always = v.always;
    const alwaysNo = v.alwaysNo;
    for (let i = 0; i < always.length; i++) {
      const p = always[i]!;
      if (violatedProp[alwaysNo[i]!] === 0 && !p.check(cur)) {
        record({ property: p.id, kind: 'always', description: p.description, message: p.description, source: p.source, run, initial }, len);
      }
    }
    if (nReached < reached.length) {
      const some = v.sometimes;
      for (let i = 0; i < some.length; i++) {
        if (reached[i] === undefined && some[i]!.check(cur)) {
          reached[i] = { run, initial, path: path.slice(0, len) };
          nReached++;
        }
      }
    }
  };

  const walk = (run: number): void => {
    if (resettable) for (const p of v.transition) p.reset!();
    else if (fresh) v = views(fresh());
    const steps = v.steps;
    const guards = v.model.guards?.bind(v.model);
    const transitionProps = v.transition;
    const rng = new Rng(seed, run);
    const initial = inits.length === 1 ? 0 : rng.below(inits.length);
    cur.set(inits[initial]!);
    let len = 0;
    checkState(run, initial, 0);
    while (!stop) {
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
        const terminal = v.terminal;
        for (let k = 0; k < terminal.length; k++) {
          const p = terminal[k]!;
          if (!isViolated(p.id) && !p.check(cur)) record({ property: p.id, kind: 'terminal', description: p.description, message: p.description, source: p.source, run, initial }, len);
        }
        const vm = v.model;
        if (checkDeadlock && !isViolated(DEADLOCK_ID) && !(vm.validEnd && vm.validEnd(cur))) {
          record({ property: DEADLOCK_ID, kind: 'deadlock', description: DEADLOCK_DESCRIPTION, message: vm.describeDeadlock ? vm.describeDeadlock(cur) : deadlockMessage(vm, cur), run, initial }, len);
        }
        break;
      }
      if (len >= depth) break;
      if (len === path.length) {
        const bigger = new Int32Array(Math.min(depth, path.length * 2));
        bigger.set(path);
        path = bigger;
      }
      path[len++] = chosen;
      transitions++;
      fired[chosen]++;
      if (ctx.ids.length > 0) {
        for (let k = 0; k < ctx.ids.length; k++) {
          const pid = ctx.ids[k]!;
          if (isViolated(pid)) continue;
          const i = propIndex.get(pid);
          const p = i !== undefined ? model.properties[i] : undefined;
          record({ property: pid, kind: p?.kind ?? 'assert', description: p?.description ?? pid, message: ctx.messages[k] ?? p?.description ?? pid, source: p?.source, run, initial }, len);
        }
      }
      for (let k = 0; k < transitionProps.length; k++) {
        const p = transitionProps[k]!;
        if (isViolated(p.id)) continue;
        const r = p.check(cur, chosen, next);
        if (r !== true) record({ property: p.id, kind: 'transition', description: p.description, message: typeof r === 'string' ? r : p.description, source: p.source, run, initial }, len);
      }
      if (stop) break;
      for (let k = 0; k < words; k++) curW[k] = nextW[k]!;
      checkState(run, initial, len);
      if ((transitions & 1023) === 0) {
        const now = performance.now();
        if (now - lastCheck > 50) {
          lastCheck = now;
          tick(now);
          if (timeUp) break;
        }
      }
    }
    if (len > longest) longest = len;
  };

  const progress = (now: number, run: number): Progress => ({
    states: store.count,
    transitions,
    depth: longest,
    queue: runs - run,
    seconds: (now - started) / 1000,
    statesPerSecond: store.count / Math.max(1e-9, (now - started) / 1000),
    rssBytes: peakRss,
  });
  let currentRun = 0;
  const tick = (now: number): void => {
    const rss = process.memoryUsage.rss();
    if (rss > peakRss) peakRss = rss;
    if (now - started > timeLimitMs) timeUp = true;
    if (onProgress && now - lastProgress >= progressInterval) {
      lastProgress = now;
      onProgress(progress(now, currentRun));
    }
  };

  const shardIndex = options.shard?.index ?? 0;
  const shardCount = options.shard?.count ?? 1;
  for (let run = shardIndex; run < runs && !stop && !timeUp; run += shardCount) {
    currentRun = run;
    walk(run);
    walks++;
    const now = performance.now();
    if (now - lastCheck > 50) {
      lastCheck = now;
      tick(now);
    }
  }

  // shrink each violation; traces come from replay() of the shrunk step ids
  const shrinker = new Shrinker(model, options, checkDeadlock);
  const violations: Violation[] = found.map((f) => {
    const s = shrinker.shrink(f);
    const n = `${s.steps.length} step${s.steps.length === 1 ? '' : 's'}`;
    const how = `found by run ${f.run + 1} of seed ${seed} at depth ${f.path.length}, ${s.shrunk ? `shrunk to ${n}${s.why ? ` (${s.why})` : ''}` : `not shrunk (${s.why})`}`;
    return {
      property: f.property,
      kind: f.kind,
      description: f.description,
      // the description is printed next to the message: do not repeat it
      message: s.message === f.description ? how : `${s.message} (${how})`,
      trace: traceOf(model, f.initial, s.steps),
      source: f.source,
    };
  });
  const covers: CoverEntry[] = model.properties
    .filter((p) => p.kind === 'sometimes')
    .map((p, i) => {
      const r = reached[i];
      if (!r) return { property: p.id, description: p.description, reached: false };
      const trace = traceOf(model, r.initial, Array.from(r.path));
      return { property: p.id, description: p.description, reached: true, depth: trace.steps.length, trace };
    });

  const end = performance.now();
  const rss = process.memoryUsage.rss();
  if (rss > peakRss) peakRss = rss;
  if (onProgress) onProgress(progress(end, walks));
  const seconds = (end - started) / 1000;
  // as explore: a violation found before any budget was hit leaves the reason out
  const incompleteReason: IncompleteReason | undefined = timeUp ? 'time-limit' : found.length > 0 ? undefined : 'simulation';
  const info: Record<string, Value> = {
    ...(model.info ?? {}),
    'simulation.seed': seed,
    'simulation.runs': runs,
    'simulation.depth': depth,
    'simulation.walks': walks,
    'simulation.longestWalk': longest,
    ...(storedAll ? {} : { 'simulation.statesCounted': `the first ${store.count} distinct states (a lower bound)` }),
  };
  return {
    model: model.name,
    status: violations.length > 0 ? 'violation' : 'incomplete',
    incompleteReason,
    complete: false,
    stats: {
      states: store.count,
      transitions,
      levels: longest + 1,
      depth: longest,
      seconds,
      statesPerSecond: store.count / Math.max(seconds, 1e-9),
      stateBytes: schema.size,
      bytesPerState: store.count > 0 ? store.bytes / store.count : 0,
      storeBytes: store.bytes,
      peakRssBytes: peakRss,
    },
    violations,
    covers,
    coverage: model.steps.map((s, i) => ({ step: s.id, process: s.process, fired: fired[i]! })),
    properties: [
      ...model.properties.map((p) => ({ id: p.id, kind: p.kind as PropertyKind, description: p.description, source: p.source })),
      ...(checkDeadlock ? [{ id: DEADLOCK_ID, kind: 'deadlock' as PropertyKind, description: 'no reachable state where nothing can move and the state is not a valid end' }] : []),
    ],
    info,
  };
}

const DEADLOCK_DESCRIPTION = 'no step is enabled and the state is not a valid end state';

/** As explore's: the control states of a state with no enabled step. */
function deadlockMessage(model: Model, s: Uint8Array): string {
  return `no step enabled in a state that is not a valid end: ${Object.entries(model.schema.decode(s))
    .filter(([n]) => n.endsWith('pc') || n.endsWith('.state'))
    .map(([n, x]) => `${n}=${String(x)}`)
    .join(', ')}`.replace(/: $/, '');
}

function traceOf(model: Model, initial: number, steps: readonly number[]): Trace {
  return replay(
    model,
    steps.map((i) => model.steps[i]!.id),
    initial,
  ).trace;
}

// ---------------------------------------------------------------------------------------------
// Shrinking

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
  /** Why not shrunk. */
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
    private readonly options: Pick<SimulateOptions, 'shrink' | 'maxShrinkEvaluations' | 'fresh'>,
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
    for (;;) {
      if (best.taken.length === 0) break;
      let improved = false;
      for (const candidate of arb.shrink(best.taken, context)) {
        if (evaluations >= budget) {
          exhausted = true;
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
      if (!improved || exhausted) break;
    }
    return { steps: best.taken, message: best.message, shrunk: true, evaluations, ...(exhausted ? { why: `budget of ${budget} schedules reached` } : {}) };
  }
}
