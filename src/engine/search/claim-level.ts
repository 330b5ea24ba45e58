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
  if (!run.claimArena || run.claimArena.capacity < capacity) run.claimArena = new ClaimArena(s.words, capacity);
  const arena = run.claimArena;
  Atomics.store(pool.ctrl, CTRL.cand, 0);
  Atomics.store(pool.ctrl, CTRL.overflow, 0);
  let full = false;
  let first = a;
  pool.runLevel(
    { ...run.levelMessage(a, b), claim: { buffers: arena.buffers(), capacity } },
    (_k, r) => {
      if (!r.whole) {
        full = true;
        return false;
      }
      const size = r.enabled!.length;
      const stopped = settleBlock(run, a, first, r, arena);
      if (stopped !== null) {
        recountTo(run, a, first, stopped.src, stopped.at);
        s.curId = a + stopped.src;
        return false;
      }
      countBlock(run, first, r);
      first += size;
      s.curId = first;
      return true;
    },
    true,
  );
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
function settleBlock(run: ParallelRun, a: number, first: number, r: BlockResult, arena: ClaimArena): { src: number; at: number } | null {
  const s = run.s;
  const { nsteps, words, ctx } = s;
  const ss = run.store;
  const e = r.events;
  const cands = r.cands!;
  // the block's key range: candidates lowered by an earlier block belong to it
  const lo = (first - a) * nsteps;
  const hi = (first - a + r.enabled!.length) * nsteps;
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
    const c = cands[ci++]!;
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
    cAt = nextCand();
  }
  return null;
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
