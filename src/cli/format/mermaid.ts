/** A trace as a Mermaid sequence diagram: one participant per acting process, one message per step. */
import type { ReportViolation } from '../report.js';
import { actingProcesses } from './race.js';
import { safeData } from './safe.js';

/** Mermaid text escaping: `#`, `;`, `<`, `>` as entity codes (`;` would end the statement). */
export function mermaidText(s: string): string {
  // one pass, so the `;` of an inserted code is not escaped again
  return s.replace(/[#;<>]/g, (c) => `#${c.charCodeAt(0)};`).replace(/\s+/g, ' ').trim();
}

export function mermaidDiagram(violation: ReportViolation, procs: readonly string[]): string {
  const v = safeData(violation);
  const processes = safeData(procs);
  const out: string[] = ['sequenceDiagram'];
  const steps = v.trace?.steps ?? [];
  out.push(`  title ${mermaidText(`${v.property}: ${v.trace ? `${steps.length} steps` : 'no trace'}`)}`);
  const cols = actingProcesses(v, processes);
  const alias = new Map(cols.map((p, i) => [p, `P${i}`]));
  for (const p of cols) out.push(`  participant ${alias.get(p)} as ${mermaidText(p)}`);
  const lastFunc = new Map<string, string>();
  for (const s of steps) {
    const a = alias.get(s.process)!;
    if (lastFunc.get(s.process) !== s.source.func) {
      lastFunc.set(s.process, s.source.func);
      out.push(`  Note over ${a}: ${mermaidText(`${s.source.func}()`)}`);
    }
    out.push(`  ${a}->>${a}: ${mermaidText(`${s.index}. ${s.source.line}`)}`);
  }
  const over = cols.length === 0 ? null : cols.length === 1 ? alias.get(cols[0]!)! : `${alias.get(cols[0]!)!},${alias.get(cols.at(-1)!)!}`;
  if (over) out.push(`  Note over ${over}: ${mermaidText(`✗ ${v.property}: ${v.message}`)}`);
  return out.join('\n') + '\n';
}
