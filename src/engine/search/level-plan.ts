/**
 * Per BFS level, how much of it goes through the workers (a parallel search must never be slower
 * than one thread): decided from what has cost, per source state, expanded here and through the
 * workers. Either way the result is the same (the parallel driver keeps the sequential order), so
 * only time depends on the choice. A level is cut in two: its first states are expanded here, the
 * rest (`split()`) through the workers.
 *
 * - A level below `minLevel` states is expanded here (not worth a round trip).
 * - The workers are launched once a level would take `startSeconds` here (at the rate measured
 *   so far; `wantsWorkers`). They build their model in the background while the search goes on
 *   here; only once they are ready do levels go to them.
 * - The side not known to be cheaper gets a probe: a slice of a level (at most 16,384 states, an
 *   eighth of the level), never a whole big level. The cheaper side (the winner) takes the rest.
 *   Costs drift with the level's shape and the machine's load, so the loser is probed again once
 *   the winner has expanded 8 times its last probe, a gap that doubles each time the loser loses
 *   again: a losing side costs a small, shrinking share of the search.
 * - Each side's cost is the lowest it has shown: on a shared machine a slice is sometimes slow
 *   because the thread was not running, never fast by accident.
 */
export interface LevelPlanOptions {
  /** Levels below this are expanded here. */
  readonly minLevel: number;
  /** false: every level of at least minLevel states goes to the workers (no measurements). */
  readonly adaptive: boolean;
  /** A level predicted to take this long here launches the workers. Default 0.5 s: launching costs each worker a model build and a cold start, which short searches on a shared 2-core machine never earned back (bench:workers, phils.5). */
  readonly startSeconds?: number;
}

export type LevelMode = 'here' | 'workers';

/** Slices smaller than this say little about the cost per state. */
const MEASURE_MIN = 256;
/** A probe: an eighth of the level, at least this many states (all of a smaller level)... */
const PROBE_MIN = 1024;
/** ...and at most this many. */
const PROBE_MAX = 16_384;
/** The winner expands this many times the last probe before the loser is probed again. */
const GAP = 8;

export class LevelPlan {
  /** Seconds per source state, the lowest measured (NaN: not yet). */
  private here = NaN;
  private workers = NaN;
  /** States the winner must expand before the loser is probed again, and how many it has. */
  private gap = 0;
  private since = 0;
  private readonly startSeconds: number;

  constructor(private readonly opts: LevelPlanOptions) {
    this.startSeconds = opts.startSeconds ?? 0.5;
  }

  /** Launch the workers now (before a level of `n` states): it would take startSeconds here. */
  wantsWorkers(n: number): boolean {
    if (n < this.opts.minLevel) return false;
    if (!this.opts.adaptive) return true;
    return !Number.isNaN(this.here) && n * this.here >= this.startSeconds;
  }

  /** How many of the last states of a level of `n` go through the workers; `ready`: they are. */
  split(n: number, ready: boolean): number {
    if (n < this.opts.minLevel) return 0;
    if (!this.opts.adaptive) return n;
    if (!ready || Number.isNaN(this.here)) return 0;
    const probe = probeSize(n);
    if (Number.isNaN(this.workers)) return probe;
    const due = this.since >= this.gap;
    if (this.workers < this.here) return due ? n - probe : n;
    return due ? probe : 0;
  }

  /** `n` states took `seconds` in `mode`. */
  note(mode: LevelMode, n: number, seconds: number): void {
    const before = this.winner();
    if (n < MEASURE_MIN) {
      if (mode === before) this.since += n;
      return;
    }
    const perState = seconds / n;
    if (mode === 'here') this.here = Number.isNaN(this.here) ? perState : Math.min(this.here, perState);
    else this.workers = Number.isNaN(this.workers) ? perState : Math.min(this.workers, perState);
    const after = this.winner();
    if (after === null) return;
    if (before === null || mode !== before) {
      // a probe (the first measurement of both sides, or a try of the loser)
      this.gap = before !== null && after === before ? Math.max(2 * this.gap, GAP * n) : GAP * n;
      this.since = 0;
    } else this.since += n;
  }

  private winner(): LevelMode | null {
    if (Number.isNaN(this.here) || Number.isNaN(this.workers)) return null;
    return this.workers < this.here ? 'workers' : 'here';
  }
}

function probeSize(n: number): number {
  return Math.min(n, Math.max(PROBE_MIN, Math.min(PROBE_MAX, Math.ceil(n / 8))));
}
