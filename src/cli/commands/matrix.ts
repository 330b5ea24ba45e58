/** `matrix` — every variant × property against the expected matrix in the repo (the CI gate). */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { DEFAULT_MODEL, findModel, listModels, resolveParams } from '../../../models/index.js';
import { diffMatrix, matrixVariants, runMatrix, toExpected, type ExpectedMatrix, type Matrix, type MatrixRow } from '../../../models/matrix.js';
import type { ExploreOptions } from '../../engine/explore.js';
import type { ModelFactory } from '../../engine/model.js';
import { markdownMatrix } from '../../../models/matrix-markdown.js';
import { colorEnabled, makeStyle } from '../color.js';
import type { Ctx, GlobalOptions } from '../context.js';
import { timingEnabled } from '../context.js';
import { EXIT, usage, type ExitCode } from '../exit.js';
import { int, params as paramText, seconds } from '../format/common.js';
import type { Style } from '../format/style.js';
import { loadFactory, looksLikePath, normaliseParams } from '../load.js';
import { collectParam, parseBytes, parseCount, parseJobs, parseList, parseSeconds } from '../options.js';
import { expectedMatrixPath } from '../paths.js';
import { interruptible } from '../search-host.js';
import { runInWorker } from '../worker-job.js';

interface MatrixOptions extends GlobalOptions {
  model: string;
  variants?: string[];
  update?: boolean;
  expected?: string;
  param?: Record<string, string>;
  maxStates?: number;
  timeLimit?: number;
  memoryLimit?: number;
  jobs?: number;
  format?: 'text' | 'json' | 'markdown';
  quiet?: boolean;
  timing?: boolean;
}

export function matrixCommand(ctx: Ctx): Command {
  return new Command('matrix')
    .summary('check every variant and compare the verdicts with the expected matrix (CI gate)')
    .description(
      'Check every variant of a model (all properties, all violations) and compare the verdicts, state and transition counts with the expected matrix ' +
        'stored in the repository (models/<model>/expected.json). Prints a property × variant table.\n' +
        'MODEL is a registered model name or a path to a JS module whose default (or `factory`) export is a ModelFactory.\n' +
        'Exit: 0 same as expected, 1 a verdict or count differs, 2 bad arguments or no expected matrix, 3 interrupted (SIGINT / SIGTERM: the variants finished so far are compared, the others listed; a second signal quits at once) with no difference so far. --update rewrites the expected matrix (never after an interrupt).',
    )
    .option('-m, --model <name>', 'model name, or a JS module exporting a ModelFactory', DEFAULT_MODEL)
    .option('--variants <list>', 'comma-separated variants (default: all)', parseList)
    .option('--update', 'write the verdicts as the new expected matrix (then exit 0)')
    .option('--expected <file>', 'expected matrix file (default: models/<model>/expected.json)')
    .option('-p, --param <name=value>', 'model parameter (default: the expected matrix\'s parameters; repeatable)', collectParam)
    .option('--max-states <n>', 'per-variant state budget (unfinished verdicts become "unknown")', parseCount)
    .option('--time-limit <seconds>', 'per-variant time limit', parseSeconds)
    .option('--memory-limit <size>', 'per-variant memory limit', parseBytes)
    .option('-j, --jobs <n>', 'variants checked at once, each in a thread of its own, 1..256 (default: the number of CPUs; the matrix is the same for any number)', parseJobs)
    .addOption(new Option('-f, --format <format>', 'output format (markdown: a variant × property table of the verdicts, ✗ N = violated in N steps)').choices(['text', 'json', 'markdown']).default('text'))
    .option('-q, --quiet', 'only the differences and the verdict line')
    .option('--no-timing', 'leave times out of the output (also XENTIMER_NO_TIMING=1)')
    .action(async (_o: unknown, cmd: Command) => {
      ctx.code = await runMatrixCommand(ctx, cmd.optsWithGlobals<MatrixOptions>());
    });
}

function readExpected(path: string, shown: string): ExpectedMatrix {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw usage(`cannot read the expected matrix ${shown}: ${e instanceof SyntaxError ? e.message : ((e as NodeJS.ErrnoException).code ?? (e as Error).message)}`, 'fix the file or regenerate it with --update');
  }
  const m = data as Partial<ExpectedMatrix>;
  if (typeof m !== 'object' || m === null || typeof m.model !== 'string' || typeof m.variants !== 'object' || m.variants === null) {
    throw usage(`${shown} is not an expected matrix (needs "model", "params" and "variants")`, 'regenerate it with --update');
  }
  return m as ExpectedMatrix;
}

/** What the matrix worker thread (matrix-worker.ts) is given. */
export interface MatrixJob {
  /** A registered model name, or a JS module path (resolved from cwd) exporting a ModelFactory. */
  readonly model: string;
  readonly cwd: string;
  readonly given: Record<string, string | number | boolean>;
  readonly variants?: readonly string[];
  readonly budgets: Pick<ExploreOptions, 'maxStates' | 'timeLimit' | 'memoryLimit'>;
  /** Variants checked at once (runMatrix's threads). */
  readonly threads: number;
  /** The expected state count per variant (a store-size hint). */
  readonly expectedStates: Readonly<Record<string, number>>;
  /** Int32Array[1]: non-zero = stop. */
  readonly stop: SharedArrayBuffer;
}

/** A finished row (without its result) as the worker reports it while the others run. */
export type MatrixRowEvent = Omit<MatrixRow, 'result'>;

/** The factory of a registered model, or of a JS module (a path). */
export async function matrixFactory(model: string, cwd: string): Promise<ModelFactory> {
  const f = findModel(model);
  if (f) return f;
  if (looksLikePath(model)) return loadFactory(model, cwd);
  throw usage(`unknown model '${model}'`, `models: ${listModels().map((g) => g.name).join(', ')}; or a path to a JS module exporting a ModelFactory`);
}

/** Check the variants: here (in-process callers), or in a worker thread that SIGINT / SIGTERM can stop (the real process). */
export function checkVariants(io: Ctx['io'], job: Omit<MatrixJob, 'stop'>, f: ModelFactory, onRow?: (row: MatrixRowEvent) => void): Promise<Matrix> {
  return interruptible(
    io,
    () => runMatrix(f, job.given, job.variants, { ...job.budgets, threads: job.threads, expectedStatesOf: (v) => job.expectedStates[v] }, onRow),
    (flag) => runInWorker<Matrix, MatrixRowEvent>(new URL('../matrix-worker.js', import.meta.url), { ...job, stop: flag.buffer } satisfies MatrixJob, onRow),
  );
}

/** The variants asked for that did not finish: interrupted while checked (with its state count), or never started. */
function unfinished(m: Matrix, chosen: readonly string[]): Unfinished[] {
  return chosen.flatMap((variant) => {
    const row = m.rows.find((r) => r.variant === variant);
    if (!row) return [{ variant }];
    if (row.result.incompleteReason !== 'interrupted') return [];
    const violated = Object.keys(row.verdicts).filter((id) => row.verdicts[id]!.startsWith('violated'));
    return [{ variant, states: row.states, violated }];
  });
}

/** A variant of an interrupted matrix that did not finish: with the states it stored and the properties it found violated, if it was started. */
interface Unfinished {
  readonly variant: string;
  readonly states?: number;
  readonly violated?: readonly string[];
}

async function runMatrixCommand(ctx: Ctx, opts: MatrixOptions): Promise<ExitCode> {
  const { io } = ctx;
  const f = await matrixFactory(opts.model, io.cwd);
  // a module's matrix is not one of the repository's models/<name>/expected.json
  if (!opts.expected && findModel(opts.model) === undefined) throw usage(`the matrix of a module (${opts.model}) needs --expected FILE`, 'name the expected matrix file (create it with --update)');
  const shown = opts.expected ?? `models/${f.name}/expected.json`;
  const path = opts.expected ? resolve(io.cwd, opts.expected) : expectedMatrixPath(f.name);
  const expected = existsSync(path) ? readExpected(path, shown) : undefined;
  if (!expected && !opts.update) throw usage(`no expected matrix for ${f.name} at ${shown}`, `create it with \`${updateCommand(opts)}\``);
  if (expected && expected.model !== f.name) throw usage(`${shown} is the expected matrix of ${expected.model}, not ${f.name}`, 'pass the matching --model or --expected');

  const vspec = f.params.find((p) => p.name === 'variant');
  if (opts.variants && !vspec) throw usage(`model ${f.name} has no variants`, 'drop --variants');
  for (const v of opts.variants ?? []) {
    if (!vspec!.values!.includes(v)) throw usage(`model ${f.name} has no variant '${v}'`, `variants: ${vspec!.values!.join(', ')}`);
  }
  const given = opts.param ? normaliseParams(f, opts.param) : { ...(expected?.params ?? {}) };
  delete given['variant'];
  resolveParams(f, given); // validate before the long run

  const style = makeStyle(colorEnabled(io.env, io.stdout, opts.color));
  const live = !opts.quiet && opts.format !== 'json' && io.stderr.isTTY === true;
  const chosen = matrixVariants(f, opts.variants);
  const job: Omit<MatrixJob, 'stop'> = {
    model: opts.model,
    cwd: io.cwd,
    given,
    ...(opts.variants ? { variants: opts.variants } : {}),
    budgets: { maxStates: opts.maxStates, timeLimit: opts.timeLimit, memoryLimit: opts.memoryLimit },
    threads: opts.jobs ?? availableParallelism(),
    // the expected counts size each variant's store (a hint: a different count is still found)
    expectedStates: Object.fromEntries(chosen.flatMap((v) => (expected?.variants[v] ? [[v, expected.variants[v]!.states]] : []))),
  };
  const all = await checkVariants(io, job, f, live ? (row) => void io.stderr.write(`  ${row.variant}: ${int(row.states)} states, ${seconds(row.seconds)}\n`) : undefined);
  const stopped = unfinished(all, chosen);
  const interrupted = stopped.length > 0;
  // an interrupted matrix compares (and shows) only the variants that finished
  const matrix: Matrix = interrupted ? { ...all, rows: all.rows.filter((r) => !stopped.some((u) => u.variant === r.variant)) } : all;
  const compared = (v: string): boolean => (interrupted ? matrix.rows.some((r) => r.variant === v) : !opts.variants || opts.variants.includes(v));

  const scoped: ExpectedMatrix | undefined = expected && {
    ...expected,
    variants: Object.fromEntries(Object.entries(expected.variants).filter(([v]) => compared(v))),
  };
  const paramDiffs =
    expected && paramText(expected.params) !== paramText(matrix.params) ? [`parameters ${paramText(matrix.params)}, expected ${paramText(expected.params)}`] : [];
  const diffs = scoped ? [...paramDiffs, ...diffMatrix(scoped, matrix)] : [];

  // a partial matrix is never written as the expected one
  const update = opts.update === true && !interrupted;
  if (update) {
    const next = toExpected(matrix);
    const merged: ExpectedMatrix =
      expected && opts.variants && paramDiffs.length === 0 ? { ...next, variants: { ...expected.variants, ...next.variants } } : next;
    try {
      writeFileSync(path, JSON.stringify(merged, null, 2) + '\n');
    } catch (e) {
      throw usage(`cannot write ${shown}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'check that the file is writable');
    }
  }

  const timing = timingEnabled(io.env, opts.timing);
  if (opts.format === 'json') {
    io.stdout.write(JSON.stringify(matrixJson(matrix, shown, diffs, timing, update, stopped), null, 2) + '\n');
  } else {
    if (opts.format === 'markdown') io.stdout.write(markdownMatrix(toExpected(matrix)) + '\n');
    else if (!opts.quiet && matrix.rows.length > 0) io.stdout.write(table(matrix, scoped, style, timing, diffs.length > 0));
    for (const d of diffs) io.stdout.write(`${style.red('≠')} ${d}\n`);
    const total = matrix.rows.length;
    if (interrupted) io.stdout.write(interruptedText(style, stopped, chosen.length, shown, diffs.length, opts.update === true));
    else if (opts.update && !expected) io.stdout.write(`${style.bold('CREATED')} ${shown} (${total} variant${total === 1 ? '' : 's'})\n`);
    else if (opts.update) io.stdout.write(`${style.bold('UPDATED')} ${shown} (${total} variant${total === 1 ? '' : 's'}${diffs.length ? `, ${diffs.length} change${diffs.length === 1 ? '' : 's'}` : ', no change'})\n`);
    else if (diffs.length === 0) io.stdout.write(`${style.green(style.bold('SAME'))} as ${shown}: ${total} variant${total === 1 ? '' : 's'} × ${matrix.properties.length} properties\n`);
    else io.stdout.write(`${style.red(style.bold('DIFFERENT'))} from ${shown}: ${diffs.length} difference${diffs.length === 1 ? '' : 's'} (if intended: ${updateCommand(opts)})\n`);
  }
  if (interrupted) return diffs.length > 0 && !opts.update ? EXIT.violation : EXIT.incomplete;
  return opts.update || diffs.length === 0 ? EXIT.pass : EXIT.violation;
}

/**
 * The command that writes this run's matrix as the expected one: the same model (as given: a name
 * or a module path), expected file, parameters and variants, with --update.
 */
function updateCommand(opts: Pick<MatrixOptions, 'model' | 'expected' | 'param' | 'variants'>): string {
  const args = ['xentimer-check', 'matrix', '--model', opts.model];
  if (opts.expected !== undefined) args.push('--expected', opts.expected);
  for (const [k, v] of Object.entries(opts.param ?? {})) args.push('-p', `${k}=${v}`);
  if (opts.variants) args.push('--variants', opts.variants.join(','));
  args.push('--update');
  return args.map(shellWord).join(' ');
}

/** A word as a POSIX shell reads it back: as it is when it is plain, else in single quotes. */
function shellWord(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

/** The unfinished variants and the verdict line of an interrupted matrix (never SAME). */
function interruptedText(style: Style, stopped: readonly Unfinished[], total: number, shown: string, ndiffs: number, update: boolean): string {
  const finished = total - stopped.length;
  const list = stopped.map((u) => `${u.variant} (${u.states !== undefined ? `interrupted at ${int(u.states)} states${u.violated?.length ? `, violated so far: ${u.violated.join(', ')}` : ''}` : 'not started'})`).join(', ');
  const head = `${style.yellow(`interrupted (SIGINT / SIGTERM): ${list}`)}\n`;
  const after = `after ${finished} of ${total} variant${total === 1 ? '' : 's'}`;
  if (update) return `${head}${style.yellow(style.bold('INTERRUPTED'))} ${after}: ${shown} not updated (a partial matrix is never written)\n`;
  if (ndiffs > 0) return `${head}${style.red(style.bold('INTERRUPTED, DIFFERENT'))} from ${shown} ${after}: ${ndiffs} difference${ndiffs === 1 ? '' : 's'} in what was checked\n`;
  return `${head}${style.yellow(style.bold('INTERRUPTED'))} ${after}: no difference from ${shown} in what was checked, the rest unknown\n`;
}

function cellText(v: string | undefined): string {
  if (v === undefined) return '-';
  const [name, n] = v.split(':');
  return n !== undefined ? `${name} (${n})` : name!;
}

function paint(style: Style, v: string | undefined, s: string): string {
  if (v === undefined) return style.dim(s);
  if (v.startsWith('violated')) return style.red(s);
  if (v === 'unknown' || v === 'unreachable') return style.yellow(s);
  return s;
}

function table(m: Matrix, expected: ExpectedMatrix | undefined, style: Style, timing: boolean, anyDiff: boolean): string {
  const rows = m.rows;
  const head = ['property', ...rows.map((r) => r.variant)];
  const body: { cells: string[]; raw: (string | undefined)[]; differs: boolean[] }[] = [];
  const add = (label: string, values: (string | undefined)[], exp: (string | undefined)[]): void => {
    const differs = values.map((v, i) => expected !== undefined && exp[i] !== v);
    body.push({ cells: [label, ...values.map((v, i) => cellText(v) + (differs[i] ? ' *' : ''))], raw: [undefined, ...values], differs: [false, ...differs] });
  };
  const ev = (r: MatrixRow) => expected?.variants[r.variant];
  add('states', rows.map((r) => int(r.states)), rows.map((r) => (ev(r) ? int(ev(r)!.states) : undefined)));
  add('transitions', rows.map((r) => int(r.transitions)), rows.map((r) => (ev(r) ? int(ev(r)!.transitions) : undefined)));
  for (const p of m.properties) add(p.id, rows.map((r) => r.verdicts[p.id]), rows.map((r) => ev(r)?.verdicts[p.id]));
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((b) => b.cells[c]!.length)));
  const line = (cells: string[], painter?: (c: number, s: string) => string): string =>
    cells
      .map((s, c) => {
        const padded = c === 0 ? s.padEnd(widths[c]!) : s.padStart(widths[c]!);
        return painter ? painter(c, padded) : padded;
      })
      .join('  ')
      .trimEnd();
  const out: string[] = [];
  out.push(`${style.bold(m.model)} ${style.dim(paramText(m.params))}`);
  out.push(line(head, (_, s) => style.bold(s)));
  out.push(line(widths.map((w) => '-'.repeat(w))));
  body.forEach((b, k) => {
    out.push(line(b.cells, (c, s) => (b.differs[c] ? style.bold(style.magenta(s)) : k < 2 ? s : paint(style, b.raw[c], s))));
  });
  if (timing) out.push(style.dim(line(['time', ...rows.map((r) => seconds(r.seconds))])));
  const incomplete = rows.filter((r) => !r.complete).map((r) => r.variant);
  if (incomplete.length) out.push(style.yellow(`incomplete (budget hit): ${incomplete.join(', ')}`));
  if (anyDiff) out.push(style.dim('* differs from the expected matrix'));
  return out.join('\n') + '\n';
}

function matrixJson(m: Matrix, expectedFile: string, diffs: readonly string[], timing: boolean, updated: boolean, stopped: readonly Unfinished[]): unknown {
  const interrupted = stopped.length > 0;
  return {
    model: m.model,
    params: m.params,
    expected: expectedFile,
    status: interrupted ? 'incomplete' : 'complete',
    ...(interrupted ? { incompleteReason: 'interrupted', interrupted: stopped } : {}),
    same: diffs.length === 0 && !interrupted,
    updated,
    differences: diffs,
    properties: m.properties,
    variants: m.rows.map((r) => ({
      variant: r.variant,
      status: r.status,
      complete: r.complete,
      states: r.states,
      transitions: r.transitions,
      levels: r.levels,
      ...(timing ? { seconds: Math.round(r.seconds * 1000) / 1000 } : {}),
      verdicts: r.verdicts,
    })),
  };
}
