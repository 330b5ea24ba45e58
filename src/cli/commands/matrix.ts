/** `matrix` — every variant × property against the expected matrix in the repo (the CI gate). */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { DEFAULT_MODEL, findModel, listModels, resolveParams } from '../../../models/index.js';
import { diffMatrix, runMatrix, toExpected, type ExpectedMatrix, type Matrix, type MatrixRow } from '../../../models/matrix.js';
import { markdownMatrix } from '../../../models/matrix-markdown.js';
import { colorEnabled, makeStyle } from '../color.js';
import type { Ctx, GlobalOptions } from '../context.js';
import { timingEnabled } from '../context.js';
import { EXIT, usage, type ExitCode } from '../exit.js';
import { int, params as paramText, seconds } from '../format/common.js';
import type { Style } from '../format/style.js';
import { normaliseParams } from '../load.js';
import { collectParam, parseBytes, parseCount, parseList, parseSeconds } from '../options.js';
import { expectedMatrixPath } from '../paths.js';

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
        'Exit: 0 same as expected, 1 a verdict or count differs, 2 bad arguments or no expected matrix. --update rewrites the expected matrix.',
    )
    .option('-m, --model <name>', 'model', DEFAULT_MODEL)
    .option('--variants <list>', 'comma-separated variants (default: all)', parseList)
    .option('--update', 'write the verdicts as the new expected matrix (then exit 0)')
    .option('--expected <file>', 'expected matrix file (default: models/<model>/expected.json)')
    .option('-p, --param <name=value>', 'model parameter (default: the expected matrix\'s parameters; repeatable)', collectParam)
    .option('--max-states <n>', 'per-variant state budget (unfinished verdicts become "unknown")', parseCount)
    .option('--time-limit <seconds>', 'per-variant time limit', parseSeconds)
    .option('--memory-limit <size>', 'per-variant memory limit', parseBytes)
    .option('-j, --jobs <n>', 'variants checked at once, each in a thread of its own (default: the number of CPUs; the matrix is the same for any number)', parseCount)
    .addOption(new Option('-f, --format <format>', 'output format (markdown: a variant × property table of the verdicts, ✗ N = violated in N steps)').choices(['text', 'json', 'markdown']).default('text'))
    .option('-q, --quiet', 'only the differences and the verdict line')
    .option('--no-timing', 'leave times out of the output (also XENTIMER_NO_TIMING=1)')
    .action((_o: unknown, cmd: Command) => {
      ctx.code = runMatrixCommand(ctx, cmd.optsWithGlobals<MatrixOptions>());
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

function runMatrixCommand(ctx: Ctx, opts: MatrixOptions): ExitCode {
  const { io } = ctx;
  const f = findModel(opts.model);
  if (!f) throw usage(`unknown model '${opts.model}'`, `models: ${listModels().map((g) => g.name).join(', ')}`);
  const shown = opts.expected ?? `models/${f.name}/expected.json`;
  const path = opts.expected ? resolve(io.cwd, opts.expected) : expectedMatrixPath(f.name);
  const expected = existsSync(path) ? readExpected(path, shown) : undefined;
  if (!expected && !opts.update) throw usage(`no expected matrix for ${f.name} at ${shown}`, `create it with \`xentimer-check matrix --model ${f.name} --update\``);
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
  const matrix = runMatrix(
    f,
    given,
    opts.variants,
    {
      maxStates: opts.maxStates,
      timeLimit: opts.timeLimit,
      memoryLimit: opts.memoryLimit,
      threads: opts.jobs ?? availableParallelism(),
      // the expected counts size each variant's store (a hint: a different count is still found)
      expectedStatesOf: (v) => expected?.variants[v]?.states,
    },
    live ? (row) => void io.stderr.write(`  ${row.variant}: ${int(row.states)} states, ${seconds(row.seconds)}\n`) : undefined,
  );

  // compare only the variants that were run
  const scoped: ExpectedMatrix | undefined = expected && {
    ...expected,
    variants: Object.fromEntries(Object.entries(expected.variants).filter(([v]) => !opts.variants || opts.variants.includes(v))),
  };
  const paramDiffs =
    expected && paramText(expected.params) !== paramText(matrix.params) ? [`parameters ${paramText(matrix.params)}, expected ${paramText(expected.params)}`] : [];
  const diffs = scoped ? [...paramDiffs, ...diffMatrix(scoped, matrix)] : [];

  if (opts.update) {
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
    io.stdout.write(JSON.stringify(matrixJson(matrix, shown, diffs, timing, opts.update === true), null, 2) + '\n');
  } else {
    if (opts.format === 'markdown') io.stdout.write(markdownMatrix(toExpected(matrix)) + '\n');
    else if (!opts.quiet) io.stdout.write(table(matrix, scoped, style, timing, diffs.length > 0));
    for (const d of diffs) io.stdout.write(`${style.red('≠')} ${d}\n`);
    const total = matrix.rows.length;
    if (opts.update) io.stdout.write(`${style.bold('UPDATED')} ${shown} (${total} variant${total === 1 ? '' : 's'}${diffs.length ? `, ${diffs.length} change${diffs.length === 1 ? '' : 's'}` : ', no change'})\n`);
    else if (diffs.length === 0) io.stdout.write(`${style.green(style.bold('SAME'))} as ${shown}: ${total} variant${total === 1 ? '' : 's'} × ${matrix.properties.length} properties\n`);
    else io.stdout.write(`${style.red(style.bold('DIFFERENT'))} from ${shown}: ${diffs.length} difference${diffs.length === 1 ? '' : 's'} (if intended: xentimer-check matrix --model ${f.name} --update)\n`);
  }
  return opts.update || diffs.length === 0 ? EXIT.pass : EXIT.violation;
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

function matrixJson(m: Matrix, expectedFile: string, diffs: readonly string[], timing: boolean, updated: boolean): unknown {
  return {
    model: m.model,
    params: m.params,
    expected: expectedFile,
    same: diffs.length === 0,
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
