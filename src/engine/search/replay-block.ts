/**
 * Replay mode: a worker's block of sources with every edge as an event stream (see ../parallel.ts);
 * the owner replays it in source order, through the same per-source protocol as the sequential
 * search, inserting the candidates itself.
 */
import { FLAG, type BlockResult } from '../parallel.js';
import type { ParallelRun } from './parallel.js';

export function replayBlock(run: ParallelRun, r: BlockResult): void {
  const first = run.s.curId;
  const cut = replaySources(run, r);
  settleDrops(run, r, first, cut);
}

/**
 * How far the sequential search got through a block: every state below `end` expanded (those of
 * another shard excepted), then state `partial` (if not null) up to and including step `step`.
 */
interface Cut {
  readonly end: number;
  readonly partial: number | null;
  readonly step: number;
  /** Some state of the block was left to another shard. */
  readonly skipped: boolean;
  /** The sequential search went through the whole block. */
  readonly whole: boolean;
}

/**
 * The workers' dropped transitions of the block (search/dropped.ts): all of them when the
 * sequential search would have expanded the whole block; otherwise the part it would have
 * expanded is expanded again here, counted by this thread's model.
 */
function settleDrops(run: ParallelRun, r: BlockResult, first: number, cut: Cut): void {
  if (r.drops === undefined) return;
  if (cut.whole && !cut.skipped) {
    run.drops.add(r.drops);
    return;
  }
  const s = run.s;
  const { src, dst, srcW, ctx } = s;
  for (let id = first; id < cut.end; id++) {
    if (s.split !== null && s.split.elsewhere(id)) continue;
    s.store.load(id, srcW);
    ctx.reset();
    s.expand(src, dst, ctx, () => true);
  }
  if (cut.partial !== null) {
    s.store.load(cut.partial, srcW);
    ctx.reset();
    s.expand(src, dst, ctx, (i) => i < cut.step);
  }
  ctx.reset();
}

function replaySources(run: ParallelRun, r: BlockResult): Cut {
  const s = run.s;
  let skipped = false;
  const stopped = (partial: number | null, step: number): Cut => ({ end: partial ?? s.curId, partial, step, skipped, whole: false });
  const { words, dstW } = s;
  const ev = r.events;
  let at = 0;
  let failAt = 0;
  // [orbit size under symmetry], hash, vector
  const candWords = s.canon !== null ? words + 2 : words + 1;
  while (at < ev.length) {
    const n = ev[at++]!;
    if (n < 0) {
      run.halted = true;
      return stopped(null, 0);
    }
    const e = s.enterSource();
    if (e === 'stop') {
      run.halted = true;
      return stopped(null, 0);
    }
    if (e === 'skip') {
      skipped = true;
      // step over this source's edges
      for (let j = 0; j < n; j++) {
        const fl = ev[at++]! >>> 24;
        if (fl & FLAG.fail) failAt++;
        if (fl & FLAG.rel) at += words;
        if (fl & FLAG.cand) at += candWords;
      }
      s.curId++;
      continue;
    }
    s.store.load(s.curId, s.srcW);
    s.enabled = 0;
    let i = 0;
    for (let j = 0; j < n && !s.stop; j++) {
      const code = ev[at++]!;
      i = code & 0xffffff;
      const fl = code >>> 24;
      s.enabled++;
      s.transitions++;
      s.fired[i]++;
      if (fl & FLAG.fail) {
        const f = r.fails[failAt++]!;
        for (let k = 0; k < f.ids.length; k++) s.ctx.fail(f.ids[k]!, f.messages[k]);
        s.obs.failures(s.curId, i);
      }
      if (fl & FLAG.rel) {
        run.checkRelevant(ev, at, i);
        at += words;
      }
      if (s.stop) {
        if (fl & FLAG.cand) at += candWords;
        break;
      }
      if (fl & FLAG.cand) {
        const orb = s.canon !== null ? ev[at++]! : 1;
        const h = ev[at++]!;
        for (let k = 0; k < words; k++) dstW[k] = ev[at++]!;
        insertCandidate(run, h, i, orb, (fl & FLAG.check) !== 0);
      }
    }
    if (s.stop) return stopped(s.curId, i);
    if (s.tally !== null) s.tally.edges(s.curId, s.enabled);
    s.leaveSource();
    if (s.stop) return { end: s.curId + 1, partial: null, step: 0, skipped, whole: false };
    s.curId++;
  }
  return { end: s.curId, partial: null, step: 0, skipped, whole: true };
}

/** The successor in dstW (hash h) of curId by step i: store it unless probing or full. */
function insertCandidate(run: ParallelRun, h: number, i: number, orb: number, check: boolean): void {
  const s = run.s;
  const store = s.store;
  if (s.probing) {
    if (store.find(s.dstW) < 0) s.boundHit = true;
    return;
  }
  if (store.count >= s.maxStates) {
    if (store.find(s.dstW) < 0) {
      s.incomplete = 'max-states';
      s.stop = true;
    }
    return;
  }
  const id = run.store.insertHashed(s.dstW, h, s.curId, i);
  if (id >= 0) {
    if (s.tally !== null) s.tally.note(id, orb);
    if (check) {
      if (s.obs.imageChecks) s.canon!.fill(s.dstW);
      s.obs.newState(id, s.dst);
    }
  }
}
