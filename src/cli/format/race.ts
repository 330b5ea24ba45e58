/**
 * A trace as a race diagram, the way kernel commit messages draw races: one column per process
 * (CPU, thread, interrupt) that acts in the trace, one row per step with the C line it executes,
 * and a `func():` header row whenever a process enters another function.
 *
 *        vcpu0                              vcpu0.timer.callback
 *        -----                              --------------------
 *        kvm_xen_start_timer():
 *     1    if (vcpu->arch.xen.timer_expires)
 *                                           xen_timer_callback():
 *     2                                       atomic_inc(&vcpu->arch.xen.timer_pending);
 */
import type { ReportViolation } from '../report.js';
import { chop, pad } from './common.js';
import { safeData } from './safe.js';
import type { Style } from './style.js';

export interface RaceOptions {
  /** Total width to fit the columns in (default 160). */
  readonly width?: number;
}

/** Processes that act in the trace, in the model's display order (unknown ones last). */
export function actingProcesses(v: ReportViolation, processes: readonly string[]): string[] {
  const acting = new Set(v.trace?.steps.map((s) => s.process) ?? []);
  const out = processes.filter((p) => acting.has(p));
  for (const s of v.trace?.steps ?? []) if (!out.includes(s.process)) out.push(s.process);
  return out;
}

export function raceDiagram(violation: ReportViolation, procs: readonly string[], style: Style, options: RaceOptions = {}): string {
  const v = safeData(violation);
  const processes = safeData(procs);
  const lines: string[] = [];
  const head = `${v.property} (${v.kind})`;
  if (!v.trace) {
    lines.push(`${style.bold(head)}: no trace (${v.message})`);
    return lines.join('\n') + '\n';
  }
  const steps = v.trace.steps;
  const cols = actingProcesses(v, processes);
  lines.push(`${style.bold(head)}: ${steps.length === 0 ? 'violated in the initial state' : `race over ${steps.length} step${steps.length === 1 ? '' : 's'}`}`);
  if (cols.length === 0) {
    lines.push(`  ${style.red('✗')} ${v.message}`);
    return lines.join('\n') + '\n';
  }

  // rows: [number label, column index, text, isHeader]
  interface Row {
    readonly n: string;
    readonly col: number;
    readonly text: string;
    readonly header: boolean;
  }
  const rows: Row[] = [];
  const lastFunc = new Map<string, string>();
  for (const s of steps) {
    const col = cols.indexOf(s.process);
    if (lastFunc.get(s.process) !== s.source.func) {
      lastFunc.set(s.process, s.source.func);
      rows.push({ n: '', col, text: `${s.source.func}():`, header: true });
    }
    rows.push({ n: String(s.index), col, text: `  ${s.source.line}`, header: false });
  }

  const numW = Math.max(2, String(steps.length).length) + 1;
  const gap = 3;
  const total = options.width ?? 160;
  const natural = cols.map((p, c) => Math.max(p.length, ...rows.filter((r) => r.col === c).map((r) => r.text.length)));
  const fair = Math.max(24, Math.floor((total - numW - gap * (cols.length - 1)) / cols.length));
  // columns narrower than their fair share give the rest to the others
  let spare = 0;
  for (const w of natural) if (w < fair) spare += fair - w;
  const wide = natural.filter((w) => w > fair).length;
  const widths = natural.map((w) => (w <= fair ? w : Math.min(w, fair + (wide > 0 ? Math.floor(spare / wide) : 0))));

  const line = (n: string, cells: readonly string[], paint?: (c: number, s: string) => string): string => {
    let out = n.padStart(numW - 1) + ' ';
    cells.forEach((cell, c) => {
      const last = c === cells.length - 1;
      const painted = paint ? paint(c, cell) : cell;
      out += last ? painted : painted + ' '.repeat(Math.max(0, widths[c]! - cell.length) + gap);
    });
    return out.trimEnd();
  };
  lines.push('');
  lines.push(line('', cols.map((p, c) => pad(p, widths[c]!)), (_, s) => style.bold(s)));
  lines.push(line('', cols.map((p) => '-'.repeat(p.length))));
  for (const r of rows) {
    rowLines(r.text, widths[r.col]!).forEach((text, k) => {
      const cells = cols.map((_, c) => (c === r.col ? text : ''));
      lines.push(line(k === 0 ? r.n : '', cells.slice(0, r.col + 1), (c, s) => (c === r.col && r.header ? style.cyan(s) : s)));
    });
  }
  lines.push('');
  lines.push(`${' '.repeat(numW)}${style.red('✗')} ${style.bold(v.property)}: ${v.message}`);
  return lines.join('\n') + '\n';
}

/** A cell's text in lines of at most `width` columns; continuation lines are indented by 4, so they hold 4 fewer. */
function rowLines(text: string, width: number): string[] {
  const [first = '', ...more] = chop(text, width);
  if (more.length === 0) return [first];
  return [first, ...chop(text.slice(first.length).trimStart(), Math.max(1, width - 4)).map((c) => `    ${c}`)];
}
