/**
 * Human-readable report: each violation with its shortest trace (step number, process, step id,
 * the C line as `file:func: line`, the fields it changed), the property verdicts, and a final
 * summary line (states, transitions, depth, time, rate, memory).
 */
import { findings, type Report, type ReportProperty, type ReportViolation } from '../report.js';
import { bytes, changes, int, params, plural, rate, seconds, sourceLine, wrap } from './common.js';
import { raceDiagram } from './race.js';
import { safeData } from './safe.js';
import type { Style } from './style.js';

export interface TextOptions {
  /** Violation headlines and the summary only (no traces, no property list). */
  readonly quiet?: boolean;
  /** Add a race diagram after each trace. */
  readonly explain?: boolean;
  /** Line width used for wrapping (default 100). */
  readonly width?: number;
}

export const INCOMPLETE: Readonly<Record<string, string>> = {
  'max-states': 'the --max-states budget was reached before the search completed',
  'max-depth': 'the --max-depth bound was reached before the search completed (states lie deeper)',
  'time-limit': 'the --time-limit was reached before the search completed',
  'memory-limit': 'the --memory-limit was reached before the search completed',
  stopped: 'the search was stopped before it completed',
  interrupted: 'the search was interrupted (SIGINT / SIGTERM) before it completed',
  shard: 'this is one shard of a split search: run `merge` on the reports of all shards for the verdict',
  simulation: 'random simulation is not exhaustive, the walks taken prove nothing about the rest',
};

export function formatText(report: Report, style: Style, options: TextOptions = {}): string {
  const r = safeData(report);
  const out: string[] = [];
  const width = options.width ?? 100;
  const p = params(r.model.params);
  out.push(`${style.bold(r.model.name)}${p ? ` ${style.dim(p)}` : ''}${r.model.path ? style.dim(` (${r.model.path})`) : ''}`);

  for (const v of r.violations) {
    out.push('');
    out.push(...violation(v, r, style, options, width));
  }

  out.push(...unreachedSection(r, style));
  out.push(...droppedSection(r, style));

  if (!options.quiet) {
    out.push('');
    out.push(...propertyList(r, style));
  }

  out.push('');
  if (r.status === 'incomplete' || (!r.complete && r.status === 'violation' && r.incompleteReason)) {
    const why = INCOMPLETE[r.incompleteReason ?? 'stopped'] ?? r.incompleteReason;
    out.push(style.yellow(`incomplete: ${why}${r.status === 'incomplete' ? '; no violation found so far' : ''}`));
  }
  if (!options.quiet && r.coverage.neverFired.length > 0 && r.complete) {
    out.push(style.dim(`coverage: ${int(r.coverage.fired)} of ${int(r.coverage.steps)} steps fired; never: ${r.coverage.neverFired.slice(0, 8).join(', ')}${r.coverage.neverFired.length > 8 ? ', ...' : ''}`));
  }
  out.push(...modeLines(r, style));
  out.push(summary(r, style));
  return out.join('\n') + '\n';
}

/** One line per search mode that changes how the counts read (symmetry, fingerprints, shards, merge). */
export function modeLines(r: Report, style: Style): string[] {
  const out: string[] = [];
  const st = r.stats;
  if (st.symmetry) {
    out.push(style.dim(`symmetry: ${st.symmetry.description} (group of ${int(st.symmetry.group)}); ${int(st.states)} representatives stand for ${int(st.symmetry.unreducedStates)} states and ${int(st.symmetry.unreducedTransitions)} transitions (reduction x${st.symmetry.reduction.toFixed(2)})`));
  }
  if (st.fingerprint) {
    out.push(style.dim(`hash compaction: 64-bit fingerprints; probability that some state was missed <= ${st.fingerprint.collisionProbability.toExponential(1)}${r.status === 'pass' ? ' (a pass with this caveat)' : ''}`));
  }
  if (st.shard) {
    out.push(
      style.dim(
        st.shard.splitLevel === null
          ? `shard ${st.shard.index}/${st.shard.count}: the space was too small to split; this shard searched all of it`
          : `shard ${st.shard.index}/${st.shard.count}: ${int(st.shard.roots)} of the ${int(st.shard.levelSize)} states of BFS level ${st.shard.splitLevel} and what lies behind them; run \`merge\` on all ${st.shard.count} reports for the verdict`,
      ),
    );
  }
  if (st.merged) {
    out.push(style.dim(`merged from ${st.merged.shards} shard reports${st.merged.exact ? '' : '; state and transition counts are sums over the shards (an upper bound: shards overlap)'}`));
  }
  const por = st.por;
  if (por?.used) {
    out.push(
      style.dim(
        por.reducedStates! > 0
          ? `partial-order reduction: ${int(por.reducedStates!)} expanded states cut to a stubborn set (${int(por.provisoStates!)} more fully expanded by the cycle proviso${por.abandoned ? '; off after 20,000 states in a row cut under 1%' : ''}); traces are real executions but not always the shortest (--no-por gives the shortest); covers not reached are undecided`
          : `partial-order reduction: nothing to cut${por.abandoned ? ' in the first 20,000 states, then off' : ''}; the search was exhaustive, as with --no-por`,
      ),
    );
  }
  if (por !== undefined && !por.used && por.offBy !== undefined) {
    // with every two steps dependent, a reduced run would store the same states
    const fewer = por.offBy === 'all-dependent' ? '' : ' (a reduced run may store fewer states)';
    out.push(style.dim(`partial-order reduction: ${por.reason ?? 'off'}; the search was exhaustive, as with --no-por${fewer}`));
  }
  if (r.settings.workers) out.push(style.dim(`parallel: ${r.settings.workers} worker thread${r.settings.workers === 1 ? '' : 's'}`));
  return out;
}

function violation(v: ReportViolation, r: Report, style: Style, options: TextOptions, width: number): string[] {
  const out: string[] = [];
  out.push(`${style.red('✗')} ${style.bold(v.property)} ${style.dim(`(${v.kind})`)} ${v.description}`);
  if (v.message !== v.description) out.push(`  ${style.red(v.message)}`);
  if (!v.trace) return out;
  const n = v.trace.steps.length;
  const from = v.trace.initial === 0 ? '' : ` from initial state ${v.trace.initial}`;
  if (options.quiet) {
    out.push(style.dim(`  shortest trace: ${plural(n, 'step')}${from}`));
    return out;
  }
  out.push(...traceLines(v, style, width));
  if (options.explain) {
    out.push('');
    out.push(...raceDiagram(v, r.model.processes, style, { width: Math.max(width, 120) }).trimEnd().split('\n').map((l) => (l ? `  ${l}` : l)));
  }
  return out;
}

/** The section of unreached branch covers: a finding about the code, not a broken property. */
function unreachedSection(r: Report, style: Style): string[] {
  const covers = findings(r);
  if (covers.length === 0) return [];
  const out = ['', style.yellow(style.bold(`${plural(covers.length, 'branch cover')} never reached`)) + style.dim(' (a finding, not a violation: no reachable state takes this branch within these bounds; --fail-on-unreached-cover makes it fail the run)')];
  for (const c of covers) {
    out.push(`${style.yellow('○')} ${style.bold(c.property)} ${c.description}`);
    for (const s of c.source) out.push(`  ${style.dim(sourceLine(s))}`);
  }
  return out;
}

const DROPPED: Readonly<Record<string, string>> = {
  guard: 'guard error (index out of bounds or division by zero): transition disabled',
  effect: 'effect error (index out of bounds or division by zero): transition dropped',
  range: 'assignment out of the variable\'s range: transition dropped',
};

/** Transitions the model's evaluation rules took away: the verdict depends on that rule. */
function droppedSection(r: Report, style: Style): string[] {
  const d = r.droppedTransitions ?? [];
  if (d.length === 0) return [];
  const total = d.reduce((n, x) => n + x.count, 0);
  const out = ['', style.yellow(style.bold(`evaluation errors took away transitions ${int(total)} time${total === 1 ? '' : 's'}`)) + style.dim(' (the result depends on this rule: an error in a guard disables the transition, in an effect drops it)')];
  for (const x of d) {
    out.push(`${style.yellow('!')} ${style.bold(x.step)}  ${int(x.count)}× ${DROPPED[x.kind] ?? x.kind}`);
    out.push(`  ${style.dim(sourceLine(x.source))}`);
  }
  return out;
}

/** Step ids often repeat their process (`vcpu0:hcall.set_timer_op`): drop it next to the process column. */
export function shortStep(step: string, process: string): string {
  return step.startsWith(`${process}:`) && step.length > process.length + 1 ? step.slice(process.length + 1) : step;
}

/** The shortest trace of `v`, one block per step: number, process, step id; C line; changed fields. */
export function traceLines(v: ReportViolation, style: Style, width: number): string[] {
  if (!v.trace) return [];
  const out: string[] = [];
  const n = v.trace.steps.length;
  const from = v.trace.initial === 0 ? '' : ` from initial state ${v.trace.initial}`;
  out.push(style.dim(`  shortest trace: ${plural(n, 'step')}${from}`));
  const numW = String(n).length;
  const procW = Math.max(...v.trace.steps.map((s) => s.process.length), 0);
  const indent = ' '.repeat(4 + numW + 2);
  for (const s of v.trace.steps) {
    out.push(`    ${String(s.index).padStart(numW)}  ${style.cyan(s.process.padEnd(procW))}  ${shortStep(s.step, s.process)}`);
    out.push(`${indent}${style.dim(sourceLine(s.source))}`);
    for (const l of wrap(changes(s.changes), Math.max(40, width - indent.length))) out.push(`${indent}${style.yellow(l)}`);
  }
  return out;
}

export function verdictText(p: ReportProperty): string {
  switch (p.verdict) {
    case 'violated':
      return `violated (${plural(p.depth ?? 0, 'step')})`;
    case 'reached':
      return `reached (${plural(p.depth ?? 0, 'step')})`;
    default:
      return p.verdict;
  }
}

function propertyList(r: Report, style: Style): string[] {
  const out: string[] = [];
  const known = r.properties.filter((p) => p.verdict !== 'unknown');
  const unknown = r.properties.length - known.length;
  const idW = Math.max(0, ...known.map((p) => p.id.length));
  out.push(style.bold('properties'));
  for (const p of known) {
    const mark =
      p.verdict === 'holds'
        ? style.green('✓')
        : p.verdict === 'violated'
          ? style.red('✗')
          : p.verdict === 'reached'
            ? style.green('●')
            : style.yellow('○');
    const v = verdictText(p);
    const painted = p.verdict === 'violated' ? style.red(v) : p.verdict === 'unreachable' ? style.yellow(v) : v;
    out.push(`  ${mark} ${p.id.padEnd(idW)}  ${painted}`);
  }
  if (unknown > 0) {
    const why = r.status === 'violation' && !r.settings.allViolations ? 'the search stopped at the first violation; use --all-violations' : 'the search did not complete';
    out.push(style.dim(`  ? ${plural(unknown, 'property', 'properties')} undecided (${why})`));
  }
  return out;
}

export function summary(r: Report, style: Style): string {
  const head =
    r.status === 'pass'
      ? style.green(style.bold('PASS'))
      : r.status === 'violation'
        ? style.red(style.bold(r.incompleteReason === 'interrupted' ? 'INTERRUPTED, VIOLATION' : 'VIOLATION'))
        : style.yellow(style.bold(r.incompleteReason === 'interrupted' ? 'INTERRUPTED' : 'INCOMPLETE'));
  const ids = r.violations.map((v) => v.property);
  const counts = ids.length <= 3 ? ids.join(', ') : `${ids.length} properties`;
  const parts = [
    `${int(r.stats.states)} states`,
    `${int(r.stats.transitions)} transitions`,
    `depth ${int(r.stats.depth)}`,
  ];
  if (r.timing) parts.push(seconds(r.timing.seconds), rate(r.timing.statesPerSecond), `${bytes(r.timing.peakRssBytes)} peak RSS`);
  const unreached = findings(r);
  const finding = unreached.length === 0 ? '' : `, ${style.yellow(`${plural(unreached.length, 'cover')} never reached`)}${unreached.length <= 2 ? ` (${unreached.map((c) => c.property).join(', ')})` : ''}`;
  return `${head}${r.status === 'violation' ? ` ${style.bold(counts)}` : ''}${finding}  ${parts.join(' · ')}`;
}
