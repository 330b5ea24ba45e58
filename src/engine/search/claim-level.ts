/**
 * One level in claim mode. Phase 1 (workers): expand, and claim an index slot for every
 * successor new to the store, keeping per candidate its smallest discovery key. Phase 2
 * (here): insert the candidates in key order — the order the sequential search inserts
 * them — interleaved, by key, with what else the sequential search does on the way:
 * assertion failures and relevant edges (transition properties), state checks of new
 * states, terminal states. A stop there truncates the level exactly where the sequential
 * search would have stopped; the edge counts up to that point are recounted.
 */
import { CTRL, EVENT, type BlockResult } from '../parallel.js';
import { ClaimArena } from '../store.js';
import type { ParallelRun } from './parallel.js';

export function runClaimLevel(run: ParallelRun, a: number, b: number): void {
  const s = run.s;
  s.nextLevel();
  if (!s.withinBudget()) {
    run.halted = true;
    return;
  }
  const { results, arena, nCand } = claimPhase(run, a, b);
  // the candidates in discovery order
  const order = sortByKey(arena.keys, nCand);
  run.claimRatio = Math.max(0.5, order.length / Math.max(1, b - a));
  const stopped = replayInKeyOrder(run, a, results, arena, order);
  if (stopped === null) {
    countLevel(run, a, results);
    s.curId = b;
    return;
  }
  recountTo(run, a, results, stopped.src, stopped.at);
  s.curId = a + stopped.src;
}

/** Phase 1: the workers expand [a, b) and claim slots, in an arena grown until it is big enough. */
function claimPhase(run: ParallelRun, a: number, b: number): { results: BlockResult[]; arena: ClaimArena; nCand: number } {
  const { s, pool, store: ss } = run;
  for (let want = Math.ceil((b - a) * run.claimRatio * 1.25) + 1024; ; want *= 2) {
    ss.reserve(want);
    const capacity = ss.room;
    if (!run.claimArena || run.claimArena.capacity < capacity) run.claimArena = new ClaimArena(s.words, capacity);
    const arena = run.claimArena;
    Atomics.store(pool.ctrl, CTRL.cand, 0);
    Atomics.store(pool.ctrl, CTRL.overflow, 0);
    const results: BlockResult[] = [];
    pool.runLevel({ ...run.levelMessage(a, b), claim: { buffers: arena.buffers(), capacity } }, (k, r) => {
      results[k] = r;
      return true;
    });
    const nCand = Math.min(Atomics.load(pool.ctrl, CTRL.cand), capacity);
    if (Atomics.load(pool.ctrl, CTRL.overflow) === 0) return { results, arena, nCand };
    // not enough room: undo every claim (the table is as before the level) and retry bigger
    for (let c = 0; c < nCand; c++) if (arena.keys[c] !== ClaimArena.DEAD) ss.clearSlot(arena.slots[c]!);
  }
}

/**
 * Phase 2: the candidates and the other events in key order. The other events are already in
 * place order within and across blocks (workers emit them in source and step order), ranked by
 * key * 4 + kind (fail 0, rel 1, candidate 2, terminal 3). Returns null, or where the search
 * stopped: the source offset and the rank of the stopping event.
 */
function replayInKeyOrder(run: ParallelRun, a: number, results: BlockResult[], arena: ClaimArena, order: Int32Array): { src: number; at: number } | null {
  const s = run.s;
  const { nsteps, words, ctx } = s;
  const ss = run.store;
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
    s.store.load(s.curId, s.srcW);
    run.checkRelevant(e, at, step);
  };
  let ci = 0;
  let evAt = nextAt();
  while ((ci < order.length || evAt !== Infinity) && !s.stop) {
    const cAt = ci < order.length ? arena.keys[order[ci]!]! * 4 + 2 : Infinity;
    if (evAt < cAt) {
      const r = results[bk]!;
      const e = r.events;
      const kind = e[pos]!;
      const off = e[pos + 1]!;
      const step = e[pos + 2]!;
      s.curId = a + off;
      if (kind === EVENT.fail) {
        const f = r.fails[failAt++]!;
        for (let k = 0; k < f.ids.length; k++) ctx.fail(f.ids[k]!, f.messages[k]);
        s.obs.failures(s.curId, step);
        pos += 3;
      } else if (kind === EVENT.rel) {
        relCheck(e, pos + 3, step);
        pos += 3 + words;
      } else {
        s.store.load(s.curId, s.srcW);
        s.enabled = 0;
        s.leaveSource();
        pos += 3;
      }
      const at = evAt;
      evAt = nextAt();
      if (s.stop) {
        // the sequential search still checks the transition properties of a failing edge
        if (kind === EVENT.fail && evAt === at + 1) {
          relCheck(results[bk]!.events, pos + 3, step);
          pos += 3 + words;
        }
        return { src: off, at };
      }
      continue;
    }
    const c = order[ci++]!;
    const key = arena.keys[c]!;
    const off = Math.floor(key / nsteps);
    const step = key - off * nsteps;
    s.curId = a + off;
    if (ss.count >= s.maxStates) {
      s.incomplete = 'max-states';
      s.stop = true;
      return { src: off, at: key * 4 + 2 };
    }
    arena.load(c, s.dstW);
    const id = ss.insertClaimed(s.dstW, arena.hashes[c]!, arena.slots[c]!, s.curId, step);
    if (s.tally !== null) s.tally.note(id, arena.orbits[c]!);
    if (arena.flags[c]) {
      if (s.obs.imageChecks) s.canon!.fill(s.dstW);
      s.obs.newState(id, s.dst);
    }
    if (s.stop) return { src: off, at: key * 4 + 2 };
  }
  return null;
}

/** No stop: every edge of the level counts. */
function countLevel(run: ParallelRun, a: number, results: BlockResult[]): void {
  const blockSize = results[0]!.enabled!.length;
  for (const [k, r] of results.entries()) countBlock(run, a + k * blockSize, r);
}

/** The edges of one block (its first state `first`) count. */
function countBlock(run: ParallelRun, first: number, r: BlockResult): void {
  const s = run.s;
  const en = r.enabled!;
  for (let j = 0; j < en.length; j++) {
    s.transitions += en[j]!;
    if (s.tally !== null) s.tally.edges(first + j, en[j]!);
  }
  const fr = r.fired!;
  for (let i = 0; i < s.nsteps; i++) s.fired[i] += fr[i]!;
  run.drops.add(r.drops);
}

/**
 * Stopped inside the level at rank `stopAt`, from source offset `stoppedSrc`: count the edges the
 * sequential search had counted by then — whole blocks before the stopping source's block, then
 * that block recounted here, up to the stopping edge (where the sequential search's emit returned
 * false: so this thread's model also counts the dropped transitions it met on the way).
 */
function recountTo(run: ParallelRun, a: number, results: BlockResult[], stoppedSrc: number, stopAt: number): void {
  const s = run.s;
  const { nsteps, src, dst, srcW, ctx } = s;
  const blockSize = results[0]!.enabled!.length;
  const stopBlock = Math.floor(stoppedSrc / blockSize);
  for (let k = 0; k < stopBlock; k++) countBlock(run, a + k * blockSize, results[k]!);
  const lastKey = Math.floor(stopAt / 4);
  for (let off = stopBlock * blockSize; off <= stoppedSrc; off++) {
    s.store.load(a + off, srcW);
    let n = 0;
    ctx.reset();
    s.expand(src, dst, ctx, (i) => {
      n++;
      s.fired[i]++;
      s.transitions++;
      // steps come in increasing order: the stopping edge is the last one
      return !(off === stoppedSrc && off * nsteps + i >= lastKey);
    });
    ctx.reset();
    if (s.tally !== null) s.tally.edges(a + off, n);
  }
}

/** The candidates c < n whose key is not DEAD, in increasing key order (LSD radix sort, 2 x 16 bits). */
function sortByKey(keys: Int32Array, n: number): Int32Array {
  let live = 0;
  for (let c = 0; c < n; c++) if (keys[c] !== ClaimArena.DEAD) live++;
  let x = new Int32Array(live);
  let y = new Int32Array(live);
  for (let c = 0, j = 0; c < n; c++) if (keys[c] !== ClaimArena.DEAD) x[j++] = c;
  const count = new Int32Array(65537);
  for (const shift of [0, 16]) {
    count.fill(0);
    for (let j = 0; j < live; j++) count[((keys[x[j]!]! >>> shift) & 0xffff) + 1]!++;
    for (let d = 0; d < 65536; d++) count[d + 1]! += count[d]!;
    for (let j = 0; j < live; j++) y[count[(keys[x[j]!]! >>> shift) & 0xffff]!++] = x[j]!;
    [x, y] = [y, x];
  }
  return x;
}
