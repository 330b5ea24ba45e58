/**
 * The clock of a simulation: at most every 50 ms it samples memory, checks the time limit and the
 * stop request, and sends a progress event when one is due. Walks and the run loop ask it
 * whether to halt.
 */
import type { Progress, ProgressListener } from '../events.js';

/** What a progress event counts, from the walker. */
export interface Counts {
  readonly states: number;
  readonly transitions: number;
  readonly longest: number;
}

export class Pace {
  timeUp = false;
  interrupted = false;
  /** The run being walked (progress: the runs left). */
  currentRun = 0;
  peakRss = process.memoryUsage.rss();
  private lastCheck: number;
  private lastProgress: number;
  private readonly timeLimitMs: number;
  private readonly progressInterval: number;

  constructor(
    readonly started: number,
    private readonly runs: number,
    private readonly counts: Counts,
    options: { timeLimit?: number; shouldStop?: () => boolean; onProgress?: ProgressListener; progressInterval?: number },
  ) {
    this.lastCheck = started;
    this.lastProgress = started;
    this.timeLimitMs = options.timeLimit !== undefined ? options.timeLimit * 1000 : Infinity;
    this.progressInterval = options.progressInterval ?? 250;
    this.onProgress = options.onProgress;
    this.shouldStop = options.shouldStop;
  }

  private readonly onProgress: ProgressListener | undefined;
  private readonly shouldStop: (() => boolean) | undefined;

  /** The time limit was reached or a stop was requested. */
  get halted(): boolean {
    return this.timeUp || this.interrupted;
  }

  /** If 50 ms have passed since the last look: look (memory, limits, progress). True when the walks must halt. */
  poll(): boolean {
    const now = performance.now();
    if (now - this.lastCheck > 50) {
      this.lastCheck = now;
      this.tick(now);
    }
    return this.halted;
  }

  private tick(now: number): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peakRss) this.peakRss = rss;
    if (now - this.started > this.timeLimitMs) this.timeUp = true;
    if (this.shouldStop?.()) this.interrupted = true;
    if (this.onProgress && now - this.lastProgress >= this.progressInterval) {
      this.lastProgress = now;
      this.onProgress(this.progress(now, this.currentRun));
    }
  }

  progress(now: number, run: number): Progress {
    const { states, transitions, longest } = this.counts;
    return {
      states,
      transitions,
      depth: longest,
      queue: this.runs - run,
      seconds: (now - this.started) / 1000,
      statesPerSecond: states / Math.max(1e-9, (now - this.started) / 1000),
      rssBytes: this.peakRss,
    };
  }

  /** The walks are over: the last memory sample and the last progress event (`walks` walked). */
  finish(now: number, walks: number): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peakRss) this.peakRss = rss;
    this.onProgress?.(this.progress(now, walks));
  }
}
