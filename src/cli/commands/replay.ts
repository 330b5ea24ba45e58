/** `replay TRACE.json` — re-execute a saved trace step by step and check the violation still happens. */
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { colorEnabled, makeStyle } from '../color.js';
import type { Ctx, GlobalOptions } from '../context.js';
import { EXIT, type ExitCode } from '../exit.js';
import { changes, params, sourceLine, wrap } from '../format/common.js';
import { safeData, safeText } from '../format/safe.js';
import type { Style } from '../format/style.js';
import { rebuild } from '../load.js';
import { reproduce } from '../reproduce.js';
import { readReport, selectViolations } from '../saved.js';

interface ReplayOptions extends GlobalOptions {
  property?: string;
  states?: boolean;
  quiet?: boolean;
}

export function replayCommand(ctx: Ctx): Command {
  return new Command('replay')
    .summary('re-execute a saved trace and check that it still reproduces')
    .description(
      'Re-execute every violation trace of a saved report (`check --format json --output FILE`) on the model as it is now, printing each step, ' +
        'and check that every state matches and the property is still violated at the end.\n' +
        'Exit: 0 reproduces, 1 does not reproduce, 2 unreadable or malformed trace.',
    )
    .argument('<trace>', 'saved JSON report')
    .option('--property <id>', 'replay only the violation of this property')
    .option('--states', 'print the full state after every step (default: the changed fields)')
    .option('-q, --quiet', 'no steps: per trace, its property and verdict line only')
    .action(async (file: string, _o: unknown, cmd: Command) => {
      ctx.code = await runReplay(ctx, file, cmd.optsWithGlobals<ReplayOptions>());
    });
}

async function runReplay(ctx: Ctx, file: string, opts: ReplayOptions): Promise<ExitCode> {
  const { io } = ctx;
  const report = readReport(file, io.cwd);
  const selected = selectViolations(report, opts.property, file);
  const reportDir = dirname(resolve(io.cwd, file));
  const first = await rebuild(report.model, io.cwd, reportDir);
  const style = makeStyle(colorEnabled(io.env, io.stdout, opts.color));
  // text from the report and the model is made safe before it is styled
  const out = (s: string): void => void io.stdout.write(s + '\n');
  const p = params(first.origin.params);
  out(`${style.bold(safeText(first.origin.name))}${p ? ` ${style.dim(safeText(p))}` : ''}: replaying ${selected.length} trace${selected.length === 1 ? '' : 's'} from ${safeText(file)}`);
  if (selected.length === 0) {
    out('nothing to replay: the report has no violation');
    return EXIT.pass;
  }
  let failed = 0;
  for (const v of selected) {
    // a fresh copy per trace: transition properties keep state across calls
    const model = v === selected[0] ? first.model : (await rebuild(report.model, io.cwd, reportDir)).model;
    const r = await reproduce(model, v, report.settings, async () => (await rebuild(report.model, io.cwd, reportDir)).model);
    out('');
    out(`${style.bold(safeText(v.property))} ${style.dim(`(${safeText(v.kind)})`)}`);
    if (r.status === 'no-trace') {
      out(style.dim(`  skipped: ${safeText(r.reason)}`));
      continue;
    }
    if (r.outcome && !opts.quiet) printTrace(out, safeData(r.outcome.trace), style, opts.states === true);
    if (r.status === 'reproduces') {
      out(`${style.green('✓ reproduces')}: ${safeText(r.how)}`);
    } else {
      failed++;
      out(`${style.red('✗ does not reproduce')}: ${safeText(r.reason)}`);
    }
  }
  return failed > 0 ? EXIT.violation : EXIT.pass;
}

function printTrace(out: (s: string) => void, trace: import('../../engine/result.js').Trace, style: Style, full: boolean): void {
  out(`  initial state ${trace.initial}`);
  for (const l of wrap(changes(trace.states[0]!), 96)) out(`      ${style.yellow(l)}`);
  const numW = String(trace.steps.length).length;
  const indent = ' '.repeat(6 + numW);
  trace.steps.forEach((s, i) => {
    out(`    ${String(i + 1).padStart(numW)}  ${style.cyan(s.process)}  ${s.step}`);
    out(`${indent}${style.dim(sourceLine(s.source))}`);
    for (const l of wrap(changes(full ? trace.states[i + 1]! : s.changes), 96 - numW)) out(`${indent}${style.yellow(l)}`);
  });
}
