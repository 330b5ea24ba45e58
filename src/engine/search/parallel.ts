/**
 * The parallel driver: the same per-source protocol as the sequential one (state.ts), with the
 * edges of each source expanded by worker threads (see ../parallel.ts for the two modes). Levels
 * too small for the round trip are expanded here; claim-mode levels are in claim-level.ts, replayed
 * blocks in replay-block.ts.
 */
import { writeSync } from 'node:fs';
import { WorkerPool, type LevelMessage, type ParallelOptions } from '../parallel.js';
import { PackedStateStore } from '../packed-store.js';
import { ClaimArena, type StateStore } from '../store.js';
import { runClaimLevel } from './claim-level.js';
import { DropTally } from './dropped.js';
import { LevelPlan } from './level-plan.js';
import { replayBlock } from './replay-block.js';
import type { Search } from './state.js';

export class ParallelRun {
  private launched: WorkerPool | null = null;
  private readonly plan: LevelPlan;
  /** A budget ran out, or a worker reported an end: stop after the current level. */
  halted = false;
  claimArena: ClaimArena | null = null;
  /** A vector in the store's stored form (packed with its codec). */
  readonly storedBuf: Int32Array;
  /** New states per state of the level, as last seen (sizes the claim arena). */
  claimRatio = 4;
  /** Dropped transitions the workers counted (search/dropped.ts). */
  readonly drops: DropTally;
  private readonly launch: () => WorkerPool;

  constructor(
    readonly s: Search,
    readonly opts: ParallelOptions,
    checkDomains: boolean,
    /** The shared store a packed one moves to when the workers are launched. */
    private readonly shared: (from: PackedStateStore) => StateStore,
  ) {
    this.storedBuf = new Int32Array(s.store instanceof PackedStateStore ? s.store.packedWords : (s.store as StateStore).storedWords);
    this.drops = new DropTally(s.nsteps);
    this.plan = new LevelPlan({ minLevel: opts.minLevel ?? 256, adaptive: opts.adaptive ?? true, startSeconds: opts.startSeconds });
    this.launch = () => {
      this.share();
      this.store.atomic = true;
      return WorkerPool.launch(opts.workers, opts.spec, { symmetry: s.canon !== null, checkDomains, packed: this.store.codec !== null, expect: { words: s.words, steps: s.nsteps } });
    };
  }

  /**
   * The shared store the workers read (once they are launched; before, the search runs on the
   * sequential packed store, so a run whose levels never pay for the workers is the sequential one).
   */
  get store(): StateStore {
    return this.s.store as StateStore;
  }

  /** Move the search's states to the shared store (same ids, the same packed vectors). */
  private share(): void {
    const from = this.s.store;
    if (!(from instanceof PackedStateStore)) return;
    const to = this.shared(from);
    to.adoptPacked(from);
    to.onBadState = from.onBadState;
    this.s.replaceStore(to);
  }

  /** The workers, ready (launched on first use, waited for: see LevelPlan for when they are launched earlier). */
  get pool(): WorkerPool {
    const p = (this.launched ??= this.launch());
    p.waitReady();
    return p;
  }

  /** The workers are launched and have built their models. */
  private get ready(): boolean {
    return this.launched !== null && this.launched.ready();
  }

  /** The transition properties that care about `step`, on src (loaded) -> the successor at e[at..]. */
  checkRelevant(e: Int32Array, at: number, step: number): void {
    const { s } = this;
    for (let k = 0; k < s.words; k++) s.dstW[k] = e[at + k]!;
    s.obs.relevantEdge(s.curId, step, s.src, s.dst);
  }

  /** What the workers need for level [a, b): the store as it is now, the properties still live. */
  levelMessage(a: number, b: number): Omit<LevelMessage, 'type' | 'gen' | 'blockSize' | 'claim' | 'vectorsFrom'> & { blockSize?: number } {
    const buf = this.store.buffers();
    const facts = this.s.model.properties.map((p) => (p.kind === 'transition' && p.facts && p.restoreFacts ? p.facts() : null));
    return { start: a, end: b, vectors: buf.vectors, parents: buf.parents, steps: buf.steps, table: buf.table, ...this.s.obs.settled(), facts, blockSize: this.opts.blockSize };
  }

  run(): void {
    const { s } = this;
    // diagnostics: where each level went and what it cost (stderr)
    // written at once (fd 2): in the CLI the search runs in a worker thread, whose process.stderr is
    // forwarded to the main thread only between tasks, and the search is one long task
    const trace = process.env['XENTIMER_TRACE_LEVELS'] ? (line: string): void => void writeSync(2, `level-plan: ${line}\n`) : null;
    try {
      while (s.curId < s.store.count && !s.stop && !this.halted) {
        const a = s.curId;
        const b = a === s.levelEnd ? s.store.count : s.levelEnd;
        // launched in the background: they build their models while this level is expanded here
        if (this.launched === null && this.plan.wantsWorkers(b - a)) this.launched = this.launch();
        const theirs = this.plan.split(b - a, this.opts.adaptive === false || this.ready);
        const m = b - theirs;
        let hereMs = 0;
        let thereMs = 0;
        if (m > a) {
          const t0 = performance.now();
          this.expandHere(m);
          hereMs = performance.now() - t0;
          this.plan.note('here', m - a, hereMs / 1000);
          if (s.stop || this.halted || s.curId < m) break;
        }
        if (theirs > 0) {
          const pool = this.pool;
          const t0 = performance.now();
          this.expandThere(pool, s.curId, b);
          thereMs = performance.now() - t0;
          this.plan.note('workers', theirs, thereMs / 1000);
        }
        trace?.(`depth ${s.depth} level ${b - a}: here ${m - a} in ${hereMs.toFixed(1)} ms, workers ${theirs} in ${thereMs.toFixed(1)} ms${this.launched === null ? '' : this.ready ? '' : ' (launched, not ready)'}`);
      }
    } finally {
      this.launched?.close();
      // (a search that never launched them is still on its packed store)
      if (this.launched !== null) this.store.trimVectors();
    }
  }

  /** States [a, b) through the workers: claim mode where it can be used, replayed streams otherwise. */
  private expandThere(pool: WorkerPool, a: number, b: number): void {
    const s = this.s;
    if (this.claimable(a, b)) runClaimLevel(this, a, b);
    else {
      pool.runLevel(this.levelMessage(a, b), (_k, r) => {
        replayBlock(this, r);
        return !s.stop && !this.halted;
      });
    }
  }

  /** A small level is not worth the round trip: expand states up to b here. */
  private expandHere(b: number): void {
    const s = this.s;
    for (; s.curId < b && !s.stop; s.curId++) {
      const e = s.enterSource();
      if (e === 'stop') {
        this.halted = true;
        break;
      }
      if (e === 'skip') continue;
      s.expandHere();
    }
  }

  /**
   * Claim mode is used for a level when its discovery keys fit in 31 bits, it is not the
   * shard split level, and it is not the probing layer at maxDepth (those levels replay).
   */
  private claimable(a: number, b: number): boolean {
    const s = this.s;
    if (this.opts.claim === false) return false;
    if ((b - a) * s.nsteps >= ClaimArena.DEAD) return false;
    const depthNow = a === s.levelEnd ? s.depth + 1 : s.depth;
    if (depthNow >= s.maxDepth) return false;
    if (s.split !== null && s.split.touches(a, b)) return false;
    return true;
  }
}
