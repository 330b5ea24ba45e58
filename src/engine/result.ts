/**
 * Results are data: the explorer returns one of these and prints nothing.
 */
import type { PropertyKind, SourceRef } from './model.js';
import type { Value } from './schema.js';

export interface TraceStep {
  /** Step id (`start_timer.cancel_old`). */
  readonly step: string;
  readonly process: string;
  readonly source: SourceRef;
  /** Fields the step changed, with their new values. */
  readonly changes: Readonly<Record<string, Value>>;
}

export interface Trace {
  /** Index of the initial state the trace starts from. */
  readonly initial: number;
  /** Full decoded states: states[0] is the initial state, states[i+1] follows steps[i]. */
  readonly states: readonly Readonly<Record<string, Value>>[];
  readonly steps: readonly TraceStep[];
}

export interface Violation {
  readonly property: string;
  readonly kind: PropertyKind;
  readonly description: string;
  /** What exactly went wrong (assert message, deadlock description...). */
  readonly message: string;
  /** Shortest trace to the violating state (or, for edge properties, through the violating step). Null for an unreached `sometimes`. */
  readonly trace: Trace | null;
  /** C lines the property concerns. */
  readonly source?: readonly SourceRef[];
}

export interface CoverEntry {
  readonly property: string;
  readonly description: string;
  readonly reached: boolean;
  /** Length of the shortest trace reaching it (when reached; under partial-order reduction, of the trace found). */
  readonly depth?: number;
  readonly trace?: Trace;
  /** Not reached under partial-order reduction, which need not keep it reachable: not decided (check with --no-por). */
  readonly undecided?: boolean;
}

export interface StepCoverage {
  readonly step: string;
  readonly process: string;
  readonly fired: number;
}

export type IncompleteReason = 'max-states' | 'max-depth' | 'time-limit' | 'memory-limit' | 'stopped' | 'simulation' | 'interrupted';

export interface Stats {
  readonly states: number;
  readonly transitions: number;
  /** Number of BFS layers (the initial states are layer 1). */
  readonly levels: number;
  /** Length of the longest shortest path from an initial state (levels - 1). */
  readonly depth: number;
  readonly seconds: number;
  readonly statesPerSecond: number;
  /** Bytes of one state vector as the model lays it out (the schema's byte layout). */
  readonly stateBytes: number;
  /** Bytes the store keeps per state for that vector: bit-packed (exact search, also with workers), whole (domain checks off), or a 64-bit fingerprint. */
  readonly storedStateBytes?: number;
  /** Bytes of store memory per stored state (vector + parent link + step id + index). */
  readonly bytesPerState: number;
  readonly storeBytes: number;
  readonly peakRssBytes: number;
  /** With symmetry reduction: the group, and the counts of the unreduced graph recovered from orbit sizes. */
  readonly symmetry?: SymmetryStats;
  /** With hash compaction: fingerprints of 64 bits; the probability that two states were merged. */
  readonly fingerprint?: { readonly bits: 64; readonly collisionProbability: number };
  /** In a sharded search: which part this is. */
  readonly shard?: ShardStats;
  readonly por?: PorStats;
  /** In a parallel search: the number of worker threads. */
  readonly workers?: number;
}

/** The figures of a run that come from its store: rate, vector size and memory per stored state. */
export function storeFigures(store: { readonly count: number; readonly bytes: number; readonly storedBytes: number }, stateBytes: number, seconds: number): Pick<Stats, 'statesPerSecond' | 'stateBytes' | 'storedStateBytes' | 'bytesPerState' | 'storeBytes'> {
  return {
    statesPerSecond: store.count / Math.max(seconds, 1e-9),
    stateBytes,
    storedStateBytes: store.storedBytes,
    bytesPerState: store.count > 0 ? store.bytes / store.count : 0,
    storeBytes: store.bytes,
  };
}

export interface SymmetryStats {
  readonly group: number;
  readonly description: string;
  /** Sum of orbit sizes of the stored states: the state count without reduction. */
  readonly unreducedStates: number;
  /** Sum of orbit size x out-degree: the transition count without reduction. */
  readonly unreducedTransitions: number;
  /** unreducedStates / states. */
  readonly reduction: number;
}

/** Partial-order reduction (explore's `por` option): used or not, and how often it cut. */
export interface PorStats {
  readonly used: boolean;
  /** Why it was not used (the model declares no accesses, --workers, ...). */
  readonly reason?: string;
  /**
   * What turned it off for a model that declares its steps' accesses: worker threads, a shard, or an
   * unreached cover that fails the run (ExploreOptions.failOnUnreachedCover,
   * SometimesProperty.failIfUnreached: under reduction such a cover would be undecided) — the state
   * count is then the unreduced one, which a reduced search may beat; or `all-dependent`: every two
   * steps are dependent (PorAnalysis.allDependent), so a reduced search would store the same states.
   */
  readonly offBy?: 'workers' | 'shard' | 'unreached-cover' | 'all-dependent';
  /** Steps with an access declaration, of all steps. */
  readonly declaredSteps?: number;
  readonly steps?: number;
  /**
   * Expanded states whose edges were cut to a stubborn set (0: the search was in fact exhaustive,
   * as without reduction); states fully expanded for lack of a smaller set; states whose stubborn
   * set led back into the current or an earlier BFS level, fully expanded by the cycle proviso.
   */
  readonly reducedStates?: number;
  readonly fullStates?: number;
  readonly provisoStates?: number;
  /** 20,000 states in a row cut less than 1% of them: the rest of the search expanded every state fully. */
  readonly abandoned?: boolean;
}

export interface ShardStats {
  readonly index: number;
  readonly count: number;
  /** The BFS level whose states were dealt out to the shards (null: the space was too small, every shard searched all of it). */
  readonly splitLevel: number | null;
  /** States of the split level this shard expanded, and the size of that level. */
  readonly roots: number;
  readonly levelSize: number;
  /** States before the split level (the shared prefix, searched by every shard). */
  readonly prefixStates: number;
  /** Fingerprint of the shared prefix (see ShardSplit.prefix); absent when the space was too small to split. */
  readonly prefix?: string;
  /** In a report: the shard searched all of its part (the report itself is never complete). */
  readonly complete?: boolean;
}

export interface Result {
  readonly model: string;
  readonly status: 'pass' | 'violation' | 'incomplete';
  readonly incompleteReason?: IncompleteReason;
  /** True when every reachable state (within the bounds of the model itself) was explored. */
  readonly complete: boolean;
  readonly stats: Stats;
  readonly violations: readonly Violation[];
  /** `sometimes` properties: reached or not (unreached ones are also listed in violations when complete). */
  readonly covers: readonly CoverEntry[];
  readonly coverage: readonly StepCoverage[];
  /** Ids of every property checked (for per-property reports like JUnit). */
  readonly properties: readonly { id: string; kind: PropertyKind; description: string; source?: readonly SourceRef[] }[];
  readonly info?: Readonly<Record<string, Value>>;
  /** Transitions the model's evaluation rules disabled or dropped (Model.droppedTransitions), when any. */
  readonly dropped?: readonly import('./model.js').DroppedTransitions[];
  /** Knowledge of accumulating transition properties (see TransitionProperty.facts), by property id. */
  readonly facts?: Readonly<Record<string, unknown>>;
  /** Checkpoints written by this search, and the one it resumed from (ExploreOptions.checkpoint / resume). */
  readonly checkpoint?: import('./checkpoint/save.js').CheckpointInfo;
}
