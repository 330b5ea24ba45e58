/**
 * Per BFS level, whether the workers' round trip pays (a parallel search must never be slower
 * than one thread): decided from what the levels so far cost, per source state, expanded here and
 * through the workers. Either way the result is the same (the parallel driver keeps the
 * sequential order), so only time depends on the choice.
 *
 * - A level below `minLevel` states is expanded here (not worth a round trip).
 * - The workers are started only once a level would take `startSeconds` here (at the rate
 *   measured so far): starting them costs a model build per worker, which a short search never
 *   earns back (and the cores are shared).
 * - Once started, the first big level goes to them (a probe); later levels go where the measured
 *   cost per state is lower. Costs drift with the level's shape and the machine's load, so the
 *   loser is tried again on a level at least twice the size of its last try (at most a logarithmic
 *   number of probes).
 * - Each side's cost is the lowest it has shown: on a shared machine a level is sometimes slow
 *   because the thread was not running, never fast by accident.
 */
export interface LevelPlanOptions {
  /** Levels below this are expanded here. */
  readonly minLevel: number;
  /** false: every level of at least minLevel states goes to the workers (no measurements). */
  readonly adaptive: boolean;
  /** A level predicted to take this long here starts the workers. Default 0.2 s. */
  readonly startSeconds?: number;
}

export type LevelMode = 'here' | 'workers';

/** Levels smaller than this say little about the cost per state. */
const MEASURE_MIN = 256;

export class LevelPlan {
  /** Seconds per source state, the lowest measured (NaN: not yet). */
  private here = NaN;
  private workers = NaN;
  /** Size of the last level that went to the side that lost. */
  private lastProbe = 0;
  private readonly startSeconds: number;

  constructor(private readonly opts: LevelPlanOptions) {
    this.startSeconds = opts.startSeconds ?? 0.2;
  }

  /** Where a level of `n` states goes; `started`: the workers are running. */
  choose(n: number, started: boolean): LevelMode {
    if (n < this.opts.minLevel) return 'here';
    if (!this.opts.adaptive) return 'workers';
    if (Number.isNaN(this.here)) return 'here';
    if (!started) return n * this.here >= this.startSeconds ? 'workers' : 'here';
    if (Number.isNaN(this.workers)) return 'workers';
    const winner: LevelMode = this.workers < this.here ? 'workers' : 'here';
    if (n >= 2 * this.lastProbe) return winner === 'workers' ? 'here' : 'workers';
    return winner;
  }

  /** A level of `n` states took `seconds` in `mode`. */
  note(mode: LevelMode, n: number, seconds: number): void {
    if (n < MEASURE_MIN) return;
    const perState = seconds / n;
    const before = this.winner();
    if (mode === 'here') this.here = Number.isNaN(this.here) ? perState : Math.min(this.here, perState);
    else this.workers = Number.isNaN(this.workers) ? perState : Math.min(this.workers, perState);
    // a try of the side that was losing: remember its size, so the next one waits for twice as much
    if (before !== null && before !== mode) this.lastProbe = n;
    if (before === null && mode === 'workers') this.lastProbe = n;
  }

  private winner(): LevelMode | null {
    if (Number.isNaN(this.here) || Number.isNaN(this.workers)) return null;
    return this.workers < this.here ? 'workers' : 'here';
  }
}
