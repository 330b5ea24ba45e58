/** `check [model]` — explore every reachable state and check the properties (the default command). */
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { colorEnabled, makeStyle } from '../color.js';
import type { Ctx, GlobalOptions } from '../context.js';
import { timingEnabled } from '../context.js';
import { exitForStatus, usage, type ExitCode } from '../exit.js';
import { plain, type Style } from '../format/style.js';
import { formatText } from '../format/text.js';
import { loadModel, type GivenParams } from '../load.js';
import { checkOutput, writeAtomic } from '../output-file.js';
import { camel, collectParam, once, parseBytes, parseCount, parseInteger, parseSeconds, parseShard, parseWorkers } from '../options.js';
import { toolVersion } from '../paths.js';
import { makeProgress } from '../progress.js';
import { toReport, type Report, type Settings } from '../report.js';
import { exploreInWorker, interruptible } from '../search-host.js';
import { checkpointNotes, checkpointPlan, withCheckpointOptions, type CheckpointCliOptions } from '../checkpoint.js';
import type { ExploreOptions } from '../../engine/explore.js';
import type { Model } from '../../engine/model.js';
import type { ModelSpec } from '../../engine/parallel.js';
import type { Result } from '../../engine/result.js';

export const CHECK_FORMATS = ['text', 'json', 'itf', 'junit', 'sarif', 'html'] as const;
export type CheckFormat = (typeof CHECK_FORMATS)[number];

export interface CheckOptions extends GlobalOptions, CheckpointCliOptions {
  variant?: string;
  vcpus?: number;
  ops?: number;
  invalidations?: number;
  preemptRt?: boolean;
  placement?: string;
  param?: Record<string, string>;
  maxStates?: number;
  maxDepth?: number;
  timeLimit?: number;
  memoryLimit?: number;
  allViolations?: boolean;
  deadlock?: boolean;
  format?: CheckFormat;
  output?: string;
  explain?: boolean;
  quiet?: boolean;
  timing?: boolean;
  symmetry?: boolean;
  fingerprint?: boolean;
  workers?: number;
  shard?: { index: number; count: number };
  /** false with --no-por. */
  por?: boolean;
  failOnUnreachedCover?: boolean;
}

export function checkCommand(ctx: Ctx): Command {
  const cmd = withModelParams(new Command('check')
    .summary('explore every reachable state of a model and check its properties (default command)')
    .description(
      'Explore every reachable state of a model breadth-first and check its properties; print each violation with its shortest trace.\n' +
        'MODEL is a registered model name (see `list`), a path to a .dve file, or a path to a JS module whose default export (or `model` / `factory` export) is a Model or ModelFactory. Default: xen-timer.\n' +
        'Exit: 0 all hold and the search completed, 1 violation, 2 bad input, 3 incomplete (budget hit), 4 internal error.',
    )
      .argument('[model]', 'model name, .dve file or JS module (default: xen-timer)'),
  );
  withBudgets(cmd)
    .option('--all-violations', 'keep exploring after a violation; report every violated property')
    .option('--no-deadlock', 'do not report deadlocks (states where nothing can move)')
    .option('--fail-on-unreached-cover', 'a branch cover that the complete search never reached is a violation (exit 1); default: reported as a finding, exit 0 when every safety property holds')
    .option('--symmetry', 'symmetry reduction: store one state per orbit of interchangeable processes (models that declare a symmetry)')
    .option('--fingerprint', 'hash compaction: store 64-bit fingerprints instead of states (less memory; reports the probability a state was missed)')
    .option('--workers <n>', 'expand states in N worker threads (same result as sequential)', parseWorkers)
    .option('--shard <i/n>', 'explore part i of n (0-based) of the state space; combine the reports with `merge`', parseShard)
    .option('--no-por', 'no partial-order reduction (on by default where the model declares its steps\' accesses; without it every trace is a shortest one)');
  withCheckpointOptions(cmd);
  return withReportOptions(cmd).action(async (model: string | undefined, _opts: unknown, cmd: Command) => {
    ctx.code = await runCheck(ctx, model, cmd.optsWithGlobals<CheckOptions>());
  });
}

/** The search budgets shared by `check` and `serve` (its page's search, which has no exit code: `exits` false). */
export function withBudgets(cmd: Command, exits = true): Command {
  return cmd
    .option('--max-states <n>', `stop after storing this many states (e.g. 5M)${exits ? '; exit 3 if no violation' : ''}`, parseCount)
    .option('--max-depth <n>', 'do not explore deeper than this many steps', parseCount)
    .option('--time-limit <seconds>', 'stop after this long (60, 30s, 5m)', parseSeconds)
    .option('--memory-limit <size>', 'stop when resident memory exceeds this (512M, 2G)', parseBytes);
}

/** The report options shared by `check`, `simulate` and `merge` (read back by formatFor and writeReport). */
export function withReportOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-f, --format <format>', 'output format (default: text, or from the --output extension)').choices(CHECK_FORMATS))
    .option('-o, --output <file>', 'write the report (in --format) to FILE; the terminal still gets the text report')
    .option('--explain', 'add a race diagram to each trace (text format)')
    .option('-q, --quiet', 'no progress, no traces: violation headlines and the summary only')
    .option('--no-timing', 'leave time, rate and memory out of reports (also XENTIMER_NO_TIMING=1)');
}

/** The model parameter options shared by `check` and `simulate` (read back by givenParams). */
export function withModelParams(cmd: Command): Command {
  return cmd
    .option('--variant <name>', 'model variant (xen-timer: baseline, fastpath-2022, seed-v2, upstream-v3, ...)', once(String))
    .option('--vcpus <n>', 'number of vCPUs (xen-timer: 1..3)', once(parseInteger))
    .option('--ops <k>', 'operations per vCPU script (xen-timer)', once(parseInteger))
    .option('--invalidations <m>', 'MMU-notifier cache invalidations (xen-timer)', once(parseInteger))
    .option('--preempt-rt', 'host kernel with PREEMPT_RT (xen-timer)')
    .option('--placement <where>', 'where the hrtimer callback runs: other, same or both (xen-timer)', once(String))
    .option('-p, --param <name=value>', 'any model parameter (repeatable)', collectParam);
}

/** The format asked for, or guessed from the output file name. */
export function formatFor(opts: Pick<CheckOptions, 'format' | 'output'>): CheckFormat {
  if (opts.format) return opts.format;
  const o = opts.output?.toLowerCase() ?? '';
  if (o.endsWith('.itf.json')) return 'itf';
  if (o.endsWith('.json')) return 'json';
  if (o.endsWith('.sarif') || o.endsWith('.sarif.json')) return 'sarif';
  if (o.endsWith('.xml')) return 'junit';
  if (o.endsWith('.html') || o.endsWith('.htm')) return 'html';
  return 'text';
}

/** The text form of a report. */
export function render(report: Report, _format: 'text', style: Style, opts: Pick<CheckOptions, 'quiet' | 'explain'>): string {
  return formatText(report, style, { quiet: opts.quiet, explain: opts.explain });
}

/** The renderer of a file format, its module loaded only when asked for (a run loads one format, not all five). */
async function rendererFor(format: Exclude<CheckFormat, 'text'>): Promise<(report: Report) => string> {
  switch (format) {
    case 'json':
      return (await import('../format/json.js')).formatJson;
    case 'itf': {
      const { toItf } = await import('../format/itf.js');
      return (r) => JSON.stringify(toItf(r), null, 2) + '\n';
    }
    case 'junit':
      return (await import('../format/junit.js')).formatJunit;
    case 'sarif': {
      const { toSarif } = await import('../format/sarif.js');
      return (r) => JSON.stringify(toSarif(r), null, 2) + '\n';
    }
    case 'html':
      return (await import('../html/report-page.js')).formatHtml;
  }
}

/**
 * The model parameters given, from -p and the named options. One parameter given twice (`--vcpus 2
 * -p vcpus=1`, `-p preempt-rt=1 -p preemptRt=0`) is exit 2, not a silent choice.
 */
export function givenParams(opts: CheckOptions): GivenParams {
  const given: Record<string, string | number | boolean> = {};
  const spelled = new Map<string, string>();
  const put = (name: string, value: string | number | boolean, as: string): void => {
    const key = camel(name);
    const prev = spelled.get(key);
    if (prev !== undefined) throw usage(`parameter ${key} is given twice (${prev} and ${as})`, 'give each model parameter once');
    spelled.set(key, as);
    given[name] = value;
  };
  for (const [k, v] of Object.entries(opts.param ?? {})) put(k, v, `-p ${k}=${v}`);
  const named: [string, string | number | boolean | undefined, string][] = [
    ['variant', opts.variant, '--variant'],
    ['vcpus', opts.vcpus, '--vcpus'],
    ['ops', opts.ops, '--ops'],
    ['invalidations', opts.invalidations, '--invalidations'],
    ['preemptRt', opts.preemptRt ? true : undefined, '--preempt-rt'],
    ['placement', opts.placement, '--placement'],
  ];
  for (const [name, v, flag] of named) if (v !== undefined) put(name, v, flag);
  return given;
}

/** The search: in a worker thread that SIGINT / SIGTERM can stop (the real process), or here (in-process callers). */
function search(io: Ctx['io'], loaded: { model: Model; spec: ModelSpec }, options: ExploreOptions): Promise<Result> {
  return interruptible(
    io,
    // the engine is loaded here only for in-process callers: the real process searches in a thread
    async () => (await import('../../engine/explore.js')).explore(loaded.model, options),
    (flag) => exploreInWorker(loaded.spec, options, flag),
    options.checkpoint !== undefined ? 'writing a checkpoint' : undefined,
  );
}

/** The files a loaded model was read from (an --output must not overwrite them). */
export function modelFiles(loaded: { origin: { path?: string } }): string[] {
  return loaded.origin.path !== undefined ? [loaded.origin.path] : [];
}

export async function runCheck(ctx: Ctx, spec: string | undefined, opts: CheckOptions): Promise<ExitCode> {
  const { io } = ctx;
  const format = formatFor(opts);
  const loaded = await loadModel(spec, givenParams(opts), io.cwd);
  // the report must not overwrite the model, nor the checkpoint read or written
  if (opts.output !== undefined) checkOutput(opts.output, io.cwd, [...modelFiles(loaded), ...[opts.resume, opts.checkpoint].filter((f): f is string => f !== undefined)]);
  const saving = checkpointPlan(opts, io.cwd, loaded.origin, modelFiles(loaded), opts.output);
  const settings: Settings = {
    maxStates: opts.maxStates ?? null,
    maxDepth: opts.maxDepth ?? null,
    timeLimit: opts.timeLimit ?? null,
    memoryLimit: opts.memoryLimit ?? null,
    allViolations: opts.allViolations === true,
    deadlock: opts.deadlock !== false,
    ...(opts.symmetry ? { symmetry: true } : {}),
    ...(opts.fingerprint ? { fingerprint: true } : {}),
    ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
    ...(opts.shard ? { shard: opts.shard } : {}),
    ...(opts.por === false ? { por: false } : {}),
    ...(opts.failOnUnreachedCover ? { failOnUnreachedCover: true } : {}),
  };
  if (opts.symmetry && !loaded.model.symmetry) throw usage(`model ${loaded.model.name} declares no symmetry`, 'symmetry reduction needs interchangeable processes declared by the model (xen-timer with --vcpus 2 or 3, philosophers with order=naive, counter)');
  if (opts.workers !== undefined && opts.fingerprint) throw usage('--workers and --fingerprint cannot be combined', 'the worker threads read the store of full states');
  // progress only when the terminal gets the text report (not with a machine format on stdout)
  const progress = makeProgress(io.stderr, !opts.quiet && (format === 'text' || opts.output !== undefined), io.env);
  const result = await search(io, loaded, {
    maxStates: opts.maxStates,
    maxDepth: opts.maxDepth,
    timeLimit: opts.timeLimit,
    memoryLimit: opts.memoryLimit,
    allViolations: settings.allViolations,
    deadlock: settings.deadlock,
    onProgress: progress.onProgress,
    progressInterval: progress.interval,
    symmetry: opts.symmetry,
    fingerprint: opts.fingerprint,
    shard: opts.shard,
    failOnUnreachedCover: opts.failOnUnreachedCover === true,
    ...(opts.workers !== undefined ? { parallel: { workers: opts.workers, spec: loaded.spec } } : {}),
    por: opts.por !== false,
    ...saving,
  });
  progress.done();
  const report = toReport({
    result,
    origin: loaded.origin,
    processes: loaded.model.processes,
    settings,
    timing: timingEnabled(io.env, opts.timing),
    toolVersion: toolVersion(),
  });
  await writeReport(ctx, report, format, opts);
  for (const line of checkpointNotes(result.checkpoint, opts)) io.stderr.write(`${line}\n`);
  return exitForStatus(report.status);
}

/**
 * Print a report: to the terminal in text (or in `format` on stdout), and in `format` to --output.
 * `text` renders the text form in a style (default: formatText); simulate adds its own lines.
 * The terminal gets the report first, so a file that cannot be written (said on stderr) loses
 * nothing; the caller's exit code (the verdict) stands.
 */
export async function writeReport(
  ctx: Ctx,
  report: Report,
  format: CheckFormat,
  opts: Pick<CheckOptions, 'output' | 'quiet' | 'explain' | 'color'>,
  text: (style: Style) => string = (st) => formatText(report, st, { quiet: opts.quiet, explain: opts.explain }),
): Promise<void> {
  const { io } = ctx;
  const style = makeStyle(colorEnabled(io.env, io.stdout, opts.color));
  const file = format === 'text' ? null : await rendererFor(format);
  const as = (f: CheckFormat, st: Style): string => (file === null || f === 'text' ? text(st) : file(report));
  if (opts.output === undefined) {
    io.stdout.write(as(format, style));
    return;
  }
  io.stdout.write(text(style));
  try {
    writeAtomic(resolve(io.cwd, opts.output), as(format, plain));
  } catch (e) {
    io.stderr.write(`xentimer-check: error: cannot write ${opts.output}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; the report above was not saved (the exit code is the verdict's)\n`);
    return;
  }
  if (!opts.quiet) io.stderr.write(`${format} report written to ${opts.output}\n`);
}
