/** `explain TRACE.json` — a saved trace as a race diagram (text) or a Mermaid sequence diagram. */
import { Command, Option } from 'commander';
import { colorEnabled, makeStyle } from '../color.js';
import type { Ctx, GlobalOptions } from '../context.js';
import { EXIT, usage, type ExitCode } from '../exit.js';
import { mermaidDiagram } from '../format/mermaid.js';
import { raceDiagram } from '../format/race.js';
import { formatHtml } from '../html/report-page.js';
import type { Report } from '../report.js';
import { readReport, selectViolations } from '../saved.js';
import { parseRange } from '../options.js';
import { safeText } from '../format/safe.js';

interface ExplainOptions extends GlobalOptions {
  format?: 'text' | 'mermaid' | 'html';
  property?: string;
  width?: number;
}

export function explainCommand(ctx: Ctx): Command {
  return new Command('explain')
    .summary('draw a saved trace as a race diagram (one column per process)')
    .description(
      'Draw each violation trace of a saved report as a race diagram: one column per CPU / thread / interrupt, one row per step with the C line, ' +
        'like the diagrams in kernel commit messages. --format mermaid prints a Mermaid sequence diagram instead ' +
        '(several violations: one fenced ```mermaid block each); --format html one self-contained page (summary, diagrams, state panels; `> FILE.html`).',
    )
    .argument('<trace>', 'saved JSON report (`check --format json --output FILE`)')
    .addOption(new Option('-f, --format <format>', 'diagram format').choices(['text', 'mermaid', 'html']).default('text'))
    .option('--property <id>', 'only the violation of this property')
    .option('--width <columns>', 'total width of the text diagram (default 160)', (raw: string) => parseRange(raw, 40, 100_000, 'a width in columns'))
    .action((file: string, _o: unknown, cmd: Command) => {
      ctx.code = runExplain(ctx, file, cmd.optsWithGlobals<ExplainOptions>());
    });
}

function runExplain(ctx: Ctx, file: string, opts: ExplainOptions): ExitCode {
  const { io } = ctx;
  const report = readReport(file, io.cwd);
  const selected = selectViolations(report, opts.property, file);
  if (opts.format === 'html') {
    io.stdout.write(htmlOf({ ...report, violations: selected }, file));
    return EXIT.pass;
  }
  if (selected.length === 0) {
    io.stdout.write(safeText(`${file}: no violation to explain (status ${report.status})`) + '\n');
    return EXIT.pass;
  }
  if (opts.format === 'mermaid') {
    if (selected.length === 1) io.stdout.write(mermaidDiagram(selected[0]!, report.model.processes));
    else io.stdout.write(selected.map((v) => `### ${v.property}\n\n\`\`\`mermaid\n${mermaidDiagram(v, report.model.processes)}\`\`\`\n`).join('\n'));
    return EXIT.pass;
  }
  const style = makeStyle(colorEnabled(io.env, io.stdout, opts.color));
  io.stdout.write(selected.map((v) => raceDiagram(v, report.model.processes, style, { width: opts.width })).join('\n'));
  return EXIT.pass;
}

/** The page; a saved report missing the summary's fields (not written by this tool) is bad input, not a crash. */
function htmlOf(report: Report, file: string): string {
  try {
    return formatHtml(report);
  } catch (e) {
    if (e instanceof TypeError) throw usage(`${file} lacks fields the HTML report needs (${e.message})`, 'write the report with `xentimer-check check --output FILE.json`');
    throw e;
  }
}
