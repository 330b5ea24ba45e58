/**
 * The Result of a simulation: the found walks shrunk and replayed into traces, the covers with
 * the walk that reached them, the counts, and the simulation facts (`simulation.*` in info).
 * Never 'pass': a simulation proves nothing.
 */
import type { Model, PropertyKind } from '../model.js';
import { storeFigures, type CoverEntry, type IncompleteReason, type Result, type Trace, type Violation } from '../result.js';
import type { Value } from '../schema.js';
import { replay } from '../trace.js';
import { DEADLOCK_ID } from '../explore.js';
import type { Findings, Found } from './findings.js';
import type { Pace } from './pace.js';
import type { Shrinker } from './shrink.js';
import type { Walker } from './walk.js';

/** What the walks did, for the result. */
export interface Walked {
  readonly model: Model;
  readonly seed: number;
  readonly runs: number;
  readonly depth: number;
  readonly checkDeadlock: boolean;
  /** Walks taken. */
  readonly walks: number;
  readonly walker: Walker;
  readonly findings: Findings;
  readonly pace: Pace;
}

/** Each found walk shrunk (traces come from replay() of the shrunk step ids), with a message that says how it was found and shrunk. */
export function shrunkViolations(model: Model, seed: number, found: readonly Found[], shrinker: Shrinker): Violation[] {
  return found.map((f) => {
    const s = shrinker.shrink(f);
    const n = `${s.steps.length} step${s.steps.length === 1 ? '' : 's'}`;
    const how = `found by run ${f.run + 1} of seed ${seed} at depth ${f.path.length}, ${s.shrunk ? `shrunk to ${n}${s.why ? ` (${s.why})` : ''}` : `not shrunk (${s.why})`}`;
    return {
      property: f.property,
      kind: f.kind,
      description: f.description,
      // the description is printed next to the message: do not repeat it
      message: s.message === f.description ? how : `${s.message} (${how})`,
      trace: traceOf(model, f.initial, s.steps),
      source: f.source,
    };
  });
}

/** Each cover, with the walk that first reached it replayed into a trace. */
export function walkedCovers(model: Model, findings: Findings): CoverEntry[] {
  return model.properties
    .filter((p) => p.kind === 'sometimes')
    .map((p, i) => {
      const r = findings.reached[i];
      if (!r) return { property: p.id, description: p.description, reached: false };
      const trace = traceOf(model, r.initial, Array.from(r.path));
      return { property: p.id, description: p.description, reached: true, depth: trace.steps.length, trace };
    });
}

export function simulationResult(w: Walked, violations: Violation[], covers: CoverEntry[], end: number): Result {
  const { model, walker, pace } = w;
  const store = walker.store;
  const seconds = (end - pace.started) / 1000;
  // as explore: a violation found before any budget was hit leaves the reason out
  const incompleteReason: IncompleteReason | undefined = pace.interrupted ? 'interrupted' : pace.timeUp ? 'time-limit' : w.findings.found.length > 0 ? undefined : 'simulation';
  const info: Record<string, Value> = {
    ...(model.info ?? {}),
    'simulation.seed': w.seed,
    'simulation.runs': w.runs,
    'simulation.depth': w.depth,
    'simulation.walks': w.walks,
    'simulation.longestWalk': walker.longest,
    ...(walker.storedAll ? {} : { 'simulation.statesCounted': `the first ${store.count} distinct states (a lower bound)` }),
  };
  return {
    model: model.name,
    status: violations.length > 0 ? 'violation' : 'incomplete',
    incompleteReason,
    complete: false,
    stats: {
      states: store.count,
      transitions: walker.transitions,
      levels: walker.longest + 1,
      depth: walker.longest,
      seconds,
      ...storeFigures(store, model.schema.size, seconds),
      peakRssBytes: pace.peakRss,
    },
    violations,
    covers,
    coverage: model.steps.map((s, i) => ({ step: s.id, process: s.process, fired: walker.fired[i]! })),
    properties: [
      ...model.properties.map((p) => ({ id: p.id, kind: p.kind as PropertyKind, description: p.description, source: p.source })),
      ...(w.checkDeadlock ? [{ id: DEADLOCK_ID, kind: 'deadlock' as PropertyKind, description: 'no reachable state where nothing can move and the state is not a valid end' }] : []),
    ],
    info,
  };
}

function traceOf(model: Model, initial: number, steps: readonly number[]): Trace {
  return replay(
    model,
    steps.map((i) => model.steps[i]!.id),
    initial,
  ).trace;
}
