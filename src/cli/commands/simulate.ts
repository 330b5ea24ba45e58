/**
 * `simulate [model]` — seeded random walks for state spaces too big to exhaust; each failing walk
 * is shrunk (fast-check) to a minimal schedule and reported with a replayable trace. A
 * simulation never proves a property: without a violation the exit code is 3, never 0.
 */
import { randomInt } from 'node:crypto';
import { Command, InvalidArgumentError } from 'commander';
import type { Result } from '../../engine/result.js';
import type { Progress } from '../../engine/events.js';
import { simulate } from '../../engine/simulate.js';
import type { Ctx } from '../context.js';
import { timingEnabled } from '../context.js';
import { exitForStatus, type ExitCode } from '../exit.js';
import { int, plural } from '../format/common.js';
import type { Style } from '../format/style.js';
import { loadModel } from '../load.js';
import { checkOutput } from '../output-file.js';
import { parseCount, parseInteger, parseSeconds, parseShard } from '../options.js';
import { toolVersion } from '../paths.js';
import { makeProgress } from '../progress.js';
import { toReport, type Settings } from '../report.js';
import { interruptible } from '../search-host.js';
import { freshCopies, type SimulateJob } from '../simulate-job.js';
import { runInWorker } from '../worker-job.js';
import { formatFor, givenParams, modelFiles, render, withModelParams, withReportOptions, writeReport, type CheckOptions } from './check.js';

export const DEFAULT_RUNS = 1000;
export const DEFAULT_DEPTH = 1000;

export interface SimulateCliOptions extends CheckOptions {
  seed?: number;
  runs?: number;
  depth?: number;
  shrink?: boolean;
}

/** A seed: a whole number 0..2^53-1. */
export function parseSeed(raw: string): number {
  const n = parseInteger(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`'${raw}' is not a seed (a whole number from 0 to ${Number.MAX_SAFE_INTEGER}).`);
  return n;
}

/** A count of at least 1 (`1000`, `10k`). */
export function parsePositive(raw: string): number {
  const n = parseCount(raw);
  if (n < 1) throw new InvalidArgumentError(`'${raw}' must be at least 1.`);
  return n;
}

export function simulateCommand(ctx: Ctx): Command {
  const cmd = new Command('simulate')
    .summary('random walks for state spaces too big to exhaust; failing walks are shrunk to minimal traces')
    .description(
      'Take R seeded random walks of at most D steps each (every step chosen uniformly among the enabled ones) and check the properties along them. ' +
        'Each failing walk is shrunk (with fast-check) to a minimal schedule: no step of the reported trace can be removed. ' +
        'Every report names the seed; the same model, seed, runs and depth give the same result, and the JSON report replays with `replay`.\n' +
        'MODEL is as for `check` (default: xen-timer).\n' +
        'Exit: 1 violation, 3 no violation found (a simulation proves nothing, so never 0) or interrupted (SIGINT / SIGTERM: what was found so far is reported), 2 bad input, 4 internal error.',
    )
    .argument('[model]', 'model name, .dve file or JS module (default: xen-timer)')
    .option('--seed <n>', 'seed of the walks (default: a random one, printed)', parseSeed)
    .option('--runs <n>', `number of walks (default ${DEFAULT_RUNS})`, parsePositive)
    .option('--depth <n>', `steps per walk at most (default ${DEFAULT_DEPTH})`, parsePositive);
  withModelParams(cmd)
    .option('--time-limit <seconds>', 'stop walking after this long (60, 30s, 5m)', parseSeconds)
    .option('--all-violations', 'keep walking after a violation; report every violated property')
    .option('--no-deadlock', 'do not report deadlocks (walks ending where nothing can move)')
    .option('--no-shrink', 'report the failing walks as they were taken')
    .option('--shard <i/n>', 'take only runs r with r mod n = i (disjoint runs per CI job); combine the reports with `merge`', parseShard);
  return withReportOptions(cmd).action(async (model: string | undefined, _opts: unknown, c: Command) => {
    ctx.code = await runSimulate(ctx, model, c.optsWithGlobals<SimulateCliOptions>());
  });
}

export async function runSimulate(ctx: Ctx, spec: string | undefined, opts: SimulateCliOptions): Promise<ExitCode> {
  const { io } = ctx;
  const format = formatFor(opts);
  const given = givenParams(opts);
  const loaded = await loadModel(spec, given, io.cwd);
  if (opts.output !== undefined) checkOutput(opts.output, io.cwd, modelFiles(loaded));
  const seed = opts.seed ?? randomInt(0, 0x100000000);
  const runs = opts.runs ?? DEFAULT_RUNS;
  const depth = opts.depth ?? DEFAULT_DEPTH;
  const settings: Settings = {
    maxStates: null,
    maxDepth: depth,
    timeLimit: opts.timeLimit ?? null,
    memoryLimit: null,
    allViolations: opts.allViolations === true,
    deadlock: opts.deadlock !== false,
    ...(opts.shard ? { shard: opts.shard } : {}),
  };
  const progress = makeProgress(io.stderr, !opts.quiet && (format === 'text' || opts.output !== undefined), io.env);
  const options: SimulateJob['options'] = {
    seed,
    runs,
    depth,
    allViolations: settings.allViolations,
    deadlock: settings.deadlock,
    timeLimit: opts.timeLimit,
    shrink: opts.shrink !== false,
    shard: opts.shard,
    progressInterval: progress.interval,
  };
  const result = await interruptible(
    io,
    () => simulate(loaded.model, { ...options, fresh: freshCopies(loaded), onProgress: progress.onProgress }),
    (flag) => {
      const job: SimulateJob = { spec, given, cwd: io.cwd, options, progress: progress.onProgress !== undefined, stop: flag.buffer };
      return runInWorker<Result, Progress>(new URL('../simulate-worker.js', import.meta.url), job, progress.onProgress);
    },
  );
  progress.done();
  const report = toReport({
    result,
    origin: loaded.origin,
    processes: loaded.model.processes,
    settings,
    timing: timingEnabled(io.env, opts.timing),
    toolVersion: toolVersion(),
  });
  await writeReport(ctx, report, format, opts, (st: Style) => simulationText(render(report, 'text', st, opts), result, st, opts.shrink !== false));
  return exitForStatus(result.status);
}

/** One line with what was simulated: the seed (to repeat the run), runs, depth, longest walk. */
export function simulationLine(r: Result, style: Style): string {
  const info = r.info ?? {};
  const seed = Number(info['simulation.seed']);
  const runs = Number(info['simulation.runs']);
  const walks = Number(info['simulation.walks']);
  const depth = Number(info['simulation.depth']);
  const why = walks === runs ? '' : r.incompleteReason === 'time-limit' ? ' (time limit reached)' : r.incompleteReason === 'interrupted' ? ' (interrupted)' : ' (stopped at the first violation)';
  const walked = walks === runs ? plural(runs, 'run') : `${int(walks)} of ${plural(runs, 'run')}${why}`;
  return `${style.bold('simulation')}: seed ${seed} · ${walked} · depth ≤ ${int(depth)} · longest walk ${plural(r.stats.depth, 'step')}`;
}

function simulationText(text: string, r: Result, style: Style, shrink: boolean): string {
  const lines = text.split('\n');
  lines.splice(1, 0, simulationLine(r, style));
  // the text formatter speaks of explore's traces; these come from walks
  const word = shrink ? 'shrunk trace' : 'walk trace';
  return lines.join('\n').replace(/^((?:\u001b\[[0-9;]*m)?)  shortest trace: /gm, `$1  ${word}: `);
}
