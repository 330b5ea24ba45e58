/**
 * The questions the kernel checks ask about one process in a state — is it in atomic context
 * (hard irq, interrupts disabled, a spinning lock held)? does it hold anything as it returns? —
 * compiled into one function each, with the lock words' offsets and owner ids as constants, as
 * the DVE compiler compiles guards: sleep-in-atomic asks the first for every new state and every
 * edge partial-order reduction looks at, the return check the second on every return step. A
 * lock without an expression (a pseudo-lock's closure) is asked through its closure.
 */
import type { Held } from './lock-classes.js';
import type { Proc } from './system.js';

type Compiled = (s: Uint8Array) => boolean;

/**
 * held(s, p) of held[k] as an expression over s, or through the closure `h[k]` with the process
 * the generated code names `pRef`.
 */
function heldExpr(held: readonly Held[], k: number, p: Proc, pRef: string): string {
  const src = held[k]!.heldSrc(p);
  return src !== null ? `(${src})` : `h[${k}].held(s, ${pRef})`;
}

/** KernelChecks.inAtomic(s, p) as an expression over s. */
function inAtomicExpr(held: readonly Held[], p: Proc, pRef: string): string {
  if (p.context === 'hardirq') return 'true';
  const parts: string[] = [];
  if (p.irqoff) parts.push(`s[${p.irqoff.offset}] > 0`);
  // a lock that spins on this kernel is held spinning exactly when it is held (Lock.spinningHeld)
  held.forEach((h, k) => {
    if (h.spins) parts.push(heldExpr(held, k, p, pRef));
  });
  return parts.length > 0 ? parts.join(' || ') : 'false';
}

/** Whether p holds a lock (not a pseudo-lock) or, a task, left interrupts disabled. */
function heldAtReturnExpr(held: readonly Held[], p: Proc, pRef: string): string {
  const parts: string[] = [];
  if (p.irqoff) parts.push(`s[${p.irqoff.offset}] > 0`);
  held.forEach((h, k) => {
    if (!h.pseudo) parts.push(heldExpr(held, k, p, pRef));
  });
  return parts.length > 0 ? parts.join(' || ') : 'false';
}

/** A function of the state with `body`; its free names: `h` the held list, `procs` the processes it asks about. */
function compile(body: string, held: readonly Held[], procs: readonly Proc[]): Compiled {
  return new Function('h', 'procs', `return (s) => { ${body} };`)(held, procs) as Compiled;
}

export interface ProcPredicates {
  readonly inAtomic: Compiled;
  readonly heldAtReturn: Compiled;
}

export function compilePredicates(held: readonly Held[], p: Proc): ProcPredicates {
  return {
    inAtomic: compile(`return ${inAtomicExpr(held, p, 'procs[0]')};`, held, [p]),
    heldAtReturn: compile(`return ${heldAtReturnExpr(held, p, 'procs[0]')};`, held, [p]),
  };
}

/**
 * `kernel.sleep-in-atomic` over every may-block point at once: false when some process is at one
 * of its may-block labels (pc offset, label) in atomic context. Per process one switch on its pc
 * (its atomic-context test is the same at every label), so a state costs one jump per process
 * instead of a comparison per point.
 */
export function compileNoSleepInAtomic(held: readonly Held[], points: readonly { proc: Proc; pc: number }[]): Compiled {
  const procs = [...new Set(points.map((x) => x.proc))];
  const blocks = procs.map((p, k) => {
    const expr = inAtomicExpr(held, p, `procs[${k}]`);
    const labels = [...new Set(points.filter((x) => x.proc === p).map((x) => x.pc))];
    return pcSwitch(p.pc.offset, labels.map((pc) => ({ pc, cond: expr })));
  });
  return compile(`${blocks.join('\n')}\nreturn true;`, held, procs);
}

/**
 * A switch on the pc at byte `offset` that returns false when the pc is at one of `cases`' labels
 * and that case's condition holds (the conditions of one label or-ed; labels with the same
 * condition share their code).
 */
function pcSwitch(offset: number, cases: readonly { pc: number; cond: string }[]): string {
  const byLabel = new Map<number, string[]>();
  for (const c of cases) {
    const conds = byLabel.get(c.pc) ?? [];
    if (!conds.includes(c.cond)) conds.push(c.cond);
    byLabel.set(c.pc, conds);
  }
  const byCond = new Map<string, number[]>();
  for (const [pc, conds] of byLabel) {
    const cond = conds.map((x) => `(${x})`).join(' || ');
    byCond.set(cond, [...(byCond.get(cond) ?? []), pc]);
  }
  const arms = [...byCond].map(([cond, pcs]) => `${pcs.map((pc) => `case ${pc}:`).join(' ')} if (${cond}) return false; break;`);
  return `switch (s[${offset}]) {\n${arms.join('\n')}\n}`;
}

/** A lock operation that waits (KernelChecks.lockPoint): p at label pc, and whether p already holds the lock. */
export interface RecursivePoint {
  readonly proc: Proc;
  readonly pc: number;
  readonly self: (s: Uint8Array) => boolean;
  /** `self` as an expression over s, or null. */
  readonly selfSrc: string | null;
  readonly lock: string;
  readonly fields: readonly string[];
}

/**
 * `kernel.recursive-lock` over every waiting lock operation: false when a process waits for a lock
 * it holds. Per process one switch on its pc (pcSwitch).
 */
export function compileNoRecursiveLock(points: readonly RecursivePoint[]): Compiled {
  const procs = [...new Set(points.map((x) => x.proc))];
  const blocks = procs.map((p) =>
    pcSwitch(
      p.pc.offset,
      points.flatMap((x, k) => (x.proc === p ? [{ pc: x.pc, cond: x.selfSrc ?? `self[${k}](s)` }] : [])),
    ),
  );
  const self = points.map((x) => x.self);
  return new Function('self', `return (s) => { ${blocks.join('\n')}\nreturn true; };`)(self) as Compiled;
}
