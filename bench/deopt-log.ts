/** Reading V8's `--trace-deopt-verbose` log (bench/deopts.ts): which operations deoptimised, why, and where. */
export interface Deopt {
  readonly reason: string;
  /** The function deoptimised (V8's name; empty for an anonymous one). */
  readonly function: string;
  /** `file:line:col` of the deoptimising operation, then each position it was inlined at (outermost last). */
  readonly at: readonly string[];
}

/** The deoptimisations of one `--trace-deopt-verbose` log (positions relative to the checkout). */
export function parseDeopts(log: string, checkout: string): Deopt[] {
  const out: Deopt[] = [];
  let pending: { reason: string; fn: string } | null = null;
  const prefix = new URL(`file://${checkout}/`).href;
  for (const line of log.split('\n')) {
    const b = /^\[bailout \(kind: [^,]+, reason: (.*?)\): begin\. deoptimizing [^<]*<JSFunction ([^ >]*)/.exec(line);
    if (b) {
      pending = { reason: b[1]!, fn: b[2]! === '(sfi' ? '' : b[2]! };
      continue;
    }
    const d = /;;; deoptimize at (.*)$/.exec(line);
    if (d && pending) {
      const at = [...d[1]!.matchAll(/<([^>]*)>/g)].map((m) => m[1]!.replace(prefix, ''));
      out.push({ reason: pending.reason, function: pending.fn, at });
      pending = null;
    }
  }
  return out;
}

/**
 * Whether a deoptimisation threw away the search loop's code: its position, or a function it was
 * inlined into, is in src/engine/search (the loop, emit, expand). One in a function of its own
 * (a store's grow(), a model's check) costs only that function.
 */
export function inSearchLoop(d: Deopt): boolean {
  return d.at.some((p) => p.includes('src/engine/search/'));
}
