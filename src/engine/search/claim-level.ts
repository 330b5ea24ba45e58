/**
 * States [a, b) of a level in claim mode, pipelined. The workers expand blocks of sources and
 * claim an index slot for every successor new to the store, keeping per candidate its smallest
 * discovery key (source offset x steps + step). Meanwhile, block by block in source order, this
 * thread does what the sequential search does for the block: it inserts the block's candidates
 * in key order — the order the sequential search inserts them — interleaved, by key, with the
 * other events of the block: assertion failures and relevant edges (transition properties),
 * state checks of new states, terminal states.
 *
 * Why a block can be settled while later blocks are still being expanded: once blocks 0..k are
 * done, no candidate whose key lies in block k's range can change — a key is only ever lowered,
 * by a discovery with a smaller key, i.e. from an earlier block. Each block lists the candidates
 * it claimed or lowered, in its discovery order; those whose key is still in its range are
 * exactly the states the sequential search first meets in that block, already in key order.
 *
 * A stop (a violation, a budget) truncates the block where the sequential search stops; the edges
 * counted up to there are recounted here. When the arena of candidates runs out of room, the
 * blocks settled so far stand, the claims of the rest are undone and the rest of the level runs
 * again with a bigger arena.
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
  const cap = run.opts.maxClaims ?? Infinity;
  for (let tries = 0; s.curId < b && !s.stop; tries++) {
    const before = run.store.count;
    const from = s.curId;
    const want = Math.min(Math.ceil((b - from) * run.claimRatio * 1.5) + 4096, cap) * 2 ** tries;
    const outcome = claimSlice(run, from, b, want);
    if (s.curId > from) run.claimRatio = Math.max(0.5, (run.store.count - before) / (s.curId - from));
    if (outcome !== 'full') return;
  }
}

/**
 * One try at [a, b) with room for `want` candidates: 'done' (the slice, or the search, ended)
 * or 'full' (the arena ran out; s.curId is where settling stopped).
 */
function claimSlice(run: ParallelRun, a: number, b: number, want: number): 'done' | 'full' {
  const { s, pool, store: ss } = run;
  ss.reserve(want);
  // this thread inserts while the workers read the store: they must know every vector chunk
  // it writes to, so no more candidates than chunks reserved
  const capacity = want;
  ss.reserveVectors(capacity);
  if (!run.claimArena || run.claimArena.capacity < capacity) run.claimArena = new ClaimArena(ss.storedWords, capacity);
  const arena = run.claimArena;
  Atomics.store(pool.ctrl, CTRL.cand, 0);
  Atomics.store(pool.ctrl, CTRL.overflow, 0);
  // the workers store the new states themselves unless an orbit tally needs each id, or the
  // store could reach its limit within the slice (this thread then stops at the limit)
  const byWorkers = run.opts.workersSettle !== false && s.tally === null && ss.count + capacity <= s.maxStates;
  const counts = byWorkers ? new Int32Array(new SharedArrayBuffer(4 * pool.blocking(b - a, true, run.opts.blockSize).nBlocks)) : null;
  // byWorkers: the first id of each block, as far as known
  const bases: number[] = [ss.count];
  let settled = 0;
  let stop: { block: number; rank: number } | null = null;
  let full = false;
  let first = a;
  pool.runLevel(
    { ...run.levelMessage(a, b), claim: { buffers: arena.buffers(), capacity, ...(counts !== null ? { counts: counts.buffer as SharedArrayBuffer } : {}) } },
    (k, r) => {
      if (!r.whole) {
        full = true;
        return false;
      }
      const size = r.enabled!.length;
      const stopped = settleBlock(run, a, first, r, arena, counts !== null ? bases[k]! : null);
      if (counts !== null) bases.push(bases[k]! + Atomics.load(counts, k));
      if (stopped !== null) {
        recountTo(run, a, first, stopped.src, stopped.at);
        s.curId = a + stopped.src;
        stop = { block: k, rank: stopped.at };
        return false;
      }
      countBlock(run, first, r);
      first += size;
      s.curId = first;
      settled = k + 1;
      return true;
    },
    true,
  );
  if (counts !== null) {
    const st = stop as { block: number; rank: number } | null;
    const stored = pool.settle({ bases: Int32Array.from(bases), upTo: settled, stopBlock: st?.block ?? -1, stopRank: st?.rank ?? -1 });
    ss.adoptSettled(bases[0]! + stored);
  }
  if (!full) return 'done';
  // undo the claims not settled (the index is then as if the level had begun at s.curId)
  ss.dropClaims();
  return 'full';
}

/**
 * Settle block r (sources from `first`; offsets and keys relative to the slice start `a`): its
 * candidates and other events in key order. The events are in place order (workers emit them in
 * source and step order), ranked by key * 4 + kind (fail 0, rel 1, candidate 2, terminal 3).
 * Returns null, or where the search stopped: the source offset and the rank of the stopping event.
 */
function settleBlock(run: ParallelRun, a: number, first: number, r: BlockResult, arena: ClaimArena, base: number | null): { src: number; at: number } | null {
  const s = run.s;
  const { nsteps, words, ctx } = s;
  const ss = run.store;
  const e = r.events;
  // the block's key range: candidates lowered by an earlier block belong to it
  const lo = (first - a) * nsteps;
  const hi = (first - a + r.enabled!.length) * nsteps;
  // base null: every candidate is inserted here; else the workers store them from id `base` on,
  // and only the flagged ones are visited here (their ids: base + rank among the block's)
  const { cands, ids } = base === null ? { cands: r.cands!, ids: null } : flaggedSurvivors(r, arena, lo, hi, base);
  let pos = 0;
  let failAt = 0;
  let ci = 0;
  const nextCand = (): number => {
    while (ci < cands.length) {
      const key = arena.keys[cands[ci]!]!;
      if (key >= lo && key < hi) return key * 4 + 2;
      ci++;
    }
    return Infinity;
  };
  const eventAt = (): number => {
    if (pos >= e.length) return Infinity;
    const kind = e[pos]!;
    return kind === EVENT.terminal ? (e[pos + 1]! * nsteps + nsteps - 1) * 4 + 3 : (e[pos + 1]! * nsteps + e[pos + 2]!) * 4 + kind;
  };
  const relCheck = (at: number, step: number): void => {
    s.store.load(s.curId, s.srcW);
    run.checkRelevant(e, at, step);
  };
  let cAt = nextCand();
  let evAt = eventAt();
  while ((cAt !== Infinity || evAt !== Infinity) && !s.stop) {
    if (evAt < cAt) {
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
        relCheck(pos + 3, step);
        pos += 3 + words;
      } else if (kind === EVENT.bad) {
        // a successor outside the domains: the store refuses it as the sequential search's does
        for (let k = 0; k < words; k++) s.dstW[k] = e[pos + 3 + k]!;
        if (ss.count >= s.maxStates) {
          s.incomplete = 'max-states';
          s.stop = true;
        } else ss.insert(s.dstW, s.curId, step);
        pos += 3 + words;
      } else {
        s.store.load(s.curId, s.srcW);
        s.enabled = 0;
        s.leaveSource();
        pos += 3;
      }
      const at = evAt;
      evAt = eventAt();
      if (s.stop) {
        // the sequential search still checks the transition properties of a failing edge
        if (kind === EVENT.fail && evAt === at + 1) relCheck(pos + 3, step);
        return { src: off, at };
      }
      continue;
    }
    const c = cands[ci]!;
    const key = arena.keys[c]!;
    const off = Math.floor(key / nsteps);
    const step = key - off * nsteps;
    s.curId = a + off;
    if (ids !== null) {
      // stored by a worker later (settle-claims.ts): its links are needed now (a domain error names them)
      const id = ids[ci++]!;
      ss.setLinks(id, s.curId, step);
      arena.load(c, run.storedBuf);
      ss.fromStored(run.storedBuf, s.dstW);
      if (s.obs.imageChecks) s.canon!.fill(s.dstW);
      s.obs.newState(id, s.dst);
      if (s.stop) return { src: off, at: key * 4 + 2 };
      cAt = nextCand();
      continue;
    }
    ci++;
    if (ss.count >= s.maxStates) {
      s.incomplete = 'max-states';
      s.stop = true;
      return { src: off, at: key * 4 + 2 };
    }
    arena.load(c, run.storedBuf);
    const id = ss.insertClaimed(run.storedBuf, arena.hashes[c]!, arena.slots[c]!, s.curId, step);
    if (s.tally !== null) s.tally.note(id, arena.orbits[c]!);
    if (arena.flags[c]) {
      ss.fromStored(run.storedBuf, s.dstW);
      if (s.obs.imageChecks) s.canon!.fill(s.dstW);
      s.obs.newState(id, s.dst);
    }
    if (s.stop) return { src: off, at: key * 4 + 2 };
    cAt = nextCand();
  }
  return null;
}

/**
 * Workers settling: the block's flagged candidates (a state property may fail or a cover be
 * reached in them) with the ids the workers will give them — base + rank among the candidates
 * whose key lies in [lo, hi), which come in key order.
 */
function flaggedSurvivors(r: BlockResult, arena: ClaimArena, lo: number, hi: number, base: number): { cands: Int32Array; ids: Int32Array } {
  if (!r.flagged) return { cands: new Int32Array(0), ids: new Int32Array(0) };
  const all = r.cands!;
  const cands: number[] = [];
  const ids: number[] = [];
  let rank = 0;
  for (let j = 0; j < all.length; j++) {
    const c = all[j]!;
    const key = arena.keys[c]!;
    if (key < lo || key >= hi) continue;
    if (arena.flags[c]) {
      cands.push(c);
      ids.push(base + rank);
    }
    rank++;
  }
  return { cands: Int32Array.from(cands), ids: Int32Array.from(ids) };
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
 * Stopped inside the block that begins at `first`, at rank `stopAt`, from source offset
 * `stoppedSrc` (offsets from the slice start `a`): count the edges the sequential search had
 * counted by then in this block, up to the stopping edge (where the sequential search's emit
 * returned false: so this thread's model also counts the dropped transitions it met on the way).
 */
function recountTo(run: ParallelRun, a: number, first: number, stoppedSrc: number, stopAt: number): void {
  const s = run.s;
  const { nsteps, src, dst, srcW, ctx } = s;
  const lastKey = Math.floor(stopAt / 4);
  for (let off = first - a; off <= stoppedSrc; off++) {
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
