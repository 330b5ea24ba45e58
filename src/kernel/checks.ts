/**
 * Lockdep-style checks, on by default, each its own property id:
 * - `kernel.sleep-in-atomic`: a step that may block (mutex, sleeping lock on PREEMPT_RT,
 *   hrtimer_cancel, a sleeping call) is reached in hard-irq context, with interrupts disabled, or
 *   holding a spinning lock — whether or not it would block in that interleaving.
 * - `kernel.recursive-lock`: a process waits for a lock it already holds (blocks forever).
 * - `kernel.lock-order`: a cycle in the lock-class order graph built over the whole exploration
 *   (A taken while holding B somewhere, B while holding A elsewhere), even if no interleaving
 *   closes the deadlock. hrtimer_cancel counts as taking the timer (its callback "holds" it).
 *   A trylock adds no edge (it never waits), as in lockdep; locks taken while holding it do.
 * - `kernel.raw-lock-nesting`: a blocking acquire of a spinlock_t or rwlock_t — locks that sleep
 *   on PREEMPT_RT — in hard-irq context, on *any* kernel. It is a bug whether or not the lock is
 *   contended and whether or not this kernel is RT: lockdep's CONFIG_PROVE_RAW_LOCK_NESTING
 *   reports it on non-RT kernels ("BUG: Invalid wait context": a LD_WAIT_CONFIG lock inside the
 *   LD_WAIT_SPIN hard-irq context). Trylocks are exempt (lockdep's check_wait_context skips them:
 *   they never wait). On RT the same step is also `kernel.sleep-in-atomic`. (Lockdep also
 *   reports spinlock_t taken under a raw_spinlock_t; that task-context nesting is left to
 *   sleep-in-atomic on RT.)
 * - `kernel.irq-unsafe-lock`: a lock class taken in hard-irq context and also held for writing
 *   with interrupts enabled in task context (the interrupt can spin on it forever on that CPU).
 *   A trylock in hard irq does not count (lockdep's mark_usage skips trylocks); on PREEMPT_RT
 *   only raw spinlocks are checked (the others sleep: taking them in hard irq is sleep-in-atomic).
 * The graph and the usage are accumulated per exploration and cleared by the model's init().
 * - `kernel.bad-unlock`: unlock of a lock the process does not hold (raised by the unlock step).
 * - `kernel.hrtimer-cancel-self`: hrtimer_cancel of a timer from its own callback.
 * - `kernel.lock-held-on-return`: a step marked as the return of an entry (`StepSpec.returns`: an
 *   ioctl, a hypercall, an hrtimer callback, a refresh) leaves its process holding a lock, or a
 *   task with interrupts still disabled by an `_irqsave`/`_irq` lock or `local_irq_save` it did
 *   not restore — lockdep_sys_exit's "lock held when returning to user space!" for a task; for a
 *   hard-irq handler a lock it leaves held (its interrupt state cannot change in the model: the
 *   library has no way for a handler to enable interrupts). Raised by the return step itself, so
 *   no other edge pays for it. The "running" pseudo-lock of an hrtimer callback is not a lock.
 * Deadlock itself is the engine's check; `System.describeBlocked` prints the lock chain.
 * The two checks that learn over the whole exploration have modules of their own, over the lock
 * classes as numbers (lock-classes.ts): lock-order.ts and irq-usage.ts.
 */
import type { Property, PropertyReads, Step, StepCtx } from '../engine/model.js';
import type { Field } from '../engine/schema.js';
import type { Lock } from './locks.js';
import { compileNoRecursiveLock, compileNoSleepInAtomic, compilePredicates, type ProcPredicates, type RecursivePoint } from './context-predicates.js';
import { irqUsage } from './irq-usage.js';
import { LockClasses, type Held } from './lock-classes.js';
import { lockOrder } from './lock-order.js';
import { KERNEL_PROPERTIES } from './property-ids.js';
import type { Proc, System } from './system.js';

export { KERNEL_PROPERTIES };


export class KernelChecks {
  private readonly held: Held[] = [];
  private readonly recursivePoints: RecursivePoint[] = [];
  private readonly cancelSelf: { proc: Proc; pc: number; timer: string }[] = [];
  private readonly trylocks = new Set<Step>();
  private readonly rtSleepingAcquires: { proc: Proc; pc: number }[] = [];
  /** Clears the state the transition checks accumulate over one exploration. */
  private resetAccumulated: () => void = () => {};
  private readonly compiled = new Map<Proc, ProcPredicates>();

  constructor(private readonly sys: System) {}

  registerLock(l: Lock): void {
    this.compiled.clear();
    this.held.push({
      cls: l.cls,
      name: l.name,
      pseudo: false,
      held: (s, p) => l.held(s, p),
      heldSrc: (p) => l.heldSrc(p),
      spinning: (s, p) => l.spinningHeld(s, p),
      exclusive: (s, p) => {
        const w = (l as { writer?: { offset: number } }).writer;
        if (w) return s[w.offset] === p.ownerId;
        return l.held(s, p);
      },
      spins: l.spins,
      fields: l.fields,
      fieldsOf: (p) => ownNames(l.fields, p),
    });
  }

  /** `holder`: the only process that can hold it (the others read nothing to know they do not). */
  registerPseudoLock(cls: string, held: (s: Uint8Array, p: Proc) => boolean, fields?: readonly Field[], holder?: Proc): void {
    this.compiled.clear();
    const names = fields?.map((f) => f.name);
    const fieldsOf = names ? (p: Proc): string[] => (holder && p !== holder ? [] : names) : null;
    this.held.push({ cls, name: cls, pseudo: true, held, heldSrc: () => null, spinning: () => false, exclusive: held, spins: false, fields: fields ?? null, fieldsOf });
  }

  /** What the held / spinning / exclusive queries about p read (declared names). */
  heldReads(p: Proc): string[] {
    return [...new Set(this.held.flatMap((h) => h.fieldsOf?.(p) ?? []))];
  }

  /**
   * What the checks read (partial-order reduction): the fields of every lock (held / spinning /
   * exclusive), plus `extra`; program counters only compared with the labels in `at`. Undefined
   * when a pseudo-lock does not declare its fields.
   */
  private reads(extra: readonly Field[], at: readonly { proc: Proc; pc: number }[]): PropertyReads | undefined {
    if (this.held.some((h) => h.fields === null)) return undefined;
    const fields = new Set<string>([...this.lockFields(), ...extra.map((f) => f.name)]);
    const values: Record<string, number[]> = {};
    for (const { proc, pc } of at) (values[proc.pc.name] ??= []).push(pc);
    return { fields: [...fields], values };
  }

  private lockFields(): string[] {
    return [...new Set(this.held.flatMap((h) => h.fields!.map((f) => f.name)))];
  }

  /** `step` is a trylock: it never waits (no lock-order edge to the lock, no hard-irq usage). */
  trylockPoint(step: Step): void {
    this.trylocks.add(step);
  }

  /** Start a new exploration: forget the lock-order graph and irq usage seen so far. */
  reset(): void {
    this.resetAccumulated();
  }

  /** p waits at `at` for lock l; `self` tells whether p already holds it (`selfSrc`: the same as an expression over s). */
  lockPoint(p: Proc, at: string, l: Lock, self: (s: Uint8Array) => boolean, selfSrc?: string): void {
    this.recursivePoints.push({ proc: p, pc: p.label(at), self, selfSrc: selfSrc ?? null, lock: l.name, fields: ownNames(l.fields, p) });
  }

  /**
   * p takes a spinlock_t / rwlock_t (a sleeping lock on PREEMPT_RT) at `at` with a lock operation
   * that may wait (not a trylock). Only hard-irq processes matter to `kernel.raw-lock-nesting`.
   */
  rtSleepingAcquirePoint(p: Proc, at: string): void {
    if (p.context === 'hardirq') this.rtSleepingAcquires.push({ proc: p, pc: p.label(at) });
  }

  cancelSelfPoint(p: Proc, at: string, timer: string): void {
    this.cancelSelf.push({ proc: p, pc: p.label(at), timer });
  }

  /** Classes held by p in s. */
  heldBy(s: Uint8Array, p: Proc): string[] {
    const out: string[] = [];
    for (const h of this.held) if (h.held(s, p)) out.push(h.cls);
    return out;
  }

  /**
   * `kernel.lock-held-on-return`, on the state `s` right after p's step returning from `entry`:
   * every lock p still holds, and the interrupts a task left disabled.
   */
  checkReturn(s: Uint8Array, p: Proc, ctx: StepCtx, entry: string): void {
    if (!this.heldAtReturn(s, p)) return;
    const locks: string[] = [];
    for (const h of this.held) if (!h.pseudo && h.held(s, p)) locks.push(h.name);
    const irqs = p.irqoff ? s[p.irqoff.offset]! : 0;
    if (locks.length === 0 && irqs === 0) return;
    const what = [...(locks.length ? [`holding ${locks.join(', ')}`] : []), ...(irqs ? [`with interrupts disabled (${irqs} irqsave/irq section${irqs > 1 ? 's' : ''} not restored)`] : [])];
    ctx.fail(KERNEL_PROPERTIES.lockHeldOnReturn, `${p.name} returns from ${entry} ${what.join(' and ')}`);
  }

  /** What checkReturn reads and may raise (partial-order reduction; null fields: undeclared pseudo-locks are skipped by it). */
  returnCheck(p: Proc): { reads: string[]; fails: string[] } {
    const locks = this.held.filter((h) => !h.pseudo).flatMap((h) => h.fieldsOf?.(p) ?? []);
    return { reads: [...locks, ...(p.irqoff ? [p.irqoff.name] : [])], fails: [KERNEL_PROPERTIES.lockHeldOnReturn] };
  }

  /** Anything checkReturn would report (without building the report: this runs on every return step). */
  private heldAtReturn(s: Uint8Array, p: Proc): boolean {
    return this.predicates(p).heldAtReturn(s);
  }

  /** The compiled per-state questions about p (context-predicates.ts), built on first use. */
  private predicates(p: Proc): ProcPredicates {
    let c = this.compiled.get(p);
    if (!c) this.compiled.set(p, (c = compilePredicates(this.held, p)));
    return c;
  }

  /** Atomic context: hard irq, interrupts disabled by the task, or a spinning lock held. */
  atomic(s: Uint8Array, p: Proc): string | null {
    if (p.context === 'hardirq') return 'hard-interrupt context';
    if (p.irqoff && s[p.irqoff.offset]! > 0) return 'interrupts disabled';
    for (const h of this.held) if (h.spinning(s, p)) return `spinning lock ${h.cls} held (preemption disabled)`;
    return null;
  }

  /** atomic(s, p) !== null, without building the description. */
  inAtomic(s: Uint8Array, p: Proc): boolean {
    return this.predicates(p).inAtomic(s);
  }

  properties(): Property[] {
    const sys = this.sys;
    const meta = sys.meta;
    // per process: its may-block labels
    const blockAt = new Map<Proc, Set<number>>();
    for (const m of meta) {
      if (!m.mayBlock) continue;
      let labels = blockAt.get(m.proc);
      if (!labels) blockAt.set(m.proc, (labels = new Set()));
      labels.add(m.at);
    }
    const recursive = this.recursivePoints;
    const cancelSelf = this.cancelSelf;
    const rtSleeping = this.rtSleepingAcquires;

    const classes = new LockClasses(this.held, sys, this.trylocks);
    const resetAll = (): void => this.resetAccumulated();
    const order = lockOrder(classes, sys, { reads: this.reads([], []), stepReads: (p) => this.heldReads(p), reset: resetAll });
    const irq = irqUsage(classes, sys, { reads: this.reads(sys.procs.flatMap((p) => (p.irqoff ? [p.irqoff] : [])), []), stepReads: (p) => [...this.heldReads(p), ...(p.irqoff ? [p.irqoff.name] : [])], reset: resetAll });
    this.resetAccumulated = () => {
      order.clear();
      irq.clear();
    };

    const spinningReads = (p: Proc): string[] => this.held.filter((h) => h.spins).flatMap((h) => h.fieldsOf?.(p) ?? []);
    const blockPoints = [...blockAt].flatMap(([p, labels]) => [...labels].map((pc) => ({ proc: p, pc })));
    // flat tables for the per-state checks: (pc offset, label) pairs
    const atPoint = (points: readonly { proc: Proc; pc: number }[]): { offs: Int32Array; pcs: Int32Array } => ({
      offs: Int32Array.from(points.map((x) => x.proc.pc.offset)),
      pcs: Int32Array.from(points.map((x) => x.pc)),
    });
    const noSleepInAtomic = compileNoSleepInAtomic(this.held, blockPoints);
    const selfCancel = atPoint(cancelSelf);
    const rawNesting = atPoint(rtSleeping);
    const reachedAny = (t: { offs: Int32Array; pcs: Int32Array }, s: Uint8Array): boolean => {
      for (let k = 0; k < t.offs.length; k++) if (s[t.offs[k]!] === t.pcs[k]) return true;
      return false;
    };

    const props: Property[] = [
      {
        kind: 'always',
        id: KERNEL_PROPERTIES.sleepInAtomic,
        // per process: at a may-block label and atomic (its irqoff, the spinning locks it holds)
        reads: {
          fields: [],
          // (each part is the compiled check over the process's own may-block points: it runs on every edge under reduction)
          components: [...blockAt.keys()].map((p) => ({
            owners: [p.pc.name],
            reads: [...spinningReads(p), ...(p.irqoff ? [p.irqoff.name] : [])],
            holds: compileNoSleepInAtomic(this.held, blockPoints.filter((x) => x.proc === p)),
          })),
        },
        description: 'no step that may sleep (mutex, sleeping lock on PREEMPT_RT, hrtimer_cancel, gpc refresh) is reached in hard-irq, irqs-off or preempt-off context',
        check: noSleepInAtomic,
      },
      {
        kind: 'always',
        id: KERNEL_PROPERTIES.recursiveLock,
        // per process: waiting at one of its lock labels for a lock it holds
        reads: {
          fields: [],
          components: [...new Set(recursive.map((r) => r.proc))].map((p) => {
            const mine = recursive.filter((r) => r.proc === p);
            return { owners: [p.pc.name], reads: mine.flatMap((r) => r.fields), holds: compileNoRecursiveLock(mine) };
          }),
        },
        description: 'no process waits for a lock it already holds (possible recursive locking: blocks forever)',
        check: compileNoRecursiveLock(recursive),
      },
      {
        kind: 'always',
        id: KERNEL_PROPERTIES.cancelSelf,
        reads: { fields: [], values: Object.fromEntries(cancelSelf.map((c) => [c.proc.pc.name, cancelSelf.filter((d) => d.proc === c.proc).map((d) => d.pc)])) },
        description: 'hrtimer_cancel is never called from the timer\'s own callback (it would wait for itself)',
        check: (s) => !reachedAny(selfCancel, s),
      },
      {
        kind: 'always',
        id: KERNEL_PROPERTIES.rawLockNesting,
        reads: { fields: [], values: Object.fromEntries(rtSleeping.map((c) => [c.proc.pc.name, rtSleeping.filter((d) => d.proc === c.proc).map((d) => d.pc)])) },
        description: 'no spinlock_t / rwlock_t (sleeping on PREEMPT_RT) is taken with a blocking lock operation in hard-irq context, on any kernel (lockdep CONFIG_PROVE_RAW_LOCK_NESTING; trylocks exempt)',
        check: (s) => !reachedAny(rawNesting, s),
      },
      order.property,
      irq.property,
      { kind: 'assert', id: KERNEL_PROPERTIES.badUnlock, description: 'a lock is released only by a process that holds it' },
      {
        kind: 'assert',
        id: KERNEL_PROPERTIES.lockHeldOnReturn,
        description: 'an ioctl, hypercall, hrtimer callback or refresh returns holding no lock and with the interrupt state it found (lockdep: "lock held when returning to user space!")',
      },
    ];
    return props;
  }
}

/** Declared names for "does p hold it": whether each lock word designates p (Model.processFields). */
function ownNames(fields: readonly Field[], p: Proc): string[] {
  return fields.map((f) => `${f.name}@${p.name}`);
}
