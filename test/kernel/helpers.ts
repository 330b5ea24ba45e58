/**
 * Shared by the kernel library tests: source lines, result accessors, and finish() with the
 * convention that a task ends at a label named done* and a handler at its idle label.
 */
import assert from 'node:assert/strict';
import { explore } from '../../src/engine/explore.js';
import type { Model, Result, Violation } from '../../src/engine/index.js';
import { src, type FinishOptions, type System } from '../../src/kernel/index.js';

export const S = (line: string) => src('demo.c', 'demo', line);
export const FIRE = S('restart = fn(timer); /* __run_hrtimer */');
export const counts = (r: Result): number[] => [r.stats.states, r.stats.transitions, r.stats.levels];
export const violated = (r: Result): string[] => r.violations.map((v) => v.property).sort();
export const viol = (r: Result, id: string): Violation => {
  const v = r.violations.find((x) => x.property === id);
  assert.ok(v, `${id} is violated`);
  return v;
};
export const ids = (v: Violation): string[] => v.trace!.steps.map((s) => s.step);
/** Every violation, and unreached covers counted as violations (the kernel tests assert them as such). */
export const run = (m: Model): Result => explore(m, { allViolations: true, failOnUnreachedCover: true });

/** finish() with validEnd: every task at a label named done*, every handler idle. */
export function finish(sys: System, name: string, extra: Partial<FinishOptions> = {}): Model {
  const ends = sys.procs.map((p) =>
    p.context === 'hardirq' ? new Set([p.idle]) : new Set(p.pc.values!.flatMap((v, i) => (v.startsWith('done') ? [i] : []))),
  );
  return sys.finish({ name, validEnd: (s) => sys.procs.every((p, i) => ends[i]!.has(s[p.pc.offset]!)), ...extra });
}
