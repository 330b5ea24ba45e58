/**
 * Parallel exploration: worker threads expand the frontier; the result is the sequential one,
 * bit for bit (ids, parents, counts, coverage, verdicts, traces), because everything that decides
 * it is done by the calling thread (the owner) in the order the sequential search does it.
 *
 * The search stays level-synchronous. The visited set lives in SharedArrayBuffers (StateStore
 * with sharedAlloc); each BFS level is cut into blocks that idle workers take off a shared ticket
 * word. Two ways of sharing the work, per level:
 *
 * - claim (default): workers insert new states themselves, lock-free: a successor new to the
 *   store gets an empty index slot by compare-and-swap, as a candidate of the level with its
 *   smallest discovery key (source offset x steps + step — the sequential search discovers a
 *   state on its smallest key). Pipelined: as soon as blocks 0..k are done the owner settles
 *   block k — replays, in key order, what the sequential search does on the way: assertion
 *   failures, edges a transition property cares about, state checks of new states the workers
 *   flagged, terminal states — while the workers expand the next blocks (search/claim-level.ts
 *   says why block k cannot change by then). Per-block counts of surviving candidates give each
 *   block's first id; once the level is expanded, each worker stores the new states of its own
 *   blocks (search/settle-claims.ts), so the owner does no work per plain new state (with an
 *   orbit tally, or near the state limit, the owner stores them as it settles). A stop truncates
 *   the level where the sequential search stops, and the edges counted up to there are recounted.
 *   The shared store keeps vectors packed (the codec of the sequential store); a successor
 *   outside the domains is sent as an event and refused by the owner's insert, in order.
 * - replay (fallback: levels whose keys do not fit 31 bits, the probing layer at maxDepth, a
 *   shard's split level, or `claim: false`): workers filter successors against a read-only view
 *   of the store and send every edge; the owner replays the streams in source order and inserts.
 *
 * Measured on the 2-core machines this project runs on (shared, `npm run bench:workers`), the
 * workers rarely beat the sequential search: the hash-table work that dominates a search is
 * shared memory traffic between the two cores, and a claim plus storing the state later costs
 * more than one insert (Xen K=6 M'=2: about 1.5x the sequential CPU in all). So the driver
 * decides per level how much goes to them (search/level-plan.ts) and launches them only for
 * levels big enough to earn their start. See the closing notes of issues 7 and 12.
 *
 * Workers build their own copy of the model from a ModelSpec: a module URL and the name of an
 * exported function that returns the model (possibly async) for the given JSON arguments.
 * Everything here is synchronous for the caller (Atomics.wait + receiveMessageOnPort), so
 * `explore()` keeps one signature.
 */
import type { MessagePort, Worker } from 'node:worker_threads';
import { workerThreads } from './builtins.js';
import type { Model } from './model.js';
import type { ClaimBuffers } from './store.js';
import type { SettleJob } from './search/settle-claims.js';

export interface ModelSpec {
  /** URL (file:) of an ES module. */
  readonly module: string;
  /** Name of an exported function `(args) => Model | Promise<Model>`. */
  readonly export: string;
  /** JSON-serialisable arguments. */
  readonly args: unknown;
}

export interface ParallelOptions {
  /** Worker threads (>= 1). */
  readonly workers: number;
  /** How workers rebuild the model. */
  readonly spec: ModelSpec;
  /** States per block (default: chosen per level). */
  readonly blockSize?: number;
  /** Levels with fewer states are expanded by the calling thread (default 256: not worth the round trip). */
  readonly minLevel?: number;
  /**
   * Decide per level, from the measured cost per state here and through the workers, whether the
   * round trip pays, and start the workers only once a level is big enough to earn their start
   * (search/level-plan.ts). Default true; false: every level of at least minLevel states goes to
   * the workers.
   */
  readonly adaptive?: boolean;
  /** Adaptive: a level predicted to take this many seconds in the calling thread launches the workers (default 0.5). */
  readonly startSeconds?: number;
  /** Let workers claim index slots for new states (default true; false: the owner inserts every candidate). */
  readonly claim?: boolean;
  /** Claim mode: at most this many candidates per try of a level (tests of running a level again with more room). */
  readonly maxClaims?: number;
  /**
   * Claim mode: the workers store the new states of their blocks themselves once the level's ids
   * are known (search/settle-claims.ts; default true). false: the calling thread inserts them
   * (the way of levels with an orbit tally or near the state limit), for tests comparing the two.
   */
  readonly workersSettle?: boolean;
}

export async function buildModelFromSpec(spec: ModelSpec): Promise<Model> {
  const mod = (await import(spec.module)) as Record<string, unknown>;
  const f = mod[spec.export];
  if (typeof f !== 'function') throw new Error(`${spec.module} exports no function ${spec.export}`);
  return (await (f as (a: unknown) => Model | Promise<Model>)(spec.args)) as Model;
}

/**
 * Slots of the shared control array. The candidate counter, which every worker bumps while it
 * claims, has a cache line of its own (128 bytes from the words read per source), so that the
 * others' reads of abort and overflow do not miss each time.
 */
export const CTRL = { posted: 0, next: 1, abort: 2, gen: 3, waiting: 4, overflow: 6, cand: 32 } as const;
/** Bytes of the shared control array. */
const CTRL_BYTES = 256;
/**
 * Event kinds of a claim-mode block: [kind, source offset, step] (+ the successor for rel and
 * bad: a successor outside the schema's domains, which a packed store cannot hold).
 */
export const EVENT = { fail: 0, rel: 1, bad: 2, terminal: 3 } as const;
/** The ticket word: generation (mod 2^12) in the high bits, block index in the low 19. */
export const TICKET_BITS = 19;
export const TICKET_MASK = (1 << TICKET_BITS) - 1;
export function ticket(gen: number, block: number): number {
  return ((gen & 0xfff) << TICKET_BITS) | block;
}

/**
 * Take the next block of generation `gen` off the ticket word, or -1 when the word belongs to
 * another generation (the owner moved on) or the level has no block left.
 */
export function takeBlock(ctrl: Int32Array, gen: number, nBlocks: number): number {
  for (;;) {
    const t = Atomics.load(ctrl, CTRL.next);
    if (t >>> TICKET_BITS !== (gen & 0xfff)) return -1;
    const k = t & TICKET_MASK;
    if (k >= nBlocks) return -1;
    if (Atomics.compareExchange(ctrl, CTRL.next, t, t + 1) === t) return k;
  }
}

/** Edge flags (code = step | flags << 24). */
export const FLAG = { rel: 1, cand: 2, fail: 4, check: 8 } as const;

export interface WorkerData {
  readonly spec: ModelSpec;
  readonly port: MessagePort;
  readonly ctrl: SharedArrayBuffer;
  readonly symmetry: boolean;
  readonly checkDomains: boolean;
  /** The store keeps vectors packed with the codec of the model's schema (StateStore.codec). */
  readonly packed: boolean;
}

export interface LevelMessage {
  readonly type: 'level';
  readonly gen: number;
  readonly start: number;
  readonly end: number;
  readonly blockSize: number;
  /** The store's vector chunks from number `vectorsFrom` on (a worker keeps those it was sent before). */
  readonly vectors: readonly (ArrayBuffer | SharedArrayBuffer)[];
  readonly vectorsFrom: number;
  /** The store's link chunks (parents, step ids), from the same chunk number on: workers that settle claims write them. */
  readonly parents: readonly (ArrayBuffer | SharedArrayBuffer)[];
  readonly steps: readonly (ArrayBuffer | SharedArrayBuffer)[];
  readonly table: ArrayBuffer | SharedArrayBuffer;
  /** Properties the owner no longer needs to hear about. */
  readonly skipAlways: readonly string[];
  readonly skipSome: readonly string[];
  /**
   * What each transition property (model order) has learned so far (`facts()`, null without):
   * a worker teaches its own copy, whose `observes` then skips the edges that can no longer
   * teach or fail it (knowledge only grows, so what is invisible to the copy is to the owner).
   */
  readonly facts: readonly unknown[];
  /** Claim mode: workers claim index slots for new states in this arena (see explore.ts). */
  readonly claim?: {
    readonly buffers: ClaimBuffers;
    readonly capacity: number;
    /**
     * Workers settle their blocks' candidates themselves (search/settle-claims.ts): per block, how
     * many candidates have their key in its range (kept by atomic adds as keys are claimed and
     * lowered; a block's count is final once it and every block before it are done).
     */
    readonly counts?: SharedArrayBuffer;
  };
}

/** Claim mode with workers settling: store the candidates of the blocks each expanded (search/settle-claims.ts). */
export interface SettleMessage extends SettleJob {
  readonly type: 'settle';
  readonly gen: number;
}

export interface BlockResult {
  readonly events: Int32Array;
  readonly fails: readonly { ids: string[]; messages: (string | undefined)[] }[];
  /** Claim mode: edges per source of the block, and per step. */
  readonly enabled?: Int32Array;
  readonly fired?: Float64Array;
  /** What the worker's counts of dropped transitions grew by in this block (search/dropped.ts). */
  readonly drops?: Int32Array;
  /** Claim mode: the candidates the block claimed or lowered the key of, in discovery order. */
  readonly cands?: Int32Array;
  /** Claim mode: every source of the block was expanded and every successor claimed or found. */
  readonly whole?: boolean;
  /** Claim mode, workers settling: some candidate of the block is flagged (then `cands` is sent). */
  readonly flagged?: boolean;
}

type Incoming =
  | { type: 'ready' }
  | { type: 'error'; message: string }
  | ({ type: 'block'; gen: number; block: number } & BlockResult)
  | { type: 'settled'; gen: number; stored: number };

export class ParallelError extends Error {}

export interface PoolOptions {
  readonly symmetry: boolean;
  readonly checkDomains: boolean;
  readonly packed: boolean;
  /** What the model must look like (a worker that builds another one is an error). */
  readonly expect: { readonly words: number; readonly steps: number };
}

export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  readonly ctrl: Int32Array;
  private gen = 0;
  private readonly stash = new Map<number, BlockResult>();
  private readonly receiveMessageOnPort = workerThreads().receiveMessageOnPort;

  private constructor(
    readonly size: number,
    ctrlBuf: SharedArrayBuffer,
    private readonly expect: { readonly words: number; readonly steps: number },
  ) {
    this.ctrl = new Int32Array(ctrlBuf);
  }

  /** Start `n` workers and wait until each has built the model (throws if one cannot). */
  static start(n: number, spec: ModelSpec, opts: PoolOptions): WorkerPool {
    const pool = WorkerPool.launch(n, spec, opts);
    pool.waitReady();
    return pool;
  }

  /** Start `n` workers without waiting: they build the model meanwhile (see ready()). */
  static launch(n: number, spec: ModelSpec, opts: PoolOptions): WorkerPool {
    const ctrlBuf = new SharedArrayBuffer(CTRL_BYTES);
    const pool = new WorkerPool(n, ctrlBuf, opts.expect);
    const url = new URL('./parallel-worker.js', import.meta.url);
    const { MessageChannel, Worker } = workerThreads();
    for (let i = 0; i < n; i++) {
      const { port1, port2 } = new MessageChannel();
      const data: WorkerData = { spec, port: port2, ctrl: ctrlBuf, symmetry: opts.symmetry, checkDomains: opts.checkDomains, packed: opts.packed };
      const w = new Worker(url, { workerData: data, transferList: [port2] });
      w.unref();
      pool.workers.push(w);
      pool.ports.push(port1);
    }
    pool.launched = performance.now();
    return pool;
  }

  private launched = 0;
  /** Vector chunks every worker has been sent. */
  private chunksSent = 0;
  private readyCount = 0;

  /** Every worker has built the model (never blocks; throws if one could not, or built another model). */
  ready(): boolean {
    if (this.readyCount >= this.size) return true;
    for (const p of this.ports) {
      for (let m = this.receiveMessageOnPort(p); m; m = this.receiveMessageOnPort(p)) {
        const msg = m.message as Incoming & { words?: number; steps?: number };
        if (msg.type === 'error') {
          this.close();
          throw new ParallelError(`a worker could not build the model: ${msg.message}`);
        }
        if (msg.type === 'ready') {
          if (msg.words !== this.expect.words || msg.steps !== this.expect.steps) {
            this.close();
            throw new ParallelError(`a worker built a different model (${msg.words} words, ${msg.steps} steps; expected ${this.expect.words}, ${this.expect.steps})`);
          }
          this.readyCount++;
        }
      }
    }
    return this.readyCount >= this.size;
  }

  /** Wait until every worker has built the model. */
  waitReady(): void {
    const deadline = this.launched + 120_000;
    for (;;) {
      const seen = Atomics.load(this.ctrl, CTRL.posted);
      if (this.ready()) return;
      if (performance.now() > deadline) {
        this.close();
        throw new ParallelError('the workers did not start within 120 s');
      }
      this.sleep(seen);
    }
  }

  /**
   * Expand states [start, end) in blocks; `onBlock(k, result)` is called for k = 0, 1, ... in
   * order, as soon as blocks 0..k are done (while the workers go on with the next blocks), and
   * returns false to cancel the rest of the level. `drain`: after a cancel, wait until every
   * block a worker took is done (no worker touches the level's buffers any more).
   */
  /** How a level of `levelSize` states is cut into blocks (`blockSize`: the caller's choice, if any). */
  blocking(levelSize: number, claim: boolean, blockSize?: number): { blockSize: number; nBlocks: number } {
    // block indices live in the low TICKET_BITS of the ticket word
    // claim mode waits for the whole level anyway: fewer, bigger blocks (still several per worker)
    const auto = claim ? Math.max(256, Math.ceil(levelSize / (this.size * 4))) : Math.max(256, Math.min(16384, Math.ceil(levelSize / (this.size * 8))));
    const size = Math.max(1, blockSize ?? auto, Math.ceil(levelSize / TICKET_MASK));
    return { blockSize: size, nBlocks: Math.ceil(levelSize / size) };
  }

  runLevel(
    m: Omit<LevelMessage, 'type' | 'gen' | 'blockSize' | 'vectorsFrom'> & { blockSize?: number },
    onBlock: (k: number, r: BlockResult) => boolean,
    drain = false,
  ): void {
    const { blockSize, nBlocks } = this.blocking(m.end - m.start, m.claim !== undefined, m.blockSize);
    const gen = ++this.gen;
    this.stash.clear();
    Atomics.store(this.ctrl, CTRL.abort, 0);
    Atomics.store(this.ctrl, CTRL.gen, gen);
    // one word holds the level's generation and the next block: a worker still on an older level
    // can never take a block of this one (it would be lost: its result is discarded)
    Atomics.store(this.ctrl, CTRL.next, ticket(gen, 0));
    // the chunks sent before stay the same buffers: only the new ones (cloning a list of shared buffers is not free)
    const from = this.chunksSent;
    const msg: LevelMessage = { ...m, type: 'level', gen, blockSize, vectors: m.vectors.slice(from), parents: m.parents.slice(from), steps: m.steps.slice(from), vectorsFrom: from };
    this.chunksSent = m.vectors.length;
    for (const w of this.workers) w.postMessage(msg);
    for (let k = 0; k < nBlocks; k++) {
      const r = this.waitFor(k, gen);
      if (!onBlock(k, r)) {
        Atomics.store(this.ctrl, CTRL.abort, 1);
        // no block is taken from now on; those taken before are answered (cut short)
        const taken = Math.min(nBlocks, Atomics.exchange(this.ctrl, CTRL.next, ticket(gen, nBlocks)) & TICKET_MASK);
        if (drain) for (let j = k + 1; j < taken; j++) this.waitFor(j, gen);
        return;
      }
    }
  }

  /**
   * Claim mode with workers settling, after runLevel (every block taken is done): every worker
   * stores the candidates of the blocks it expanded as `job` says; returns how many in all.
   */
  settle(job: SettleJob): number {
    const gen = this.gen;
    this.settledCount = 0;
    this.settledStates = 0;
    const msg: SettleMessage = { ...job, type: 'settle', gen };
    for (const w of this.workers) w.postMessage(msg);
    for (;;) {
      const seen = Atomics.load(this.ctrl, CTRL.posted);
      this.receive(gen);
      if (this.settledCount === this.size) return this.settledStates;
      this.sleep(seen);
    }
  }

  private settledCount = 0;
  private settledStates = 0;

  /** Take in what the workers posted for generation `gen`. */
  private receive(gen: number): void {
    for (const p of this.ports) {
      for (let m = this.receiveMessageOnPort(p); m; m = this.receiveMessageOnPort(p)) {
        const msg = m.message as Incoming;
        if (msg.type === 'error') throw new ParallelError(`a worker failed: ${msg.message}`);
        if (msg.type === 'block' && msg.gen === gen) this.stash.set(msg.block, msg);
        if (msg.type === 'settled' && msg.gen === gen) {
          this.settledCount++;
          this.settledStates += msg.stored;
        }
      }
    }
  }

  private waitFor(k: number, gen: number): BlockResult {
    for (;;) {
      const seen = Atomics.load(this.ctrl, CTRL.posted);
      this.receive(gen);
      const r = this.stash.get(k);
      if (r) {
        this.stash.delete(k);
        return r;
      }
      this.sleep(seen);
    }
  }

  /** Sleep until a worker posts something after `seen` (workers wake the owner only when it sleeps). */
  private sleep(seen: number): void {
    Atomics.store(this.ctrl, CTRL.waiting, 1);
    const r = Atomics.wait(this.ctrl, CTRL.posted, seen, 1000);
    Atomics.store(this.ctrl, CTRL.waiting, 0);
    // a thread that died (out of memory, a crash outside the model code) would never answer
    if (r === 'timed-out' && this.workers.some((w) => w.threadId === -1)) throw new ParallelError('a worker thread exited unexpectedly');
  }

  close(): void {
    Atomics.store(this.ctrl, CTRL.abort, 1);
    for (const w of this.workers) {
      w.postMessage({ type: 'exit' });
      void w.terminate();
    }
    for (const p of this.ports) p.close();
  }
}
