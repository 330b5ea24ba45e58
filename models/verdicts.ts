/**
 * The verdict of each property in one search result, as the matrix tabulates them and the report
 * lists them. Apart from matrix.ts so that the report (src/cli/report.ts) does not load the
 * matrix's search (matrix-jobs.ts, the engine) into a thread that only prints.
 */
import type { Result } from '../src/engine/result.js';

/** `holds`, `violated:N` (N = steps in the shortest trace), `reached:N`, `unreachable`, `unknown` (exploration incomplete). */
export type Verdict = string;

export function verdictsOf(result: Result): Record<string, Verdict> {
  const out: Record<string, Verdict> = {};
  for (const p of result.properties) {
    if (p.kind === 'sometimes') {
      const c = result.covers.find((x) => x.property === p.id);
      // under partial-order reduction a cover not reached is not decided (CoverEntry.undecided)
      out[p.id] = c?.reached ? `reached:${c.depth}` : result.complete && !c?.undecided ? 'unreachable' : 'unknown';
      continue;
    }
    const v = result.violations.find((x) => x.property === p.id);
    out[p.id] = v ? `violated:${v.trace ? v.trace.steps.length : 0}` : result.complete ? 'holds' : 'unknown';
  }
  return out;
}
