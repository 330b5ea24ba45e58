/**
 * Verdict matrix: check every variant of a model factory and tabulate, per property, whether it
 * holds, is violated (with the length of the shortest trace), or — for `sometimes` (branch
 * reachability) properties — is reached or unreachable. Compared against an expected matrix
 * stored in the repo so that CI fails when a verdict changes.
 */
import type { ExploreOptions } from '../src/engine/explore.js';
import type { ModelFactory, PropertyKind } from '../src/engine/model.js';
import type { Result } from '../src/engine/result.js';
import { findModel, resolveParams } from './registry.js';
import { runJobs, type VariantJob } from './matrix-jobs.js';
import { verdictsOf, type Verdict } from './verdicts.js';

// the verdicts of one result are in verdicts.ts (the report needs them without the matrix's search)
export { verdictsOf, type Verdict };

export interface MatrixRow {
  readonly variant: string;
  readonly status: Result['status'];
  readonly complete: boolean;
  readonly states: number;
  readonly transitions: number;
  readonly levels: number;
  readonly seconds: number;
  readonly verdicts: Readonly<Record<string, Verdict>>;
  readonly result: Result;
}

export interface Matrix {
  readonly model: string;
  readonly params: Readonly<Record<string, number | boolean | string>>;
  readonly properties: readonly { id: string; kind: PropertyKind; description: string }[];
  readonly rows: readonly MatrixRow[];
}

/** The stored form (models/<name>/expected.json). */
export interface ExpectedMatrix {
  readonly model: string;
  readonly params: Readonly<Record<string, number | boolean | string>>;
  readonly variants: Readonly<Record<string, { states: number; transitions: number; verdicts: Readonly<Record<string, Verdict>> }>>;
}

/** The variants a matrix checks: those asked for, else every variant of the factory (or its one default). */
export function matrixVariants(factory: ModelFactory, variants?: readonly string[]): readonly string[] {
  const vspec = factory.params.find((p) => p.name === 'variant');
  return variants ?? vspec?.values ?? [String(vspec?.default ?? 'default')];
}

export function runMatrix(
  factory: ModelFactory,
  params: Readonly<Record<string, string | number | boolean>> = {},
  variants?: readonly string[],
  options: ExploreOptions & {
    readonly expectedStatesOf?: (variant: string) => number | undefined;
    /**
     * Variants checked at once (matrix-jobs.ts: worker threads beside this one; a registered
     * model only, and not with onProgress). Default 1. The matrix is the same for any number.
     */
    readonly threads?: number;
  } = {},
  onRow?: (row: MatrixRow) => void,
): Matrix {
  const { expectedStatesOf, threads = 1, shouldStop, ...explored } = options;
  const vspec = factory.params.find((p) => p.name === 'variant');
  const chosen = matrixVariants(factory, variants);
  const rows: MatrixRow[] = [];
  const properties: { id: string; kind: PropertyKind; description: string }[] = [];
  const common = resolveParams(factory, params);
  delete common['variant'];
  const jobs: VariantJob[] = chosen.map((variant) => ({
    variant,
    params: resolveParams(factory, vspec ? { ...params, variant } : params),
    options: { ...explored, expectedStates: expectedStatesOf?.(variant), allViolations: true },
  }));
  const parallel = threads > 1 && findModel(factory.name) === factory && explored.onProgress === undefined;
  // a stop request (SIGINT / SIGTERM) ends the variants being checked as interrupted; the others are not started
  runJobs(factory, jobs, parallel ? threads : 1, shouldStop, (k, result) => {
    const variant = jobs[k]!.variant;
    // variants differ in code, so in branch covers: the matrix lists the union
    for (const { id, kind, description } of result.properties) if (!properties.some((q) => q.id === id)) properties.push({ id, kind, description });
    const row: MatrixRow = {
      variant,
      status: result.status,
      complete: result.complete,
      states: result.stats.states,
      transitions: result.stats.transitions,
      levels: result.stats.levels,
      seconds: result.stats.seconds,
      verdicts: verdictsOf(result),
      result,
    };
    rows.push(row);
    onRow?.(row);
  });
  return { model: factory.name, params: common, properties, rows };
}

export function toExpected(m: Matrix): ExpectedMatrix {
  const variants: Record<string, ExpectedMatrix['variants'][string]> = {};
  for (const r of m.rows) variants[r.variant] = { states: r.states, transitions: r.transitions, verdicts: { ...r.verdicts } };
  return { model: m.model, params: m.params, variants };
}

/** Human-readable differences between the expected and the actual matrix (empty = same). */
export function diffMatrix(expected: ExpectedMatrix, actual: Matrix): string[] {
  const out: string[] = [];
  for (const r of actual.rows) {
    const e = expected.variants[r.variant];
    if (!e) {
      out.push(`${r.variant}: not in the expected matrix`);
      continue;
    }
    if (e.states !== r.states) out.push(`${r.variant}: states ${r.states}, expected ${e.states}`);
    if (e.transitions !== r.transitions) out.push(`${r.variant}: transitions ${r.transitions}, expected ${e.transitions}`);
    const ids = new Set([...Object.keys(e.verdicts), ...Object.keys(r.verdicts)]);
    for (const id of ids) {
      const ev = e.verdicts[id];
      const av = r.verdicts[id];
      if (ev !== av) out.push(`${r.variant} × ${id}: ${av ?? 'absent'}, expected ${ev ?? 'absent'}`);
    }
  }
  for (const v of Object.keys(expected.variants)) {
    if (!actual.rows.some((r) => r.variant === v)) out.push(`${v}: expected but not checked`);
  }
  return out;
}
