/**
 * A verdict matrix as a Markdown table: one row per variant, one column per chosen property,
 * each cell the verdict (`✗ N` violated with an N-step shortest trace, `–` holds, `reached N`,
 * `unreachable`, `?` unknown). Used by `matrix --format markdown` and for tables in READMEs that
 * must be generated from the stored matrix rather than typed by hand.
 */
import type { ExpectedMatrix, Verdict } from './matrix.js';

export interface MarkdownColumn {
  readonly id: string;
  /** Column heading (default: the property id). */
  readonly label?: string;
}

export interface MarkdownOptions {
  /** Columns in order (default: every property that is not a `cover.` reachability property). */
  readonly columns?: readonly MarkdownColumn[];
  /** Rows in order, with an optional label each (default: every variant of the matrix). */
  readonly rows?: readonly { readonly variant: string; readonly label?: string }[];
  /** Heading of the first column. */
  readonly corner?: string;
}

export function verdictCell(v: Verdict | undefined): string {
  if (v === undefined) return 'n/a';
  const [kind, n] = v.split(':');
  if (kind === 'violated') return `✗ ${n}`;
  if (kind === 'holds') return '–';
  if (kind === 'reached') return `reached ${n}`;
  if (kind === 'unknown') return '?';
  return kind!;
}

export function markdownMatrix(m: ExpectedMatrix, opts: MarkdownOptions = {}): string {
  const variants: readonly { readonly variant: string; readonly label?: string }[] = opts.rows ?? Object.keys(m.variants).map((variant) => ({ variant }));
  const ids = new Set<string>();
  for (const { variant } of variants) for (const id of Object.keys(m.variants[variant]?.verdicts ?? {})) ids.add(id);
  const columns: readonly MarkdownColumn[] = opts.columns ?? [...ids].filter((id) => !id.startsWith('cover.')).map((id) => ({ id }));
  const head = [opts.corner ?? 'variant', ...columns.map((c) => c.label ?? c.id)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : ':---:')).join('|')}|`];
  for (const { variant, label } of variants) {
    const row = m.variants[variant];
    if (!row) throw new Error(`variant ${variant} is not in the matrix`);
    lines.push(`| ${label ?? variant} | ${columns.map((c) => verdictCell(row.verdicts[c.id])).join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}
