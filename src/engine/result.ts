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
  /** Length of the shortest trace reaching it (when reached). */
  readonly depth?: number;
  readonly trace?: Trace;
}

export interface StepCoverage {
  readonly step: string;
  readonly process: string;
  readonly fired: number;
}

export type IncompleteReason = 'max-states' | 'max-depth' | 'time-limit' | 'memory-limit' | 'stopped' | 'simulation';

export interface Stats {
  readonly states: number;
  readonly transitions: number;
  /** Number of BFS layers (the initial states are layer 1). */
  readonly levels: number;
  /** Length of the longest shortest path from an initial state (levels - 1). */
  readonly depth: number;
  readonly seconds: number;
  readonly statesPerSecond: number;
  /** Bytes of one packed state vector. */
  readonly stateBytes: number;
  /** Bytes of store memory per stored state (vector + parent link + step id + index). */
  readonly bytesPerState: number;
  readonly storeBytes: number;
  readonly peakRssBytes: number;
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
}
