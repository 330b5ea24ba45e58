/**
 * `merge SHARD.json...` — combine the reports of `check --shard i/n` (i = 0..n-1) into one verdict.
 *
 * The shards' searches together cover the whole state space (see ShardOptions in the engine), so:
 * a property is violated if some shard violates it, with the shortest of the shards' traces (the
 * shard that owns the shortest path finds it); it holds if every shard completed and none
 * violated it; a branch is reached if some shard reached it and unreachable only if no complete
 * shard did. Properties that accumulate knowledge over the search (the lock-order graph) are
 * judged again on the union of the shards' facts, which finds a cycle whose edges were seen by
 * different shards. Shards overlap, so the merged state and transition counts are sums (an upper
 * bound) — except when the space was too small to split and every shard searched all of it.
 */
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import type { Ctx, GlobalOptions } from '../context.js';
import { timingEnabled } from '../context.js';
import { exitForStatus, usage, type ExitCode } from '../exit.js';
import { rebuild } from '../load.js';
import { checkOutput } from '../output-file.js';
import { unreachedCovers, type Report, type ReportProperty, type ReportViolation } from '../report.js';
import { readMergeable } from '../saved.js';
import { formatFor, withReportOptions, writeReport, type CheckFormat } from './check.js';

interface MergeOptions extends GlobalOptions {
  format?: CheckFormat;
  output?: string;
  quiet?: boolean;
  explain?: boolean;
  timing?: boolean;
}

export function mergeCommand(ctx: Ctx): Command {
  const cmd = new Command('merge')
    .summary('combine the reports of `check --shard i/n` into one verdict')
    .description(
      'Merge the JSON reports of all n shards of one search (`check --shard i/n --output shard-i.json`, i = 0..n-1) into one report: ' +
        'a property is violated if a shard violates it (with the shortest trace), holds if every shard completed without violating it; ' +
        'lock-order facts are judged on the union of the shards. State and transition counts are sums over the shards (an upper bound: shards overlap).\n' +
        'Exit: 0 pass, 1 violation, 2 bad or inconsistent reports, 3 incomplete (a shard hit a budget).',
    )
    .argument('<reports...>', 'the shard reports (JSON), one per shard');
  return withReportOptions(cmd).action(async (files: string[], _o: unknown, c: Command) => {
    ctx.code = await runMerge(ctx, files, c.optsWithGlobals<MergeOptions>());
  });
}

async function runMerge(ctx: Ctx, files: readonly string[], opts: MergeOptions): Promise<ExitCode> {
  const { io } = ctx;
  if (opts.output !== undefined) checkOutput(opts.output, io.cwd, files);
  const reports = files.map((f) => readMergeable(f, io.cwd));
  const merged = mergeReports(reports, files);
  // accumulating properties: judge the union of the shards' facts on a rebuilt model
  const model = (await rebuild(merged.model, io.cwd, dirname(resolve(io.cwd, files[0]!)))).model;
  const judged = judgeCovers(judgeFacts(merged, reports, model), model);
  const out = timingEnabled(io.env, opts.timing) ? judged : stripTiming(judged);
  await writeReport(ctx, out, formatFor(opts), opts);
  return exitForStatus(out.status);
}

function stripTiming(r: Report): Report {
  const { timing: _t, ...rest } = r;
  return rest;
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Merge shard reports (pure; `names` label the reports in errors). */
export function mergeReports(reports: readonly Report[], names: readonly string[]): Report {
  if (reports.length === 0) throw usage('merge needs the shard reports', 'give every shard-i.json of one `check --shard i/n` search');
  const first = reports[0]!;
  const count = first.settings.shard?.count;
  reports.forEach((r, k) => {
    if (!r.settings.shard) throw usage(`${names[k]} is not a shard report (it has no settings.shard)`, 'write shard reports with `check --shard i/n --output shard-i.json`');
    if (r.settings.shard.count !== count) throw usage(`${names[k]} is shard ${r.settings.shard.index}/${r.settings.shard.count}, but ${names[0]} is of ${count} shards`, 'merge the reports of one search only');
    const id = (m: Report['model']): unknown => ({ origin: m.origin, name: m.name, path: m.path, params: m.params });
    if (!sameJson(id(r.model), id(first.model))) throw usage(`${names[k]} is of another model (or other parameters) than ${names[0]}`, 'merge the reports of one search only');
    const { shard: _a, ...s1 } = r.settings;
    const { shard: _b, ...s0 } = first.settings;
    if (!sameJson(s1, s0)) throw usage(`${names[k]} was run with other settings than ${names[0]}`, 'every shard must use the same budgets and options');
  });
  const seen = new Map<number, string>();
  reports.forEach((r, k) => {
    const i = r.settings.shard!.index;
    if (seen.has(i)) throw usage(`${names[k]} and ${seen.get(i)} are both shard ${i}/${count}`, 'give each shard once');
    seen.set(i, names[k]!);
  });
  belongTogether(reports, names);
  const missing = Array.from({ length: count! }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0) throw usage(`shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${count} missing`, 'merge needs all n shard reports of the search');
  const ordered = [...reports].sort((a, b) => a.settings.shard!.index - b.settings.shard!.index);

  // a shard report says `shard` when it searched all of its part
  const complete = ordered.every((r) => r.incompleteReason === 'shard');
  const exact = ordered.every((r) => r.stats.shard?.splitLevel === null);

  // violations: per property the shortest trace (ties: the lowest shard)
  const best = new Map<string, ReportViolation>();
  for (const r of ordered) {
    for (const v of r.violations) {
      if (v.kind === 'sometimes') continue;
      const cur = best.get(v.property);
      const len = v.trace ? v.trace.steps.length : Infinity;
      if (!cur || len < (cur.trace ? cur.trace.steps.length : Infinity)) best.set(v.property, v);
    }
  }
  const properties: ReportProperty[] = first.properties.map((p) => {
    const all = ordered.map((r) => r.properties.find((q) => q.id === p.id));
    if (p.kind === 'sometimes') {
      const reached = all.filter((q) => q?.verdict === 'reached').map((q) => q!.depth ?? 0);
      if (reached.length > 0) return { ...p, verdict: 'reached', depth: Math.min(...reached) };
      const known = all.every((q) => q?.verdict === 'unreachable');
      return withoutDepth({ ...p, verdict: complete && known ? 'unreachable' : 'unknown' });
    }
    const v = best.get(p.id);
    if (v) return { ...p, verdict: 'violated', depth: v.trace ? v.trace.steps.length : 0 };
    return withoutDepth({ ...p, verdict: all.every((q) => q?.verdict === 'holds') ? 'holds' : 'unknown' });
  });
  // as a search reports them: shallowest first (ties in property order)
  const depthOf = (v: ReportViolation): number => (v.trace ? v.trace.steps.length : Infinity);
  const violations: ReportViolation[] = [...best.values()].sort((a, b) => depthOf(a) - depthOf(b) || order(first, a.property) - order(first, b.property));
  const incompleteReason = complete ? null : (ordered.find((r) => r.incompleteReason !== 'shard')?.incompleteReason ?? null);
  const status: Report['status'] = violations.length > 0 ? 'violation' : complete ? 'pass' : 'incomplete';
  const sum = (f: (r: Report) => number): number => ordered.reduce((a, r) => a + f(r), 0);
  const neverFired = first.coverage.neverFired.filter((s) => ordered.every((r) => r.coverage.neverFired.includes(s)));
  const timed = ordered.every((r) => r.timing);
  const { shard: _s, ...settings } = first.settings;
  return {
    format: first.format,
    version: first.version,
    tool: first.tool,
    model: first.model,
    settings,
    status,
    complete,
    incompleteReason,
    exitCode: exitForStatus(status) as 0 | 1 | 3,
    stats: {
      states: exact ? first.stats.states : sum((r) => r.stats.states),
      transitions: exact ? first.stats.transitions : sum((r) => r.stats.transitions),
      levels: Math.max(...ordered.map((r) => r.stats.levels)),
      depth: Math.max(...ordered.map((r) => r.stats.depth)),
      stateBytes: first.stats.stateBytes,
      ...(first.stats.storedStateBytes !== undefined ? { storedStateBytes: first.stats.storedStateBytes } : {}),
      bytesPerState: first.stats.bytesPerState,
      storeBytes: Math.max(...ordered.map((r) => r.stats.storeBytes)),
      merged: { shards: ordered.length, exact },
    },
    ...(timed
      ? {
          timing: {
            // shards run side by side: the wall time is the slowest one
            seconds: Math.max(...ordered.map((r) => r.timing!.seconds)),
            statesPerSecond: Math.round(sum((r) => r.stats.states) / Math.max(1e-9, Math.max(...ordered.map((r) => r.timing!.seconds)))),
            peakRssBytes: Math.max(...ordered.map((r) => r.timing!.peakRssBytes)),
          },
        }
      : {}),
    properties,
    violations,
    unreachedCovers: unreachedCovers(properties, violations),
    coverage: { steps: first.coverage.steps, fired: first.coverage.steps - neverFired.length, neverFired },
    ...(ordered.some((r) => r.facts) ? { facts: unionFacts(ordered) } : {}),
  };
}

/**
 * Shards of one search: made by the same tool version, each an honest part (never complete by
 * itself), its shard statistics naming the same part as its settings, and all with the same split
 * (level, sizes) and the same fingerprint of the shared prefix. Anything else is exit 2.
 */
function belongTogether(reports: readonly Report[], names: readonly string[]): void {
  const HINT = 'merge the reports of all shards of one `check --shard i/n` search, as written';
  const first = reports[0]!;
  const split = (r: Report): unknown => {
    const s = r.stats.shard;
    return s ? { splitLevel: s.splitLevel, levelSize: s.levelSize, prefixStates: s.prefixStates, prefix: s.prefix } : null;
  };
  reports.forEach((r, k) => {
    const name = names[k];
    if (r.tool.version !== first.tool.version) throw usage(`${name} was written by xentimer-check ${r.tool.version}, ${names[0]} by ${first.tool.version}`, HINT);
    if (r.complete || r.status === 'pass') throw usage(`${name} claims to be complete: a shard report never is (edited, or from an older version)`, HINT);
    const s = r.stats.shard;
    if (!s) return; // simulate --shard: disjoint runs, no split
    if (s.index !== r.settings.shard!.index || s.count !== r.settings.shard!.count) throw usage(`${name}: its statistics are of shard ${s.index}/${s.count}, its settings of ${r.settings.shard!.index}/${r.settings.shard!.count}`, HINT);
    if (s.splitLevel !== null && s.prefix === undefined) throw usage(`${name} has no fingerprint of the shared prefix (written by an older version?)`, 'run the shards again with this version');
    if (!sameJson(split(r), split(first))) throw usage(`${name} split the search differently from ${names[0]} (split level, sizes or the fingerprint of the shared prefix differ)`, HINT);
  });
}

function withoutDepth(p: ReportProperty): ReportProperty {
  const { depth: _d, ...rest } = p;
  return rest;
}

function order(r: Report, id: string): number {
  const i = r.properties.findIndex((p) => p.id === id);
  return i < 0 ? r.properties.length : i;
}

/** The facts of every shard, per property id: a list (one entry per shard). */
function unionFacts(reports: readonly Report[]): Record<string, unknown> {
  const out: Record<string, unknown[]> = {};
  for (const r of reports) for (const [id, f] of Object.entries(r.facts ?? {})) (out[id] ??= []).push(f);
  return out;
}

/** Unreached covers that fail the run (--fail-on-unreached-cover, or the property's failIfUnreached) become violations. */
export function judgeCovers(merged: Report, model: import('../../engine/model.js').Model): Report {
  const fails = (id: string): boolean => merged.settings.failOnUnreachedCover === true || model.properties.some((p) => p.id === id && p.kind === 'sometimes' && p.failIfUnreached === true);
  const failing = (merged.unreachedCovers ?? []).filter((c) => fails(c.property));
  if (failing.length === 0) return merged;
  const violations = [...merged.violations, ...failing.map((c): ReportViolation => ({ property: c.property, kind: 'sometimes', description: c.description, message: `never reached: ${c.description}`, source: c.source, trace: null }))];
  return { ...merged, status: 'violation', exitCode: 1, violations, unreachedCovers: unreachedCovers(merged.properties, violations) };
}

/** Re-judge accumulating transition properties that no single shard found violated. */
export function judgeFacts(merged: Report, reports: readonly Report[], model: import('../../engine/model.js').Model): Report {
  let out = merged;
  for (const p of model.properties) {
    if (p.kind !== 'transition' || !p.judge) continue;
    const prop = out.properties.find((q) => q.id === p.id);
    if (!prop || prop.verdict === 'violated') continue;
    const facts = reports.map((r) => r.facts?.[p.id]).filter((f) => f !== undefined);
    if (facts.length === 0) continue;
    const verdict = p.judge(facts);
    if (verdict === true) continue;
    const violation: ReportViolation = { property: p.id, kind: 'transition', description: p.description, message: `${verdict} (found by joining the shards' facts: no single trace)`, source: prop.source, trace: null };
    out = {
      ...out,
      status: 'violation',
      exitCode: 1,
      properties: out.properties.map((q) => (q.id === p.id ? withoutDepth({ ...q, verdict: 'violated' }) : q)),
      violations: [...out.violations, violation],
    };
  }
  return out;
}
