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
 * of its may-block labels (pc offset, label) in atomic context.
 */
export function compileNoSleepInAtomic(held: readonly Held[], points: readonly { proc: Proc; pc: number }[]): Compiled {
  const procs = [...new Set(points.map((x) => x.proc))];
  const lines = points.map((x) => {
    const expr = inAtomicExpr(held, x.proc, `procs[${procs.indexOf(x.proc)}]`);
    return `if (s[${x.proc.pc.offset}] === ${x.pc} && (${expr})) return false;`;
  });
  return compile(`${lines.join('\n')}\nreturn true;`, held, procs);
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

/** `kernel.recursive-lock` over every waiting lock operation: false when a process waits for a lock it holds. */
export function compileNoRecursiveLock(points: readonly RecursivePoint[]): Compiled {
  const lines = points.map((x, k) => `if (s[${x.proc.pc.offset}] === ${x.pc} && (${x.selfSrc ?? `self[${k}](s)`})) return false;`);
  const self = points.map((x) => x.self);
  return new Function('self', `return (s) => { ${lines.join('\n')}\nreturn true; };`)(self) as Compiled;
}
