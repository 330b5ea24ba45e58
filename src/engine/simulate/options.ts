/** What simulate() is asked to do, its defaults, and the check of its numbers. */
import type { Model } from '../model.js';
import type { ProgressListener } from '../events.js';

export interface SimulateOptions {
  /** Any safe non-negative integer. */
  seed: number;
  /** Number of walks (>= 1). */
  runs: number;
  /** Steps per walk at most (>= 0). */
  depth: number;
  /** Keep walking after a violation; report each violated property once. Default false. */
  allViolations?: boolean;
  /** Report walks ending where no step is enabled in a state that is not a valid end. Default true. */
  deadlock?: boolean;
  /** Seconds; walks stop when it is reached (incomplete reason 'time-limit'). Shrinking is not cut short. */
  timeLimit?: number;
  /**
   * Polled with the time limit (about every 50 ms) and between shrink tries: true stops the walks
   * (incomplete reason 'interrupted', SIGINT / SIGTERM) and cuts shrinking short, keeping every
   * violation found and the smallest schedule shrunk so far.
   */
  shouldStop?: () => boolean;
  /** Shrink failing schedules. Default true. */
  shrink?: boolean;
  /** Take only the runs r with r mod count == index (the seeds of the runs are unchanged): n shards take disjoint runs. */
  shard?: { readonly index: number; readonly count: number };
  /** Schedules tried while shrinking one violation, at most (deterministic budget). Default 20000. */
  maxShrinkEvaluations?: number;
  /** A new copy of the model (see simulate.ts: stateful transition properties). */
  fresh?: () => Model;
  /** Check that every new state keeps its fields inside their domains. Default true. */
  checkDomains?: boolean;
  /** Distinct states kept for counting, at most. Default 1M. */
  maxStoredStates?: number;
  onProgress?: ProgressListener;
  /** Milliseconds between progress events. Default 250. */
  progressInterval?: number;
}

export const DEFAULT_MAX_SHRINK_EVALUATIONS = 20_000;
export const DEFAULT_MAX_STORED_STATES = 1 << 20;

/** RangeError unless seed, runs and depth are whole numbers in range. */
export function checkNumbers({ seed, runs, depth }: Pick<SimulateOptions, 'seed' | 'runs' | 'depth'>): void {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`simulate: seed must be a safe non-negative integer, got ${seed}`);
  if (!Number.isSafeInteger(runs) || runs < 1) throw new RangeError(`simulate: runs must be a positive integer, got ${runs}`);
  if (!Number.isSafeInteger(depth) || depth < 0) throw new RangeError(`simulate: depth must be a non-negative integer, got ${depth}`);
}
