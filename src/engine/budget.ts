/**
 * A search's budgets and progress: the time and memory limits, peak resident memory, and the
 * progress events a listener (the CLI) draws. The state-count and depth limits are the search's
 * own (they decide what is stored); this decides only when to give up and what to tell.
 */
import type { Progress, ProgressListener } from './events.js';
import type { IncompleteReason } from './result.js';

export interface BudgetOptions {
  /** Seconds. */
  readonly timeLimit?: number;
  /** Bytes of resident memory. */
  readonly memoryLimit?: number;
  readonly onProgress?: ProgressListener;
  /** Milliseconds between progress events. Default 250. */
  readonly progressInterval?: number;
  /** Polled with the limits: true stops the search (reason `interrupted`). */
  readonly shouldStop?: () => boolean;
}

/** What the search says about itself in a progress event. */
export interface SearchSnapshot {
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly queue: number;
}

export class Budget {
  readonly started = performance.now();
  peakRss = process.memoryUsage.rss();
  private readonly timeLimitMs: number;
  private readonly memoryLimit: number;
  private readonly onProgress: ProgressListener | undefined;
  private readonly progressInterval: number;
  private readonly shouldStop: (() => boolean) | undefined;
  private lastCheck = this.started;
  private lastProgress = this.started;
  /** Calls of poll() left that check whatever the clock says (see poll). */
  private rehearsals = 64;

  constructor(
    options: BudgetOptions,
    private readonly snapshot: () => SearchSnapshot,
  ) {
    this.timeLimitMs = options.timeLimit !== undefined ? options.timeLimit * 1000 : Infinity;
    this.memoryLimit = options.memoryLimit ?? Infinity;
    this.onProgress = options.onProgress;
    this.progressInterval = options.progressInterval ?? 250;
    this.shouldStop = options.shouldStop;
  }

  /**
   * exceeded(), at most once every 50 ms (the per-state call) — except on the first `rehearsals`
   * calls, which check at once: so the check runs early, before the JIT optimises the search loop
   * that this is inlined into, which code first run 50 ms into the search would make it throw away
   * (store.ts, JIT_REHEARSAL). The search polls every 1,024 states: 64 checks in the first 65,536.
   */
  poll(): IncompleteReason | undefined {
    const now = performance.now();
    if (now - this.lastCheck <= 50) {
      if (this.rehearsals === 0) return undefined;
      this.rehearsals--;
    }
    this.lastCheck = now;
    return this.exceeded(now);
  }

  /** Peak memory, the time and memory limits (the reason to stop, if any), and a due progress event. */
  exceeded(now: number): IncompleteReason | undefined {
    const rss = process.memoryUsage.rss();
    if (rss > this.peakRss) this.peakRss = rss;
    if (this.shouldStop?.()) return 'interrupted';
    if (now - this.started > this.timeLimitMs) return 'time-limit';
    if (rss > this.memoryLimit) return 'memory-limit';
    if (this.onProgress && now - this.lastProgress >= this.progressInterval) {
      this.lastProgress = now;
      this.onProgress(this.progress(now));
    }
    return undefined;
  }

  /** The end of the search: the last peak memory reading and a final progress event. */
  finish(now: number): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peakRss) this.peakRss = rss;
    if (this.onProgress) this.onProgress(this.progress(now));
  }

  private progress(now: number): Progress {
    const s = this.snapshot();
    return {
      ...s,
      seconds: (now - this.started) / 1000,
      statesPerSecond: s.states / Math.max(1e-9, (now - this.started) / 1000),
      rssBytes: this.peakRss,
    };
  }
}
