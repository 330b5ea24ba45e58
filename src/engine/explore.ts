/**
 * Breadth-first exhaustive exploration with property checks, budgets and progress events.
 *
 * The hot loop allocates nothing per transition: the source state is loaded into a scratch word
 * buffer, each enabled step writes its successor into a second scratch buffer, and the store
 * copies it only when it is new. BFS order makes every reported trace a shortest one.
 */
import { ModelError, type Model, type Property, type PropertyKind } from './model.js';
import type { CoverEntry, IncompleteReason, Result, Violation } from './result.js';
import { ClaimArena, FingerprintStore, fingerprintCollisionProbability, sharedAlloc, StateStore, type VisitedStore } from './store.js';
import { Canonicalizer } from './symmetry.js';
import { buildTrace, RecordingCtx } from './trace.js';
import type { Progress, ProgressListener } from './events.js';
import { CTRL, EVENT, FLAG, WorkerPool, type BlockResult, type ParallelOptions } from './parallel.js';

export interface ExploreOptions {
  /** Stop (incomplete) when more than this many distinct states would be stored. */
  maxStates?: number;
  /** Do not explore beyond this many steps from an initial state (incomplete if states lie beyond). */
  maxDepth?: number;
  /** Seconds. */
  timeLimit?: number;
  /** Bytes of resident memory. */
  memoryLimit?: number;
  /**
   * Keep exploring after a violation; report each violated property once, each with its own
   * shortest trace. Default false: stop at the first violating state or edge, reporting every
   * property violated at that same point (e.g. a terminal property and the deadlock of one state).
   */
  allViolations?: boolean;
  /** Report states with no enabled step that are not valid end states. Default true. */
  deadlock?: boolean;
  /** Check that every new state keeps its fields inside their domains. Default true. */
  checkDomains?: boolean;
  onProgress?: ProgressListener;
  /** Milliseconds between progress events. Default 250. */
  progressInterval?: number;
  /** Store one state per orbit of the model's symmetry group (Model.symmetry). */
  symmetry?: boolean;
  /** Hash compaction: store 64-bit fingerprints instead of state vectors (may miss states; the probability is reported). */
  fingerprint?: boolean;
  /** Explore only part `index` of `count` (see ShardOptions). */
  shard?: ShardOptions;
  /** Expand the frontier in worker threads (same result as the sequential search; see parallel.ts). */
  parallel?: ParallelOptions;
  /**
   * A `sometimes` property (branch cover) that a complete search never reached is a violation.
   * Default false: it is a finding (Result.covers, reached false) that leaves the status alone,
   * unless the property itself sets failIfUnreached.
   */
  failOnUnreachedCover?: boolean;
  /**
   * Polled with the budgets (every 1024 states, at most every 50 ms): true stops the search
   * cleanly, as a budget does, with incompleteReason `interrupted` (SIGINT / SIGTERM).
   */
  shouldStop?: () => boolean;
}

/**
 * Sharding: every shard runs the same breadth-first search until the first level that holds at
 * least `minRoots` states; the states of that level are dealt out round-robin (state k of the level
 * goes to shard k mod count), and each shard expands only its own, keeping the others as visited.
 * Every state lies on a shortest path through some state of the split level owned by exactly one
 * shard, so the union of the shards' searches covers the whole space and the shortest trace to a
 * violation is found by the shard that owns its path. Shards overlap (a state reachable from roots
 * of two shards is explored by both), so their state counts add up to an upper bound.
 */
export interface ShardOptions {
  readonly index: number;
  readonly count: number;
  /** Default: 32 x count. */
  readonly minRoots?: number;
}

export const DEADLOCK_ID = 'deadlock';

interface Found {
  property: string;
  kind: PropertyKind;
  description: string;
  message: string;
  stateId: number;
  extraStep: number;
  source?: Property['source'];
  /** Under symmetry: the image of the stored state that violates the property. */
  target?: Uint8Array;
}

export function explore(model: Model, options: ExploreOptions = {}): Result {
  const started = performance.now();
  const schema = model.schema;
  const words = schema.words;
  const steps = model.steps;
  const nsteps = steps.length;
  const inits = model.init();
  // the step-id column also holds initial-state indices: widen it when either exceeds 16 bits
  const wide = nsteps > 0xffff || inits.length > 0xffff;
  const par = options.parallel;
  if (par && options.fingerprint) throw new ModelError('a parallel search cannot use hash compaction (--fingerprint): the workers read the store of full states');
  if (par && !(Number.isInteger(par.workers) && par.workers >= 1)) throw new ModelError(`bad worker count ${par.workers}`);
  if (par && nsteps >= 1 << 24) throw new ModelError('a parallel search handles at most 2^24 steps');
  const store: VisitedStore = options.fingerprint ? new FingerprintStore(words, wide) : new StateStore(words, wide, 16, par ? sharedAlloc : undefined);
  if (options.symmetry && !model.symmetry) throw new ModelError(`model ${model.name} declares no symmetry (symmetry reduction needs Model.symmetry)`);
  const canon = options.symmetry && model.symmetry ? new Canonicalizer(model.symmetry, words) : null;
  const shard = options.shard;
  if (shard && !(Number.isInteger(shard.count) && shard.count >= 1 && Number.isInteger(shard.index) && shard.index >= 0 && shard.index < shard.count)) {
    throw new ModelError(`bad shard ${shard.index}/${shard.count}: need 0 <= index < count`);
  }
  const minRoots = shard ? Math.max(1, shard.minRoots ?? 32 * shard.count) : 0;
  const maxStates = options.maxStates ?? Infinity;
  const maxDepth = options.maxDepth ?? Infinity;
  const timeLimitMs = options.timeLimit !== undefined ? options.timeLimit * 1000 : Infinity;
  const memoryLimit = options.memoryLimit ?? Infinity;
  const allViolations = options.allViolations ?? false;
  const checkDeadlock = options.deadlock ?? true;
  const onProgress = options.onProgress;
  const progressInterval = options.progressInterval ?? 250;

  const always = model.properties.filter((p) => p.kind === 'always');
  const transitionProps = model.properties.filter((p) => p.kind === 'transition');
  const terminal = model.properties.filter((p) => p.kind === 'terminal');
  const sometimes = model.properties.filter((p) => p.kind === 'sometimes');
  const propById = new Map(model.properties.map((p) => [p.id, p]));
  const nAlways = always.length;
  const nTrans = transitionProps.length;
  const nSome = sometimes.length;
  const validEnd = model.validEnd;
  const narrow = options.checkDomains === false ? [] : schema.narrowFields();
  const outside = schema.domainChecker(narrow);

  const srcW = new Int32Array(words);
  const dstW = new Int32Array(words);
  const src = new Uint8Array(srcW.buffer);
  const dst = new Uint8Array(dstW.buffer);
  const ctx = new RecordingCtx();
  const fired = new Float64Array(nsteps);

  const found: Found[] = [];
  const violated = new Set<string>();
  const someReached = new Int32Array(nSome).fill(-1);
  const someTarget: (Uint8Array | undefined)[] = new Array(nSome);
  let stop = false;
  let incomplete: IncompleteReason | undefined;

  let transitions = 0;
  let curId = 0;
  let enabled = 0;
  let probing = false;
  let boundHit = false;
  let unreducedStates = 0;
  let unreducedTransitions = 0;
  // orbit size of every stored state (for the unreduced transition count)
  let orbits = new Uint16Array(canon !== null ? 1024 : 0);
  const noteOrbit = (id: number, orb: number): void => {
    if (id >= orbits.length) {
      const bigger = new Uint16Array(orbits.length * 2);
      bigger.set(orbits);
      orbits = bigger;
    }
    orbits[id] = orb;
    unreducedStates += orb;
  };
  const imageChecks = canon !== null && canon.size > 1 && !canon.sym.invariantProperties;
  // sharding: the level dealt out, once found
  let splitLevel: number | null = null;
  let splitStart = 0;
  let splitEnd = 0;
  let roots = 0;

  const record = (f: Found): void => {
    if (violated.has(f.property)) return;
    violated.add(f.property);
    found.push(f);
    if (!allViolations) stop = true;
  };

  const checkNew = (id: number, s: Uint8Array): void => {
    const bad = outside(s);
    if (bad >= 0) {
      const f = narrow[bad]!;
      const st = store.parent(id) >= 0 ? steps[store.step(id)]!.id : 'initial state';
      throw new ModelError(`model ${model.name}: ${st} set ${f.name} = ${schema.get(s, f)}, outside its domain ${f.min}..${f.max}`);
    }
    if (imageChecks) {
      // properties need not be invariant under the group: check every image of the new state
      // (canonicalize left them in its table)
      for (let g = 0; g < canon!.size; g++) checkState(id, canon!.image(g), true);
    } else checkState(id, s, false);
  };

  const checkState = (id: number, s: Uint8Array, image: boolean): void => {
    for (let i = 0; i < nAlways; i++) {
      const p = always[i]!;
      if (!violated.has(p.id) && !p.check(s)) {
        record({ property: p.id, kind: 'always', description: p.description, message: p.description, stateId: id, extraStep: -1, source: p.source, target: image ? s.slice() : undefined });
      }
    }
    for (let i = 0; i < nSome; i++) {
      if (someReached[i]! < 0 && sometimes[i]!.check(s)) {
        someReached[i] = id;
        if (image) someTarget[i] = s.slice();
      }
    }
  };

  /** Record the assertions step i raised from state curId (listed in ctx). */
  const recordFailures = (i: number): void => {
    for (let k = 0; k < ctx.ids.length; k++) {
      const pid = ctx.ids[k]!;
      if (violated.has(pid)) continue;
      const p = propById.get(pid);
      record({
        property: pid,
        kind: p?.kind ?? 'assert',
        description: p?.description ?? pid,
        message: ctx.messages[k] ?? p?.description ?? pid,
        stateId: curId,
        extraStep: i,
        source: p?.source,
      });
    }
    ctx.reset();
  };

  /** Check a transition property on the edge src --i--> dst. */
  const checkTransition = (p: Property, i: number): void => {
    if (p.kind !== 'transition') return;
    const r = p.check(src, i, dst);
    if (r !== true) {
      record({ property: p.id, kind: 'transition', description: p.description, message: typeof r === 'string' ? r : p.description, stateId: curId, extraStep: i, source: p.source });
    }
  };

  const emit = (i: number): boolean => {
    enabled++;
    transitions++;
    fired[i]++;
    if (ctx.ids.length > 0) recordFailures(i);
    for (let k = 0; k < nTrans; k++) {
      const p = transitionProps[k]!;
      if (!violated.has(p.id)) checkTransition(p, i);
    }
    if (stop) return false;
    const orb = canon !== null ? canon.canonicalize(dstW) : 1;
    if (probing) {
      // the layer at maxDepth: its edges are checked and counted, but nothing beyond is stored
      if (store.find(dstW) < 0) boundHit = true;
      return true;
    }
    if (store.count >= maxStates) {
      if (store.find(dstW) < 0) {
        incomplete = 'max-states';
        stop = true;
        return false;
      }
      return true;
    }
    const id = store.insert(dstW, curId, i);
    if (id >= 0) {
      if (canon !== null) noteOrbit(id, orb);
      checkNew(id, dst);
    }
    return !stop;
  };

  const expand = successors(model, srcW, dstW);

  // initial states
  for (let k = 0; k < inits.length && !stop; k++) {
    if (inits[k]!.length !== schema.size) throw new ModelError(`model ${model.name}: initial state ${k} has ${inits[k]!.length} bytes, expected ${schema.size}`);
    dst.set(inits[k]!);
    const orb = canon !== null ? canon.canonicalize(dstW) : 1;
    if (store.count >= maxStates && store.find(dstW) < 0) {
      incomplete = 'max-states';
      break;
    }
    const id = store.insert(dstW, -1, k);
    if (id >= 0) {
      if (canon !== null) noteOrbit(id, orb);
      checkNew(id, dst);
    }
  }

  let levels = store.count > 0 ? 1 : 0;
  let levelEnd = store.count;
  let depth = 0;
  let lastCheck = started;
  let lastProgress = started;
  let peakRss = process.memoryUsage.rss();
  if (maxDepth <= 0) probing = true;
  const beginLevel = (start: number, end: number): void => {
    if (shard && splitLevel === null && end - start >= minRoots) {
      splitLevel = depth;
      splitStart = start;
      splitEnd = end;
    }
  };
  beginLevel(0, levelEnd);

  const progress = (now: number): Progress => ({
    states: store.count,
    transitions,
    depth,
    queue: store.count - curId,
    seconds: (now - started) / 1000,
    statesPerSecond: store.count / Math.max(1e-9, (now - started) / 1000),
    rssBytes: peakRss,
  });

  /** When curId is the first state of a new BFS level: count it, and see what it is. */
  const nextLevel = (): void => {
    if (curId !== levelEnd) return;
    depth++;
    levels++;
    levelEnd = store.count;
    if (depth >= maxDepth) probing = true;
    beginLevel(curId, levelEnd);
  };

  /** Level bookkeeping, shard ownership and budgets before expanding state curId. */
  const enterSource = (): 'expand' | 'skip' | 'stop' => {
    nextLevel();
    if (curId < splitEnd && curId >= splitStart) {
      if ((curId - splitStart) % shard!.count !== shard!.index) return 'skip';
      roots++;
    }
    if ((curId & 1023) === 0 && curId > 0) {
      // expanded states are not loaded again (a fingerprint store drops their vectors)
      store.release(curId);
      const now = performance.now();
      if (now - lastCheck > 50) {
        lastCheck = now;
        if (budgetHit(now)) return 'stop';
      }
    }
    return 'expand';
  };

  /** Peak memory, the time and memory limits (setting `incomplete`), and a due progress event. */
  const budgetHit = (now: number): boolean => {
    const rss = process.memoryUsage.rss();
    if (rss > peakRss) peakRss = rss;
    if (options.shouldStop?.()) {
      incomplete = 'interrupted';
      return true;
    }
    if (now - started > timeLimitMs) {
      incomplete = 'time-limit';
      return true;
    }
    if (rss > memoryLimit) {
      incomplete = 'memory-limit';
      return true;
    }
    if (onProgress && now - lastProgress >= progressInterval) {
      lastProgress = now;
      onProgress(progress(now));
    }
    return false;
  };

  /** After the edges of state curId (loaded in src): symmetry counts, terminal and deadlock checks. */
  const leaveSource = (): void => {
    if (enabled !== 0) return;
    const nImg = imageChecks ? canon!.size : 1;
    if (imageChecks) canon!.fill(srcW);
    for (let g = 0; g < nImg; g++) {
      const s = imageChecks ? canon!.image(g) : src;
      for (let k = 0; k < terminal.length; k++) {
        const p = terminal[k]!;
        if (!violated.has(p.id) && !p.check(s)) {
          record({ property: p.id, kind: 'terminal', description: p.description, message: p.description, stateId: curId, extraStep: -1, source: p.source, target: imageChecks ? s.slice() : undefined });
        }
      }
    }
    if (checkDeadlock && !violated.has(DEADLOCK_ID) && !(validEnd && validEnd(src))) {
      record({ property: DEADLOCK_ID, kind: 'deadlock', description: 'no step is enabled and the state is not a valid end state', message: model.describeDeadlock ? model.describeDeadlock(src) : deadlockMessage(model, src), stateId: curId, extraStep: -1 });
    }
  };

  const expandSequential = (): void => {
    store.load(curId, srcW);
    enabled = 0;
    ctx.reset();
    expand(src, dst, ctx, emit);
    if (canon !== null) unreducedTransitions += orbits[curId]! * enabled;
    if (!stop) leaveSource();
  };

  if (!par) {
    for (curId = 0; curId < store.count && !stop; curId++) {
      const e = enterSource();
      if (e === 'stop') break;
      if (e === 'skip') continue;
      expandSequential();
    }
  } else {
    runParallel(par);
  }

  /**
   * The parallel driver: the same per-source bookkeeping, with the edges of each source replayed
   * from a worker's stream instead of expanded here (see parallel.ts).
   */
  function runParallel(opts: ParallelOptions): void {
    const pool = WorkerPool.start(opts.workers, opts.spec, { symmetry: canon !== null, checkDomains: options.checkDomains !== false, expect: { words, steps: nsteps } });
    const buffers = (store as StateStore).buffers.bind(store as StateStore);
    const transRelevant = transitionProps.map((p) => (p.kind === 'transition' && p.relevant ? p.relevant.bind(p) : null));
    /** The transition properties that care about `step`, on src (loaded) -> the successor at e[at..]. */
    const checkRelevant = (e: Int32Array, at: number, step: number): void => {
      for (let k = 0; k < words; k++) dstW[k] = e[at + k]!;
      for (let k = 0; k < nTrans; k++) {
        const p = transitionProps[k]!;
        if (violated.has(p.id) || (transRelevant[k] && !transRelevant[k]!(step))) continue;
        checkTransition(p, step);
      }
    };
    /** What the workers need for level [a, b): the store as it is now, the properties still live. */
    const levelMessage = (a: number, b: number) => {
      const buf = buffers();
      return {
        start: a,
        end: b,
        vectors: buf.vectors,
        table: buf.table,
        skipAlways: always.filter((p) => violated.has(p.id)).map((p) => p.id),
        skipSome: sometimes.filter((_, i) => someReached[i]! >= 0).map((p) => p.id),
        blockSize: opts.blockSize,
      };
    };
    let claimArena: ClaimArena | null = null;
    // new states per state of the level, as last seen (sizes the claim arena)
    let claimRatio = 4;
    try {
      let halted = false;
      while (curId < store.count && !stop && !halted) {
        const a = curId;
        const b = a === levelEnd ? store.count : levelEnd;
        if (b - a < (opts.minLevel ?? 256)) {
          // a small level is not worth the round trip
          for (; curId < b && !stop; curId++) {
            const e = enterSource();
            if (e === 'stop') {
              halted = true;
              break;
            }
            if (e === 'skip') continue;
            expandSequential();
          }
          continue;
        }
        if (claimable(a, b)) {
          runClaimLevel(a, b);
          continue;
        }
        pool.runLevel(
          levelMessage(a, b),
          (_k, r) => {
            replayBlock(r);
            return !stop && !halted;
          },
        );
        if (stop || halted) break;
      }

      /**
       * Claim mode is used for a level when its discovery keys fit in 31 bits, it is not the
       * shard split level, and it is not the probing layer at maxDepth (those levels replay).
       */
      function claimable(a: number, b: number): boolean {
        if (opts.claim === false) return false;
        if ((b - a) * nsteps >= ClaimArena.DEAD) return false;
        const depthNow = a === levelEnd ? depth + 1 : depth;
        if (depthNow >= maxDepth) return false;
        if (shard && (splitLevel === null ? b - a >= minRoots : a < splitEnd && b > splitStart)) return false;
        return true;
      }

      /**
       * One level in claim mode. Phase 1 (workers): expand, and claim an index slot for every
       * successor new to the store, keeping per candidate its smallest discovery key. Phase 2
       * (here): insert the candidates in key order — the order the sequential search inserts
       * them — interleaved, by key, with what else the sequential search does on the way:
       * assertion failures and relevant edges (transition properties), state checks of new
       * states, terminal states. A stop there truncates the level exactly where the sequential
       * search would have stopped; the edge counts up to that point are recounted.
       */
      function runClaimLevel(a: number, b: number): void {
        nextLevel();
        if (budgetHit(performance.now())) {
          halted = true;
          return;
        }
        const ss = store as StateStore;
        let results: BlockResult[];
        let arena: ClaimArena;
        let nCand: number;
        for (let want = Math.ceil((b - a) * claimRatio * 1.25) + 1024; ; want *= 2) {
          ss.reserve(want);
          const capacity = ss.room;
          if (!claimArena || claimArena.capacity < capacity) claimArena = new ClaimArena(words, capacity);
          arena = claimArena;
          Atomics.store(pool.ctrl, CTRL.cand, 0);
          Atomics.store(pool.ctrl, CTRL.overflow, 0);
          results = [];
          pool.runLevel(
            { ...levelMessage(a, b), claim: { buffers: arena.buffers(), capacity } },
            (k, r) => {
              results[k] = r;
              return true;
            },
          );
          nCand = Math.min(Atomics.load(pool.ctrl, CTRL.cand), capacity);
          if (Atomics.load(pool.ctrl, CTRL.overflow) === 0) break;
          // not enough room: undo every claim (the table is as before the level) and retry bigger
          for (let c = 0; c < nCand; c++) if (arena.keys[c] !== ClaimArena.DEAD) ss.clearSlot(arena.slots[c]!);
        }
        // the candidates in discovery order
        const order = sortByKey(arena.keys, nCand);
        claimRatio = Math.max(0.5, order.length / Math.max(1, b - a));
        // the other events, already in place order within and across blocks (workers emit them in
        // source and step order): key * 4 + kind (fail 0, rel 1, candidate 2, terminal 3)
        const blockSizeUsed = results[0]!.enabled!.length;
        let bk = 0;
        let pos = 0;
        let failAt = 0;
        const nextAt = (): number => {
          while (bk < results.length && pos >= results[bk]!.events.length) {
            bk++;
            pos = 0;
            failAt = 0;
          }
          if (bk >= results.length) return Infinity;
          const e = results[bk]!.events;
          const kind = e[pos]!;
          return kind === EVENT.terminal ? (e[pos + 1]! * nsteps + nsteps - 1) * 4 + 3 : (e[pos + 1]! * nsteps + e[pos + 2]!) * 4 + kind;
        };
        const relCheck = (e: Int32Array, at: number, step: number): void => {
          store.load(curId, srcW);
          checkRelevant(e, at, step);
        };
        let ci = 0;
        let stopAt = -1;
        let stoppedSrc = -1;
        let evAt = nextAt();
        while ((ci < order.length || evAt !== Infinity) && !stop) {
          const cAt = ci < order.length ? arena.keys[order[ci]!]! * 4 + 2 : Infinity;
          if (evAt < cAt) {
            const r = results[bk]!;
            const e = r.events;
            const kind = e[pos]!;
            const off = e[pos + 1]!;
            const step = e[pos + 2]!;
            curId = a + off;
            if (kind === EVENT.fail) {
              const f = r.fails[failAt++]!;
              for (let k = 0; k < f.ids.length; k++) ctx.fail(f.ids[k]!, f.messages[k]);
              recordFailures(step);
              pos += 3;
            } else if (kind === EVENT.rel) {
              relCheck(e, pos + 3, step);
              pos += 3 + words;
            } else {
              store.load(curId, srcW);
              enabled = 0;
              leaveSource();
              pos += 3;
            }
            const at = evAt;
            evAt = nextAt();
            if (stop) {
              stopAt = at;
              stoppedSrc = off;
              // the sequential search still checks the transition properties of a failing edge
              if (kind === EVENT.fail && evAt === at + 1) {
                relCheck(results[bk]!.events, pos + 3, step);
                pos += 3 + words;
              }
            }
            continue;
          }
          const c = order[ci++]!;
          const key = arena.keys[c]!;
          const off = Math.floor(key / nsteps);
          const step = key - off * nsteps;
          curId = a + off;
          if (store.count >= maxStates) {
            incomplete = 'max-states';
            stop = true;
            stopAt = key * 4 + 2;
            stoppedSrc = off;
            break;
          }
          arena.load(c, dstW);
          const id = ss.insertClaimed(dstW, arena.hashes[c]!, arena.slots[c]!, curId, step);
          if (canon !== null) noteOrbit(id, arena.orbits[c]!);
          if (arena.flags[c]) {
            if (imageChecks) canon!.fill(dstW);
            checkNew(id, dst);
          }
          if (stop) {
            stopAt = key * 4 + 2;
            stoppedSrc = off;
          }
        }
        if (!stop) {
          // every edge of the level counts
          for (const [k, r] of results.entries()) {
            const en = r.enabled!;
            const base = k * blockSizeUsed;
            for (let j = 0; j < en.length; j++) {
              transitions += en[j]!;
              if (canon !== null) unreducedTransitions += orbits[a + base + j]! * en[j]!;
            }
            const fr = r.fired!;
            for (let i = 0; i < nsteps; i++) fired[i] += fr[i]!;
          }
          curId = b;
          return;
        }
        // stopped inside the level: count the edges the sequential search had counted by then —
        // whole blocks before the stopping source's block, then that block recounted here
        const stopBlock = Math.floor(stoppedSrc / blockSizeUsed);
        for (let k = 0; k < stopBlock; k++) {
          const r = results[k]!;
          for (let j = 0; j < r.enabled!.length; j++) {
            transitions += r.enabled![j]!;
            if (canon !== null) unreducedTransitions += orbits[a + k * blockSizeUsed + j]! * r.enabled![j]!;
          }
          for (let i = 0; i < nsteps; i++) fired[i] += r.fired![i]!;
        }
        const lastKey = Math.floor(stopAt / 4);
        for (let off = stopBlock * blockSizeUsed; off <= stoppedSrc; off++) {
          store.load(a + off, srcW);
          let n = 0;
          ctx.reset();
          expand(src, dst, ctx, (i) => {
            if (off === stoppedSrc && off * nsteps + i > lastKey) return false;
            n++;
            fired[i]++;
            transitions++;
            return true;
          });
          ctx.reset();
          if (canon !== null) unreducedTransitions += orbits[a + off]! * n;
        }
        curId = a + stoppedSrc;
      }

      function replayBlock(r: BlockResult): void {
        const ev = r.events;
        let at = 0;
        let failAt = 0;
        // [orbit size under symmetry], hash, vector
        const candWords = canon !== null ? words + 2 : words + 1;
        while (at < ev.length) {
          const n = ev[at++]!;
          if (n < 0) {
            halted = true;
            return;
          }
          const e = enterSource();
          if (e === 'stop') {
            halted = true;
            return;
          }
          if (e === 'skip') {
            // step over this source's edges
            for (let j = 0; j < n; j++) {
              const fl = ev[at++]! >>> 24;
              if (fl & FLAG.fail) failAt++;
              if (fl & FLAG.rel) at += words;
              if (fl & FLAG.cand) at += candWords;
            }
            curId++;
            continue;
          }
          store.load(curId, srcW);
          enabled = 0;
          for (let j = 0; j < n && !stop; j++) {
            const code = ev[at++]!;
            const i = code & 0xffffff;
            const fl = code >>> 24;
            enabled++;
            transitions++;
            fired[i]++;
            if (fl & FLAG.fail) {
              const f = r.fails[failAt++]!;
              for (let k = 0; k < f.ids.length; k++) ctx.fail(f.ids[k]!, f.messages[k]);
              recordFailures(i);
            }
            if (fl & FLAG.rel) {
              checkRelevant(ev, at, i);
              at += words;
            }
            if (stop) {
              if (fl & FLAG.cand) at += candWords;
              break;
            }
            if (fl & FLAG.cand) {
              const orb = canon !== null ? ev[at++]! : 1;
              const h = ev[at++]!;
              for (let k = 0; k < words; k++) dstW[k] = ev[at++]!;
              if (probing) {
                if (store.find(dstW) < 0) boundHit = true;
                continue;
              }
              if (store.count >= maxStates) {
                if (store.find(dstW) < 0) {
                  incomplete = 'max-states';
                  stop = true;
                }
                continue;
              }
              const id = (store as StateStore).insertHashed(dstW, h, curId, i);
              if (id >= 0) {
                if (canon !== null) noteOrbit(id, orb);
                if (fl & FLAG.check) {
                  if (imageChecks) canon!.fill(dstW);
                  checkNew(id, dst);
                }
              }
            }
          }
          if (stop) return;
          if (canon !== null) unreducedTransitions += orbits[curId]! * enabled;
          leaveSource();
          if (stop) return;
          curId++;
        }
      }
    } finally {
      pool.close();
    }
  }
  if (!incomplete && boundHit) incomplete = 'max-depth';
  if (!incomplete && stop && found.length === 0) incomplete = 'stopped';
  const complete = !incomplete && !stop;

  // before any trace is rebuilt: rebuilding calls model.init(), which may reset what the
  // accumulating properties learned
  const facts = factsOf(transitionProps);
  const end = performance.now();
  const rss = process.memoryUsage.rss();
  if (rss > peakRss) peakRss = rss;
  if (onProgress) onProgress(progress(end));

  const violations: Violation[] = found.map((f) => ({
    property: f.property,
    kind: f.kind,
    description: f.description,
    message: f.message,
    trace: buildTrace(model, store, f.stateId, {
      extraStep: f.extraStep,
      canon,
      target: f.target,
      edgeOk: f.kind === 'assert' ? (_b, _j, _a, fails) => fails.includes(f.property) : undefined,
    }),
    source: f.source,
  }));
  const covers: CoverEntry[] = sometimes.map((p, i) => {
    const id = someReached[i]!;
    if (id < 0) return { property: p.id, description: p.description, reached: false };
    const trace = buildTrace(model, store, id, { canon, target: someTarget[i] });
    return { property: p.id, description: p.description, reached: true, depth: trace.steps.length, trace };
  });
  // a shard cannot tell that a branch is unreachable: another shard may reach it
  if (complete && splitLevel === null) {
    for (const c of covers) {
      const p = propById.get(c.property)!;
      if (!c.reached && p.kind === 'sometimes' && (options.failOnUnreachedCover || p.failIfUnreached)) {
        violations.push({ property: p.id, kind: 'sometimes', description: p.description, message: `never reached: ${p.description}`, trace: null, source: p.source });
      }
    }
  }
  const seconds = (end - started) / 1000;
  const levelsOut = levels;
  return {
    model: model.name,
    status: violations.length > 0 ? 'violation' : incomplete ? 'incomplete' : 'pass',
    incompleteReason: incomplete,
    complete,
    stats: {
      states: store.count,
      transitions,
      levels: levelsOut,
      depth: Math.max(0, levelsOut - 1),
      seconds,
      statesPerSecond: store.count / Math.max(seconds, 1e-9),
      stateBytes: schema.size,
      bytesPerState: store.count > 0 ? store.bytes / store.count : 0,
      storeBytes: store.bytes,
      peakRssBytes: peakRss,
      ...(canon !== null
        ? { symmetry: { group: canon.sym.size, description: canon.sym.description, unreducedStates, unreducedTransitions, reduction: unreducedStates / Math.max(1, store.count) } }
        : {}),
      ...(options.fingerprint ? { fingerprint: { bits: 64 as const, collisionProbability: fingerprintCollisionProbability(store.count) } } : {}),
      ...(shard ? { shard: { index: shard.index, count: shard.count, splitLevel, roots: splitLevel === null ? 0 : roots, levelSize: splitEnd - splitStart } } : {}),
      ...(par ? { workers: par.workers } : {}),
    },
    violations,
    covers,
    coverage: steps.map((s, i) => ({ step: s.id, process: s.process, fired: fired[i]! })),
    properties: [
      ...model.properties.map((p) => ({ id: p.id, kind: p.kind as PropertyKind, description: p.description, source: p.source })),
      ...(checkDeadlock ? [{ id: DEADLOCK_ID, kind: 'deadlock' as PropertyKind, description: 'no reachable state where nothing can move and the state is not a valid end' }] : []),
    ],
    info: model.info,
    ...(facts ?? {}),
  };
}

/**
 * The model's successor generator: its compiled `expand`, or the loop over `steps` that it must
 * be equivalent to (guard, copy of the source words `srcW` into `dstW`, apply in place, emit).
 */
export function successors(model: Model, srcW: Int32Array, dstW: Int32Array): NonNullable<Model['expand']> {
  if (model.expand) return model.expand;
  const steps = model.steps;
  const n = steps.length;
  const words = srcW.length;
  return (s, d, c, em) => {
    for (let i = 0; i < n; i++) {
      const st = steps[i]!;
      if (!st.guard(s)) continue;
      for (let k = 0; k < words; k++) dstW[k] = srcW[k]!;
      if (st.apply(d, c) === false) {
        (c as RecordingCtx).reset();
        continue;
      }
      if (!em(i)) return;
    }
  };
}

/** The candidates c < n whose key is not DEAD, in increasing key order (LSD radix sort, 2 x 16 bits). */
function sortByKey(keys: Int32Array, n: number): Int32Array {
  let live = 0;
  for (let c = 0; c < n; c++) if (keys[c] !== ClaimArena.DEAD) live++;
  let a = new Int32Array(live);
  let b = new Int32Array(live);
  for (let c = 0, j = 0; c < n; c++) if (keys[c] !== ClaimArena.DEAD) a[j++] = c;
  const count = new Int32Array(65537);
  for (const shift of [0, 16]) {
    count.fill(0);
    for (let j = 0; j < live; j++) count[((keys[a[j]!]! >>> shift) & 0xffff) + 1]!++;
    for (let d = 0; d < 65536; d++) count[d + 1]! += count[d]!;
    for (let j = 0; j < live; j++) b[count[(keys[a[j]!]! >>> shift) & 0xffff]!++] = a[j]!;
    [a, b] = [b, a];
  }
  return a;
}

function factsOf(props: readonly Property[]): { facts: Record<string, unknown> } | undefined {
  const facts: Record<string, unknown> = {};
  let any = false;
  for (const p of props) {
    if (p.kind === 'transition' && p.facts) {
      facts[p.id] = p.facts();
      any = true;
    }
  }
  return any ? { facts } : undefined;
}

function deadlockMessage(model: Model, s: Uint8Array): string {
  return `no step enabled in a state that is not a valid end: ${Object.entries(model.schema.decode(s))
    .filter(([n]) => n.endsWith('pc') || n.endsWith('.state'))
    .map(([n, v]) => `${n}=${String(v)}`)
    .join(', ')}`.replace(/: $/, '');
}
