/**
 * A worker thread of the parallel search (see parallel.ts). It rebuilds the model from its spec,
 * then, level by level, takes blocks of the frontier off a shared counter, expands their states
 * against a read-only view of the shared visited set, and posts per block a compact edge stream:
 *
 *   per source:  nEdges            (-1: the level was cancelled before this source)
 *   per edge:    code = step | flags << 24, then the payload the flags announce:
 *                REL  the raw successor (a transition property may care about this step)
 *                CAND [orbit size under symmetry], its hash, the (canonical) successor: not in
 *                     the visited set as far as this worker could see
 *   flags:       FAIL the step raised assertions (listed in `fails`, in edge order)
 *                CHECK a state property may fail or a cover be reached in the candidate
 *
 * Everything that decides the result (insertion order, property records, stopping) stays with
 * the owner of the store, which replays these streams in source order, so the parallel search
 * reports exactly what the sequential one does.
 */
import { workerData, parentPort, type MessagePort } from 'node:worker_threads';
import type { Model } from './model.js';
import { ClaimArena, CLAIM, hashWords, StoreReader } from './store.js';
import { settleClaims, type ExpandedBlock, type LevelShape } from './search/settle-claims.js';
import { Canonicalizer } from './symmetry.js';
import { RecordingCtx } from './trace.js';
import { compileCodec } from './state-codec.js';
import { successors } from './search/successors.js';
import { DropWatch } from './search/dropped.js';
import { CTRL, EVENT, FLAG, buildModelFromSpec, takeBlock, type LevelMessage, type SettleMessage, type WorkerData } from './parallel.js';

/** A growing list of int32s (a worker's event stream, its candidates): push, and a copy of what is in it. */
class IntList {
  data: Int32Array<ArrayBuffer>;
  length = 0;
  constructor(capacity: number) {
    this.data = new Int32Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  /** The entries, copied (transferable). */
  slice(): Int32Array<ArrayBuffer> {
    return this.data.slice(0, this.length);
  }
}

const data = workerData as WorkerData;
const port: MessagePort = data.port;
const ctrl = new Int32Array(data.ctrl);

function signal(): void {
  Atomics.add(ctrl, CTRL.posted, 1);
  // waking a thread costs a system call: only when the owner sleeps
  if (Atomics.load(ctrl, CTRL.waiting) !== 0) Atomics.notify(ctrl, CTRL.posted);
}

let model: Model;
try {
  model = await buildModelFromSpec(data.spec);
} catch (e) {
  port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  signal();
  process.exit(0);
}

run(model);

/** Everything in one function scope: module-level bindings after a top-level await are slow to reach. */
function run(model: Model): void {
  const schema = model.schema;
  const words = schema.words;
  const steps = model.steps;
  const nsteps = steps.length;
  // the store's vectors are packed with the codec the owner compiled from the same schema
  const codec = data.packed ? compileCodec(schema) : null;
  const reader = new StoreReader(words, codec);
  const storedWords = reader.storedWords;
  const packed = new Int32Array(storedWords);
  const canon = data.symmetry && model.symmetry ? new Canonicalizer(model.symmetry, words) : null;
  const imageChecks = canon !== null && canon.size > 1 && !canon.sym.invariantProperties;
  const always = model.properties.filter((p) => p.kind === 'always');
  const sometimes = model.properties.filter((p) => p.kind === 'sometimes');
  const transitionProps = model.properties.filter((p) => p.kind === 'transition');
  const relevantStep = new Uint8Array(nsteps);
  for (let i = 0; i < nsteps; i++) relevantStep[i] = transitionProps.some((p) => !p.relevant || p.relevant(i)) ? 1 : 0;
  // per step, the transition properties it is relevant to: their `observes` (null: every edge counts)
  const observersOf = model.steps.map((_, i) => transitionProps.filter((p) => !p.relevant || p.relevant(i)).map((p) => (p.kind === 'transition' && p.observes ? p.observes.bind(p) : null)));
  /** The edge src -i-> dst may teach or fail a transition property (as far as this worker's copies, taught the owner's facts, see). */
  function observed(i: number): boolean {
    const obs = observersOf[i]!;
    for (let k = 0; k < obs.length; k++) {
      const o = obs[k]!;
      if (o === null || o(src, i, dst)) return true;
    }
    return false;
  }
  const narrow = data.checkDomains ? schema.narrowFields() : [];
  const outside = schema.domainChecker(narrow);

  const srcW = new Int32Array(words);
  const dstW = new Int32Array(words);
  const src = new Uint8Array(srcW.buffer);
  const dst = new Uint8Array(dstW.buffer);
  const ctx = new RecordingCtx();
  const dropWatch = new DropWatch(model);
  // the store's vector chunks, as sent level by level, and views of them and of the link chunks
  const chunks: (ArrayBuffer | SharedArrayBuffer)[] = [];
  const vectorViews: Int32Array<ArrayBufferLike>[] = [];
  const parentViews: Int32Array<ArrayBufferLike>[] = [];
  const stepViews: (Uint16Array<ArrayBufferLike> | Uint32Array<ArrayBufferLike>)[] = [];
  let tableView: Int32Array<ArrayBufferLike> = new Int32Array(2);

  // the block's event stream
  const ev = new IntList(1 << 16);
  const push = (v: number): void => ev.push(v);
  let fails: { ids: string[]; messages: (string | undefined)[] }[] = [];
  let edges = 0;

  // the state properties still worth reporting, refreshed per level
  let liveAlways: ((s: Uint8Array) => boolean)[] = [];
  let liveSome: ((s: Uint8Array) => boolean)[] = [];

  function interesting(s: Uint8Array): boolean {
    if (outside(s) >= 0) return true;
    for (let i = 0; i < liveAlways.length; i++) if (!liveAlways[i]!(s)) return true;
    for (let i = 0; i < liveSome.length; i++) if (liveSome[i]!(s)) return true;
    return false;
  }

  /** The successor in dst (under symmetry: any image, left in the table by canonicalize) is interesting. */
  function newStateFlagged(): boolean {
    if (!imageChecks) return interesting(dst);
    for (let g = 0; g < canon!.size; g++) if (interesting(canon!.image(g))) return true;
    return false;
  }

  const emit = (i: number): boolean => {
    edges++;
    let flags = 0;
    if (ctx.ids.length > 0) {
      flags |= FLAG.fail;
      fails.push({ ids: [...ctx.ids], messages: [...ctx.messages] });
      ctx.reset();
    }
    const codeAt = ev.length;
    push(0);
    if (relevantStep[i] && observed(i)) {
      flags |= FLAG.rel;
      for (let k = 0; k < words; k++) push(dstW[k]!);
    }
    const orb = canon !== null ? canon.canonicalize(dstW) : 1;
    if (reader.find(dstW) < 0) {
      flags |= FLAG.cand;
      if (newStateFlagged()) flags |= FLAG.check;
      if (canon !== null) push(orb);
      push(reader.lastHash);
      for (let k = 0; k < words; k++) push(dstW[k]!);
    }
    ev.data[codeAt] = i | (flags << 24);
    return true;
  };

  const expand = successors(model, srcW, dstW);

  // claim mode (see parallel.ts): the level's arena, the source being expanded, per-block counts
  let arena: ClaimArena | null = null;
  let srcOffset = 0;
  let overflow = false;
  let fired = new Float64Array(nsteps);
  // the candidates this block claimed or lowered the key of, in discovery order
  // the candidates this worker claimed or lowered in the block, in discovery order
  const cands = new IntList(1 << 12);
  // workers settling (see search/settle-claims.ts): per-block counts of candidates, the block
  // being expanded, the blocks expanded in this level, and whether this one has a flagged candidate
  let counts: Int32Array | null = null;
  let curBlock = 0;
  let levelGen = -1;
  let shape: LevelShape = { start: 0, blockSize: 1, nsteps, words: storedWords };
  let expanded: ExpandedBlock[] = [];
  let flaggedBlock = false;
  // what this block adds to the shared counts, added at its end (the counts are read only once it
  // and every block before it are done): to its own, and to those it lowered candidates from
  let ownCount = 0;
  let moved = new Int32Array(0);
  const movedFrom: number[] = [];
  function countMoved(block: number, d: number): void {
    if (moved[block] === 0) movedFrom.push(block);
    moved[block]! += d;
  }
  function publishCounts(): void {
    Atomics.add(counts!, curBlock, ownCount);
    for (const j of movedFrom) {
      Atomics.add(counts!, j, moved[j]!);
      moved[j] = 0;
    }
    movedFrom.length = 0;
    ownCount = 0;
  }
  const flagNew = (): number => (newStateFlagged() ? 1 : 0);

  const emitClaim = (i: number): boolean => {
    edges++;
    fired[i]++;
    if (ctx.ids.length > 0) {
      push(EVENT.fail);
      push(srcOffset);
      push(i);
      fails.push({ ids: [...ctx.ids], messages: [...ctx.messages] });
      ctx.reset();
    }
    if (relevantStep[i] && observed(i)) {
      push(EVENT.rel);
      push(srcOffset);
      push(i);
      for (let k = 0; k < words; k++) push(dstW[k]!);
    }
    if (overflow) return true;
    const orb = canon !== null ? canon.canonicalize(dstW) : 1;
    let sv = dstW;
    if (codec !== null) {
      if (codec.pack(dstW, packed) !== -1) {
        // outside the domains: the owner reports it where the sequential search's insert does
        push(EVENT.bad);
        push(srcOffset);
        push(i);
        for (let k = 0; k < words; k++) push(dstW[k]!);
        return true;
      }
      sv = packed;
    }
    const r = reader.claim(sv, hashWords(sv, 0, storedWords), srcOffset * nsteps + i, arena!, ctrl, CTRL.cand, flagNew, orb);
    if (r === CLAIM.full) {
      overflow = true;
      Atomics.store(ctrl, CTRL.overflow, 1);
    } else if (r === CLAIM.claimed || r === CLAIM.lowered) {
      const c = reader.lastCandidate;
      cands.push(c);
      if (counts !== null) {
        if (r === CLAIM.lowered) countMoved(Math.floor(Math.floor(reader.lastLoweredFrom / nsteps) / shape.blockSize), -1);
        ownCount++;
        if (arena!.flags[c]) flaggedBlock = true;
      }
    }
    return true;
  };

  function runLevel(m: LevelMessage): void {
    chunks.length = m.vectorsFrom;
    chunks.push(...m.vectors);
    reader.update(chunks, m.table);
    vectorViews.length = parentViews.length = stepViews.length = m.vectorsFrom;
    for (const b of m.vectors) vectorViews.push(new Int32Array(b));
    for (const b of m.parents) parentViews.push(new Int32Array(b));
    // a step-id chunk holds 2^16 ids of 16 or 32 bits
    for (const b of m.steps) stepViews.push(b.byteLength === 2 << 16 ? new Uint16Array(b) : new Uint32Array(b));
    tableView = new Int32Array(m.table);
    levelGen = m.gen;
    expanded = [];
    counts = m.claim?.counts ? new Int32Array(m.claim.counts) : null;
    if (counts !== null && moved.length < counts.length) moved = new Int32Array(counts.length);
    shape = { start: m.start, blockSize: m.blockSize, nsteps, words: storedWords };
    model.properties.forEach((p, k) => {
      if (p.kind === 'transition' && p.restoreFacts && m.facts[k] !== null) p.restoreFacts(m.facts[k]);
    });
    liveAlways = always.filter((p) => !m.skipAlways.includes(p.id)).map((p) => (p.kind === 'always' ? p.check.bind(p) : () => true));
    liveSome = sometimes.filter((p) => !m.skipSome.includes(p.id)).map((p) => (p.kind === 'sometimes' ? p.check.bind(p) : () => false));
    const claimMode = m.claim !== undefined;
    // views only: the capacity (the index room left) changes from level to level
    if (m.claim) {
      arena = new ClaimArena(storedWords, m.claim.capacity, m.claim.buffers);
      reader.newArena();
    }
    overflow = false;
    const nBlocks = Math.ceil((m.end - m.start) / m.blockSize);
    for (;;) {
      if (Atomics.load(ctrl, CTRL.abort) !== 0) return;
      const k = takeBlock(ctrl, m.gen, nBlocks);
      if (k < 0) return;
      const a = m.start + k * m.blockSize;
      const b = Math.min(m.end, a + m.blockSize);
      ev.length = 0;
      fails = [];
      if (claimMode) claimBlock(m, k, a, b);
      else replayBlock(m, k, a, b);
    }
  }

  /** A block in claim mode: expand, claiming each new successor's slot; post the events and candidates. */
  function claimBlock(m: LevelMessage, k: number, a: number, b: number): void {
    fired = new Float64Array(nsteps);
    cands.length = 0;
    curBlock = k;
    flaggedBlock = false;
    const enabled = new Int32Array(b - a);
    // sources expanded with every successor claimed or found (the block is whole when all are)
    let done = 0;
    for (let id = a; id < b && !overflow; id++) {
      if (Atomics.load(ctrl, CTRL.abort) !== 0 || Atomics.load(ctrl, CTRL.overflow) !== 0) break;
      reader.load(id, srcW);
      srcOffset = id - m.start;
      edges = 0;
      ctx.reset();
      expand(src, dst, ctx, emitClaim);
      enabled[id - a] = edges;
      if (edges === 0) {
        push(EVENT.terminal);
        push(srcOffset);
        push(0);
      }
      if (!overflow) done++;
    }
    const events = ev.slice();
    const drops = dropWatch.delta();
    const claimed = cands.slice();
    const whole = done === b - a;
    if (counts !== null) {
      publishCounts();
      // this worker stores the block's candidates (settle()); the owner needs them only to number flagged ones
      expanded.push({ k, cands: claimed });
      const sent = flaggedBlock ? claimed.slice() : new Int32Array(0);
      port.postMessage({ type: 'block', gen: m.gen, block: k, events, fails, enabled, fired, drops, cands: sent, whole, flagged: flaggedBlock }, [events.buffer, enabled.buffer, fired.buffer, sent.buffer]);
    } else port.postMessage({ type: 'block', gen: m.gen, block: k, events, fails, enabled, fired, drops, cands: claimed, whole }, [events.buffer, enabled.buffer, fired.buffer, claimed.buffer]);
    signal();
  }

  /** A block in replay mode: expand, flagging the successors not in the store; post the events. */
  function replayBlock(m: LevelMessage, k: number, a: number, b: number): void {
    for (let id = a; id < b; id++) {
      if (Atomics.load(ctrl, CTRL.abort) !== 0) {
        // cancelled: the owner stops before this point; mark the rest as not expanded
        for (; id < b; id++) push(-1);
        break;
      }
      reader.load(id, srcW);
      const headAt = ev.length;
      push(0);
      edges = 0;
      ctx.reset();
      expand(src, dst, ctx, emit);
      ev.data[headAt] = edges;
    }
    const events = ev.slice();
    const drops = dropWatch.delta();
    port.postMessage({ type: 'block', gen: m.gen, block: k, events, fails, drops }, [events.buffer]);
    signal();
  }


  /** Store the candidates of the blocks this worker expanded in the level (search/settle-claims.ts). */
  function settle(m: SettleMessage): void {
    const stored = m.gen === levelGen && arena !== null ? settleClaims(expanded, m, arena, { vectors: vectorViews, parents: parentViews, steps: stepViews, table: tableView }, shape) : 0;
    expanded = [];
    port.postMessage({ type: 'settled', gen: m.gen, stored });
    signal();
  }

  parentPort!.on('message', (m: LevelMessage | SettleMessage | { type: 'exit' }) => {
    if (m.type === 'exit') {
      port.close();
      parentPort!.close();
      return;
    }
    try {
      if (m.type === 'settle') settle(m);
      else runLevel(m);
    } catch (e) {
      port.postMessage({ type: 'error', message: e instanceof Error ? `${e.message}` : String(e) });
      signal();
    }
  });


  port.postMessage({ type: 'ready', words, steps: nsteps });
  signal();
}
