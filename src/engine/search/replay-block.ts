/**
 * Replay mode: a worker's block of sources with every edge as an event stream (see ../parallel.ts);
 * the owner replays it in source order, through the same per-source protocol as the sequential
 * search, inserting the candidates itself.
 */
import { FLAG, type BlockResult } from '../parallel.js';
import type { ParallelRun } from './parallel.js';

export function replayBlock(run: ParallelRun, r: BlockResult): void {
  const s = run.s;
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
      return;
    }
    const e = s.enterSource();
    if (e === 'stop') {
      run.halted = true;
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
      s.curId++;
      continue;
    }
    s.store.load(s.curId, s.srcW);
    s.enabled = 0;
    for (let j = 0; j < n && !s.stop; j++) {
      const code = ev[at++]!;
      const i = code & 0xffffff;
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
    if (s.stop) return;
    if (s.tally !== null) s.tally.edges(s.curId, s.enabled);
    s.leaveSource();
    if (s.stop) return;
    s.curId++;
  }
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
