/**
 * The report: a check result turned into plain, stable, JSON-ready data. Every output format is a
 * function of a Report, and the JSON format *is* the Report — so a `check --format json` file is
 * also a saved trace that `replay` and `explain` read back (schema/result.schema.json).
 */
import type { PorStats, Result, ShardStats, SymmetryStats } from '../engine/result.js';
import type { CheckpointInfo } from '../engine/checkpoint/save.js';
import type { PropertyKind, SourceRef } from '../engine/model.js';
import type { Value } from '../engine/schema.js';
import { verdictsOf } from '../../models/verdicts.js';
import { exitForStatus } from './exit.js';

export const REPORT_FORMAT = 'xentimer-check/result';
export const REPORT_VERSION = 1;

/** Where the model came from, enough to rebuild it (`replay`). */
export interface ModelOrigin {
  /** `registry`: a built-in model by name; `dve`: a .dve file; `module`: a JS module exporting a model. */
  readonly origin: 'registry' | 'dve' | 'module';
  readonly name: string;
  /** The file as given on the command line (dve / module). */
  readonly path?: string;
  /** Resolved parameter values (registry models and module factories). */
  readonly params: Readonly<Record<string, Value>>;
}

export interface Settings {
  readonly maxStates: number | null;
  readonly maxDepth: number | null;
  /** Seconds. */
  readonly timeLimit: number | null;
  /** Bytes. */
  readonly memoryLimit: number | null;
  readonly allViolations: boolean;
  readonly deadlock: boolean;
  /** Search modes (absent in reports of plain runs). */
  readonly symmetry?: boolean;
  readonly fingerprint?: boolean;
  readonly workers?: number;
  readonly shard?: { readonly index: number; readonly count: number };
  /** false: partial-order reduction switched off (--no-por). */
  readonly por?: boolean;
  /** --fail-on-unreached-cover: an unreached branch cover is a violation (absent: a finding only). */
  readonly failOnUnreachedCover?: boolean;
}

export interface ReportStep {
  /** 1-based position in the trace. */
  readonly index: number;
  readonly step: string;
  readonly process: string;
  readonly source: SourceRef;
  readonly changes: Readonly<Record<string, Value>>;
}

export interface ReportTrace {
  /** Index of the initial state (into the model's init()). */
  readonly initial: number;
  readonly steps: readonly ReportStep[];
  /** Full states: states[0] is the initial state, states[i] follows steps[i-1]. */
  readonly states: readonly Readonly<Record<string, Value>>[];
}

export interface ReportViolation {
  readonly property: string;
  readonly kind: PropertyKind;
  readonly description: string;
  readonly message: string;
  readonly source: readonly SourceRef[];
  /** Shortest trace; null for a `sometimes` property that was never reached. */
  readonly trace: ReportTrace | null;
}

/**
 * A branch cover (`sometimes` property) that a complete search never reached: dead code within
 * the bounds checked. A finding, not a violation, unless `fails` (--fail-on-unreached-cover or the
 * property's failIfUnreached), in which case it is also listed in `violations`.
 */
export interface ReportCover {
  readonly property: string;
  readonly description: string;
  readonly source: readonly SourceRef[];
  readonly fails: boolean;
}

export type VerdictName = 'holds' | 'violated' | 'reached' | 'unreachable' | 'unknown';

export interface ReportProperty {
  readonly id: string;
  readonly kind: PropertyKind;
  readonly description: string;
  readonly verdict: VerdictName;
  /** Steps in the shortest trace (violated / reached). */
  readonly depth?: number;
  readonly source: readonly SourceRef[];
}

export interface Report {
  readonly format: typeof REPORT_FORMAT;
  readonly version: typeof REPORT_VERSION;
  readonly tool: { readonly name: string; readonly version: string };
  readonly model: ModelOrigin & { readonly processes: readonly string[]; readonly info?: Readonly<Record<string, Value>> };
  readonly settings: Settings;
  readonly status: Result['status'];
  readonly complete: boolean;
  readonly incompleteReason: string | null;
  readonly exitCode: 0 | 1 | 3;
  readonly stats: {
    readonly states: number;
    readonly transitions: number;
    readonly levels: number;
    readonly depth: number;
    readonly stateBytes: number;
    /** Bytes the store kept per state for its vector (bit-packed, whole, or a fingerprint). */
    readonly storedStateBytes?: number;
    readonly bytesPerState: number;
    readonly storeBytes: number;
    readonly symmetry?: SymmetryStats;
    readonly fingerprint?: { readonly bits: 64; readonly collisionProbability: number };
    readonly shard?: ShardStats;
    /** Partial-order reduction: used or not (why not), how many states it cut. */
    readonly por?: PorStats;
    /** A merged report: the shards' state and transition counts were added up (an upper bound: shards overlap). */
    readonly merged?: { readonly shards: number; readonly exact: boolean };
  };
  /** Knowledge of accumulating transition properties (lock-order graph...), for merging shard reports. */
  readonly facts?: Readonly<Record<string, unknown>>;
  /** Omitted with --no-timing / XENTIMER_NO_TIMING=1 (golden tests). */
  readonly timing?: { readonly seconds: number; readonly statesPerSecond: number; readonly peakRssBytes: number };
  readonly properties: readonly ReportProperty[];
  readonly violations: readonly ReportViolation[];
  /**
   * Transitions the model's evaluation rules disabled or dropped (DVE: index / division errors,
   * out-of-range assignments), with how often; absent when none. The verdict depends on those rules.
   */
  readonly droppedTransitions?: readonly { readonly step: string; readonly source: SourceRef; readonly kind: 'guard' | 'effect' | 'range'; readonly count: number }[];
  /** Branch covers never reached by a complete search (absent in reports of older versions). */
  readonly unreachedCovers?: readonly ReportCover[];
  readonly coverage: { readonly steps: number; readonly fired: number; readonly neverFired: readonly string[] };
  /**
   * --checkpoint / --resume: the checkpoints this run wrote and the one it continued from. The
   * rest of the report is that of a search that was never stopped.
   */
  readonly checkpoint?: CheckpointInfo;
}

export interface ReportInput {
  readonly result: Result;
  readonly origin: ModelOrigin;
  readonly processes: readonly string[];
  readonly settings: Settings;
  readonly timing: boolean;
  readonly toolVersion: string;
}

const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

export function toReport(input: ReportInput): Report {
  const { result: r, origin } = input;
  const verdicts = verdictsOf(r);
  const properties: ReportProperty[] = r.properties.map((p) => {
    const v = verdicts[p.id] ?? 'unknown';
    const [name, n] = v.split(':');
    return {
      id: p.id,
      kind: p.kind,
      description: p.description,
      verdict: name as VerdictName,
      ...(n !== undefined ? { depth: Number(n) } : {}),
      source: (p.source ?? []).map(src),
    };
  });
  const violations = r.violations.map(reportViolation);
  // one shard is a part of a search: never complete, never a pass (merge gives the verdict)
  const part = input.settings.shard !== undefined;
  const status: Result['status'] = part && r.status === 'pass' ? 'incomplete' : r.status;
  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    tool: { name: 'xentimer-check', version: input.toolVersion },
    model: {
      origin: origin.origin,
      name: origin.name,
      ...(origin.path !== undefined ? { path: origin.path } : {}),
      params: { ...origin.params },
      processes: [...input.processes],
      ...(r.info ? { info: { ...r.info } } : {}),
    },
    settings: input.settings,
    status,
    complete: part ? false : r.complete,
    incompleteReason: part && r.complete ? 'shard' : (r.incompleteReason ?? null),
    exitCode: exitForStatus(status) as 0 | 1 | 3,
    stats: {
      states: r.stats.states,
      transitions: r.stats.transitions,
      levels: r.stats.levels,
      depth: r.stats.depth,
      stateBytes: r.stats.stateBytes,
      ...(r.stats.storedStateBytes !== undefined ? { storedStateBytes: r.stats.storedStateBytes } : {}),
      bytesPerState: round(r.stats.bytesPerState, 2),
      storeBytes: r.stats.storeBytes,
      ...(r.stats.symmetry ? { symmetry: { ...r.stats.symmetry, reduction: round(r.stats.symmetry.reduction, 4) } } : {}),
      ...(r.stats.fingerprint ? { fingerprint: { ...r.stats.fingerprint } } : {}),
      ...(r.stats.shard ? { shard: { ...r.stats.shard, complete: r.complete } } : {}),
      ...(r.stats.por ? { por: { ...r.stats.por } } : {}),
    },
    ...(r.facts ? { facts: r.facts } : {}),
    ...(input.timing
      ? { timing: { seconds: round(r.stats.seconds, 3), statesPerSecond: Math.round(r.stats.statesPerSecond), peakRssBytes: r.stats.peakRssBytes } }
      : {}),
    properties,
    violations,
    ...(r.dropped ? { droppedTransitions: r.dropped.map((d) => ({ step: d.step, source: src(d.source), kind: d.kind, count: d.count })) } : {}),
    // a shard cannot tell that a branch is unreachable: another shard may reach it
    unreachedCovers: input.settings.shard ? [] : unreachedCovers(properties, violations),
    coverage: {
      steps: r.coverage.length,
      fired: r.coverage.filter((c) => c.fired > 0).length,
      neverFired: r.coverage.filter((c) => c.fired === 0).map((c) => c.step),
    },
    ...(r.checkpoint ? { checkpoint: r.checkpoint } : {}),
  };
}

function reportViolation(v: Result['violations'][number]): ReportViolation {
  return {
    property: v.property,
    kind: v.kind,
    description: v.description,
    message: v.message,
    source: (v.source ?? []).map(src),
    trace: v.trace
      ? {
          initial: v.trace.initial,
          steps: v.trace.steps.map((s, i) => ({ index: i + 1, step: s.step, process: s.process, source: src(s.source), changes: { ...s.changes } })),
          states: v.trace.states.map((s) => ({ ...s })),
        }
      : null,
  };
}

/** The covers whose verdict is `unreachable`; those also in `violations` fail the run. */
export function unreachedCovers(properties: readonly ReportProperty[], violations: readonly ReportViolation[]): ReportCover[] {
  return properties
    .filter((p) => p.kind === 'sometimes' && p.verdict === 'unreachable')
    .map((p) => ({ property: p.id, description: p.description, source: p.source, fails: violations.some((v) => v.property === p.id) }));
}

/** Branch covers never reached that do not fail the run (those that do are listed as violations). */
export function findings(r: Pick<Report, 'unreachedCovers'>): ReportCover[] {
  return (r.unreachedCovers ?? []).filter((c) => !c.fails);
}

const src = (s: SourceRef): SourceRef => ({ file: s.file, func: s.func, line: s.line });

/** The step whose effect violated the property: the last step of the trace (none for an initial state). */
export function violatingStep(v: ReportViolation): ReportStep | undefined {
  return v.trace?.steps.at(-1);
}
