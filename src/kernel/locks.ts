/**
 * Linux locks as step builders: struct mutex, spinlock_t, raw_spinlock_t, rwlock_t.
 *
 * Rules encoded (kernel-semantics.md):
 * - mutex: sleeping lock with an owner; taking it again in the owner blocks forever (reported as
 *   `kernel.recursive-lock`); mutex_lock may sleep, so it is a bug in hard-irq / irqs-off /
 *   preempt-off context even when uncontended (`kernel.sleep-in-atomic`).
 * - spinlock_t and rwlock_t spin (preemption off while held) on a normal kernel and become
 *   sleeping locks on PREEMPT_RT, where `_irqsave`/`_irq` no longer disable interrupts.
 * - raw_spinlock_t spins on both.
 * - rwlock: readers share, a writer excludes everyone; read_trylock never blocks and fails while a
 *   writer holds the lock.
 * - unlocking a lock one does not hold is `kernel.bad-unlock`, and changes nothing: a process only
 *   ever moves a lock word between "free" and itself (and an rwlock's reader mask only in its own
 *   bit), which is what lets partial-order reduction treat "held by me" as the process's own
 *   business (Model.processFields, System.fieldHolds).
 *
 * Example:
 *   const l = rwlock(sys, 'gpc->lock'); // kernel/index.ts; or new RwLock(sys, name, lockClass)
 *   l.readLock(p, 'f.lock', 'f.body', src('f.c', 'f', 'read_lock_irqsave(&gpc->lock, flags);'), { irqsave: true });
 */
import type { Field } from '../engine/schema.js';
import type { SourceRef, StepCtx } from '../engine/model.js';
import { withHook, type Access, type Proc, type ReturnOpt, type System } from './system.js';

export interface IrqOpt {
  /** `_irqsave` / `_irq`: disables interrupts on the CPU while held (not on PREEMPT_RT). */
  irqsave?: boolean;
}

/** Options of every lock and unlock step (`returns`: the step returns from an entry, see StepSpec). */
export interface LockStepOpt extends IrqOpt, ReturnOpt {}

/** Extra behaviour merged into a lock/unlock step (e.g. the ioctl entry that takes vcpu->mutex). */
export interface StepExtra extends LockStepOpt {
  id?: string;
  guard?: (s: Uint8Array) => boolean;
  run?: (s: Uint8Array, ctx: StepCtx) => number | void;
  /** What `guard` and `run` read and write (without it the step is undeclared: no reduction around it). */
  access?: Access;
}

export abstract class Lock {
  constructor(
    readonly sys: System,
    readonly name: string,
    /** Lock class (lockdep key): instances initialised at the same place share it. */
    readonly cls: string,
  ) {}
  abstract held(s: Uint8Array, p: Proc): boolean;
  /** held(s, p) as a JavaScript expression over the state `s` (compiled checks), or null. */
  abstract heldSrc(p: Proc): string | null;
  /** Held in a way that disables preemption (a spinning lock on this kernel). */
  abstract spinningHeld(s: Uint8Array, p: Proc): boolean;
  abstract holders(s: Uint8Array): string;
  /** The fields holding the lock's state (what held() and holders() read). */
  abstract get fields(): readonly Field[];
  /** Spins (never sleeps) on this kernel. */
  abstract get spins(): boolean;

  /** A trylock step: never blocks; `take` when not `busy`, else continue at `fail`. */
  protected trylockStep(p: Proc, at: string, ok: string, fail: string, src: SourceRef, busy: (s: Uint8Array) => boolean, take: (s: Uint8Array) => void, opt: IrqOpt | undefined, access: Access): void {
    const okL = p.label(ok);
    const failL = p.label(fail);
    const step = p.step({
      at,
      src,
      run: (s) => {
        if (busy(s)) return failL;
        take(s);
        this.irqDisable(p, s, opt);
        return okL;
      },
      acquires: [this.cls],
      access: this.withIrq(p, access, opt),
    });
    // lockdep: a trylock cannot wait, so it adds no dependency and no irq usage of its own
    this.sys.checks.trylockPoint(step);
  }

  /** `_irqsave` / `_irq` disable interrupts: on a normal kernel; on PREEMPT_RT only for raw spinlocks. */
  protected get irqsaveDisables(): boolean {
    return !this.sys.preemptRt;
  }
  /** `access` plus the task's interrupt-disable count when the operation saves / restores interrupts. */
  withIrq(p: Proc, access: Access, opt?: IrqOpt): Access {
    if (!(opt?.irqsave && this.irqsaveDisables && p.irqoff)) return access;
    return { ...access, reads: [...(access.reads ?? []), p.irqoff], writes: [...(access.writes ?? []), p.irqoff] };
  }
  protected irqDisable(p: Proc, s: Uint8Array, opt?: IrqOpt): void {
    if (opt?.irqsave && this.irqsaveDisables && p.irqoff) s[p.irqoff.offset]!++;
  }
  protected irqRestore(p: Proc, s: Uint8Array, opt?: IrqOpt): void {
    if (opt?.irqsave && this.irqsaveDisables && p.irqoff && s[p.irqoff.offset]! > 0) s[p.irqoff.offset]!--;
  }
  protected ownerName(v: number): string {
    return v === 0 ? 'nobody' : (this.sys.procs[v - 1]?.name ?? `#${v}`);
  }
}

/** Owner-tracked exclusive lock: mutex, spinlock_t, raw_spinlock_t. */
export class ExclusiveLock extends Lock {
  readonly owner: Field;
  constructor(
    sys: System,
    name: string,
    cls: string,
    readonly kind: 'mutex' | 'spinlock' | 'raw_spinlock',
  ) {
    super(sys, name, cls);
    this.owner = sys.layout.int(`${name}.owner`, 0, 15);
    sys.fieldHolds(this.owner, 'proc');
    sys.checks.registerLock(this);
  }

  get sleeping(): boolean {
    return this.kind === 'mutex' || (this.kind === 'spinlock' && this.sys.preemptRt);
  }
  get spins(): boolean {
    return !this.sleeping;
  }
  /** raw_spin_lock_irqsave disables interrupts on PREEMPT_RT too. */
  protected override get irqsaveDisables(): boolean {
    return this.kind === 'raw_spinlock' || !this.sys.preemptRt;
  }

  get fields(): readonly Field[] {
    return [this.owner];
  }
  held(s: Uint8Array, p: Proc): boolean {
    return s[this.owner.offset] === p.ownerId;
  }
  heldSrc(p: Proc): string {
    return `s[${this.owner.offset}] === ${p.ownerId}`;
  }
  spinningHeld(s: Uint8Array, p: Proc): boolean {
    return !this.sleeping && this.held(s, p);
  }
  holders(s: Uint8Array): string {
    return this.ownerName(s[this.owner.offset]!);
  }

  lock(p: Proc, at: string, next: string, src: SourceRef, opt?: StepExtra): void {
    const o = this.owner.offset;
    const me = p.ownerId;
    const g = opt?.guard;
    const r = opt?.run;
    p.step({
      at,
      next,
      src,
      id: opt?.id,
      guard: g ? (s) => s[o] === 0 && g(s) : (s) => s[o] === 0,
      run: (s, ctx) => {
        s[o] = me;
        this.irqDisable(p, s, opt);
        return r?.(s, ctx);
      },
      mayBlock: this.sleeping ? (this.kind === 'mutex' ? 'mutex' : 'sleeping-lock') : undefined,
      waitsFor: (s) => `${this.name} held by ${this.holders(s)}`,
      acquires: [this.cls],
      returns: opt?.returns,
      access: withHook(this.withIrq(p, { reads: [this.owner], writes: [this.owner] }, opt), g ?? r, opt?.access),
    });
    this.sys.checks.lockPoint(p, at, this, (s) => s[o] === me, `s[${o}] === ${me}`);
    if (this.kind === 'spinlock') this.sys.checks.rtSleepingAcquirePoint(p, at);
  }

  /** trylock: never blocks; continues at `ok` when taken, `fail` when held by someone. */
  trylock(p: Proc, at: string, ok: string, fail: string, src: SourceRef, opt?: IrqOpt): void {
    const o = this.owner.offset;
    const me = p.ownerId;
    this.trylockStep(p, at, ok, fail, src, (s) => s[o] !== 0, (s) => void (s[o] = me), opt, { reads: [this.owner], writes: [this.owner] });
  }

  unlock(p: Proc, at: string, next: string, src: SourceRef, opt?: StepExtra): void {
    const o = this.owner.offset;
    const me = p.ownerId;
    const r = opt?.run;
    p.step({
      at,
      next,
      src,
      id: opt?.id,
      guard: opt?.guard,
      run: (s, ctx) => {
        // releasing a lock one does not hold is reported and changes nothing: a process only ever
        // moves a lock word between "free" and itself (Model.processFields)
        if (s[o] !== me) ctx.fail('kernel.bad-unlock', `${p.name} unlocks ${this.name} held by ${this.holders(s)}`);
        else s[o] = 0;
        this.irqRestore(p, s, opt);
        return r?.(s, ctx);
      },
      returns: opt?.returns,
      access: withHook(this.withIrq(p, { own: [this.owner], writes: [this.owner], fails: ['kernel.bad-unlock'] }, opt), opt?.guard ?? r, opt?.access),
    });
  }
}

/** rwlock_t: a writer owner and a bitmask of reading processes. */
export class RwLock extends Lock {
  readonly writer: Field;
  readonly readers: Field;
  constructor(sys: System, name: string, cls: string) {
    super(sys, name, cls);
    this.writer = sys.layout.int(`${name}.writer`, 0, 15);
    this.readers = sys.layout.int(`${name}.readers`, 0, 255);
    sys.fieldHolds(this.writer, 'proc');
    sys.fieldHolds(this.readers, 'proc-mask');
    sys.checks.registerLock(this);
  }

  get spins(): boolean {
    return !this.sys.preemptRt;
  }

  private bit(p: Proc): number {
    if (p.index > 7) throw new Error(`rwlock ${this.name}: at most 8 processes`);
    return 1 << p.index;
  }

  get fields(): readonly Field[] {
    return [this.writer, this.readers];
  }
  held(s: Uint8Array, p: Proc): boolean {
    return s[this.writer.offset] === p.ownerId || (s[this.readers.offset]! & this.bit(p)) !== 0;
  }
  heldSrc(p: Proc): string | null {
    // a process beyond the reader mask: held() throws, and so does the closure it falls back to
    if (p.index > 7) return null;
    return `(s[${this.writer.offset}] === ${p.ownerId} || (s[${this.readers.offset}] & ${this.bit(p)}) !== 0)`;
  }
  spinningHeld(s: Uint8Array, p: Proc): boolean {
    return !this.sys.preemptRt && this.held(s, p);
  }
  holders(s: Uint8Array): string {
    const w = s[this.writer.offset]!;
    if (w) return `writer ${this.ownerName(w)}`;
    const r = s[this.readers.offset]!;
    const names = this.sys.procs.filter((q) => (r & (1 << q.index)) !== 0).map((q) => q.name);
    return names.length ? `readers ${names.join(', ')}` : 'nobody';
  }
  free(s: Uint8Array): boolean {
    return s[this.writer.offset] === 0 && s[this.readers.offset] === 0;
  }

  readLock(p: Proc, at: string, next: string, src: SourceRef, opt?: LockStepOpt): void {
    const w = this.writer.offset;
    const r = this.readers.offset;
    const bit = this.bit(p);
    p.step({
      at,
      next,
      src,
      guard: (s) => s[w] === 0,
      run: (s) => {
        s[r] = s[r]! | bit;
        this.irqDisable(p, s, opt);
      },
      mayBlock: this.sys.preemptRt ? 'sleeping-lock' : undefined,
      waitsFor: (s) => `${this.name} held by ${this.holders(s)}`,
      acquires: [this.cls],
      returns: opt?.returns,
      access: this.withIrq(p, { reads: [this.writer], own: [this.readers], writes: [this.readers] }, opt),
    });
    this.sys.checks.lockPoint(p, at, this, (s) => s[w] === p.ownerId, `s[${w}] === ${p.ownerId}`);
    this.sys.checks.rtSleepingAcquirePoint(p, at);
  }

  /** read_trylock: never blocks; `fail` while a writer holds the lock. */
  readTrylock(p: Proc, at: string, ok: string, fail: string, src: SourceRef, opt?: IrqOpt): void {
    const w = this.writer.offset;
    const r = this.readers.offset;
    const bit = this.bit(p);
    this.trylockStep(p, at, ok, fail, src, (s) => s[w] !== 0, (s) => void (s[r] = s[r]! | bit), opt, { reads: [this.writer], own: [this.readers], writes: [this.readers] });
  }

  /**
   * The effect of read_unlock(_irqrestore) by p, for steps that release the lock as part of a
   * larger statement: reports `kernel.bad-unlock` if p is not a reader.
   */
  releaseRead(p: Proc, s: Uint8Array, ctx: StepCtx, opt?: IrqOpt): void {
    const r = this.readers.offset;
    const bit = this.bit(p);
    if ((s[r]! & bit) === 0) ctx.fail('kernel.bad-unlock', `${p.name} read-unlocks ${this.name} it does not hold (${this.holders(s)})`);
    s[r] = s[r]! & ~bit;
    this.irqRestore(p, s, opt);
  }

  /** What releaseRead(p, ..., opt) reads, writes and may raise. */
  releaseReadAccess(p: Proc, opt?: IrqOpt): Access {
    return this.withIrq(p, { own: [this.readers], writes: [this.readers], fails: ['kernel.bad-unlock'] }, opt);
  }

  /** What takeWrite(p, ..., opt) reads and writes. */
  takeWriteAccess(p: Proc, opt?: IrqOpt): Access {
    return this.withIrq(p, { writes: [this.writer] }, opt);
  }

  /** The effect of write_lock(_irq) by p once the lock is free (see `free`). */
  takeWrite(p: Proc, s: Uint8Array, opt?: IrqOpt): void {
    s[this.writer.offset] = p.ownerId;
    this.irqDisable(p, s, opt);
  }

  readUnlock(p: Proc, at: string, next: string, src: SourceRef, opt?: LockStepOpt): void {
    p.step({ at, next, src, run: (s, ctx) => this.releaseRead(p, s, ctx, opt), returns: opt?.returns, access: this.releaseReadAccess(p, opt) });
  }

  writeLock(p: Proc, at: string, next: string, src: SourceRef, opt?: LockStepOpt): void {
    const w = this.writer.offset;
    const r = this.readers.offset;
    const me = p.ownerId;
    const bit = this.bit(p);
    p.step({
      at,
      next,
      src,
      guard: (s) => s[w] === 0 && s[r] === 0,
      run: (s) => {
        s[w] = me;
        this.irqDisable(p, s, opt);
      },
      mayBlock: this.sys.preemptRt ? 'sleeping-lock' : undefined,
      waitsFor: (s) => `${this.name} held by ${this.holders(s)}`,
      acquires: [this.cls],
      returns: opt?.returns,
      access: this.withIrq(p, { reads: [this.writer, this.readers], writes: [this.writer] }, opt),
    });
    this.sys.checks.lockPoint(p, at, this, (s) => s[w] === me || (s[r]! & bit) !== 0, `s[${w}] === ${me} || (s[${r}] & ${bit}) !== 0`);
    this.sys.checks.rtSleepingAcquirePoint(p, at);
  }

  writeUnlock(p: Proc, at: string, next: string, src: SourceRef, opt?: LockStepOpt): void {
    const w = this.writer.offset;
    const me = p.ownerId;
    p.step({
      at,
      next,
      src,
      run: (s, ctx) => {
        if (s[w] !== me) ctx.fail('kernel.bad-unlock', `${p.name} write-unlocks ${this.name} held by ${this.holders(s)}`);
        else s[w] = 0;
        this.irqRestore(p, s, opt);
      },
      returns: opt?.returns,
      access: this.withIrq(p, { own: [this.writer], writes: [this.writer], fails: ['kernel.bad-unlock'] }, opt),
    });
  }
}
