/**
 * KVM pieces: gfn_to_pfn_cache (a `valid` flag guarded by an rwlock, invalidated by the MMU
 * notifier, re-validated by a sleeping refresh), vCPU requests + kick, the loaded vCPU
 * (`kvm_get_running_vcpu()`), and WARN_ON_ONCE.
 *
 * Example:
 *   const gpc = new Gpc(sys, 'shinfo_cache');
 *   gpc.lock.readLock(p, 'f.lock', 'f.check', SRC_LOCK, { irqsave: true });
 *   p.step({ at: 'f.check', src: SRC_CHECK, run: (s) => (gpc.valid(s) ? okL : failL) });
 */
import type { Field } from '../engine/schema.js';
import type { SourceRef, StepCtx } from '../engine/model.js';
import { RwLock } from './locks.js';
import { withHook, type Access, type Proc, type ReturnOpt, type System } from './system.js';

export class Gpc {
  readonly validField: Field;
  readonly lock: RwLock;
  constructor(
    readonly sys: System,
    readonly name: string,
  ) {
    this.validField = sys.layout.bool(`${name}.valid`);
    // every gpc->lock is initialised by rwlock_init() in kvm_gpc_init(): one lockdep class
    this.lock = new RwLock(sys, `${name}.lock`, 'gpc->lock');
  }

  valid(s: Uint8Array): boolean {
    return s[this.validField.offset] === 1;
  }

  /**
   * MMU-notifier invalidation (virt/kvm/pfncache.c gfn_to_pfn_cache_invalidate_start):
   * `write_lock_irq(&gpc->lock); gpc->valid = false; write_unlock_irq(&gpc->lock);`
   * The lock and the store are one step (nobody can observe `valid` between them); the unlock is
   * its own step so readers can find the lock write-held (`opt.returns`: it ends the notifier).
   */
  invalidate(p: Proc, at: string, unlockAt: string, next: string, run?: (s: Uint8Array) => void, opt?: ReturnOpt & { runAccess?: Access }): void {
    const v = this.validField.offset;
    const file = 'virt/kvm/pfncache.c';
    p.step({
      at,
      next: unlockAt,
      src: { file, func: 'gfn_to_pfn_cache_invalidate_start', line: `write_lock_irq(&gpc->lock); gpc->valid = false; /* ${this.name} */` },
      guard: (s) => this.lock.free(s),
      run: (s) => {
        this.lock.takeWrite(p, s, { irqsave: true });
        s[v] = 0;
        run?.(s);
      },
      mayBlock: this.sys.preemptRt ? 'sleeping-lock' : undefined,
      waitsFor: (s) => `${this.lock.name} held by ${this.lock.holders(s)}`,
      acquires: [this.lock.cls],
      access: withHook(this.lock.withIrq(p, { reads: this.lock.fields, writes: [this.lock.writer, this.validField] }, { irqsave: true }), run, opt?.runAccess),
    });
    this.sys.checks.rtSleepingAcquirePoint(p, at); // write_lock_irq on an rwlock_t
    this.lock.writeUnlock(p, unlockAt, next, { file, func: 'gfn_to_pfn_cache_invalidate_start', line: 'write_unlock_irq(&gpc->lock);' }, { irqsave: true, ...opt });
  }

  /**
   * kvm_gpc_refresh(): re-maps and publishes under `write_lock_irq(&gpc->lock)`; may sleep.
   * One step: wait for the lock to be free, mark valid (the lock is dropped again at once).
   * `opt.returns`: the step also ends the caller's entry (a refresher returning right after).
   */
  refresh(p: Proc, at: string, next: string, src: SourceRef, run?: (s: Uint8Array, ctx: StepCtx) => number | void, opt?: ReturnOpt & { runAccess?: Access }): void {
    const v = this.validField.offset;
    p.step({
      at,
      next,
      src,
      guard: (s) => this.lock.free(s),
      run: (s, ctx) => {
        s[v] = 1;
        return run?.(s, ctx);
      },
      mayBlock: 'sleep',
      waitsFor: (s) => `${this.lock.name} held by ${this.lock.holders(s)}`,
      acquires: [this.lock.cls],
      returns: opt?.returns,
      access: withHook({ reads: this.lock.fields, writes: [this.validField] }, run, opt?.runAccess),
    });
  }
}

export interface ReadValidatedSrc {
  lock: SourceRef;
  check: SourceRef;
  unlock: SourceRef;
  refresh: SourceRef;
  /** The read under the lock and the read_unlock_irqrestore that follows it (one step). */
  read: SourceRef;
}

/**
 * The usual reader of a cache that may be invalid, in task context:
 * `read_lock_irqsave(&gpc->lock); while (!kvm_gpc_check(gpc, len)) { read_unlock_irqrestore();
 * kvm_gpc_refresh(gpc, len); read_lock_irqsave(); } <read>; read_unlock_irqrestore();`
 * Steps `${at}_lock`, `${at}_check`, `${at}_unlock_refresh`, `${at}_refresh` and `${at}_read`
 * (`read(s)` runs there, under the lock, which the step then drops), then `next`.
 */
export function readValidated(gpc: Gpc, p: Proc, at: string, next: string, src: ReadValidatedSrc, read?: (s: Uint8Array, ctx: StepCtx) => void, readAccess?: Access): void {
  const irqsave = { irqsave: true };
  const readL = p.label(`${at}_read`);
  const unlockL = p.label(`${at}_unlock_refresh`);
  gpc.lock.readLock(p, `${at}_lock`, `${at}_check`, src.lock, irqsave);
  p.step({ at: `${at}_check`, src: src.check, run: (s) => (gpc.valid(s) ? readL : unlockL), access: { reads: [gpc.validField] } });
  gpc.lock.readUnlock(p, `${at}_unlock_refresh`, `${at}_refresh`, src.unlock, irqsave);
  gpc.refresh(p, `${at}_refresh`, `${at}_lock`, src.refresh);
  p.step({
    at: `${at}_read`,
    next,
    src: src.read,
    run: (s, ctx) => {
      read?.(s, ctx);
      gpc.lock.releaseRead(p, s, ctx, irqsave);
    },
    access: withHook(gpc.lock.releaseReadAccess(p, irqsave), read, readAccess),
  });
}

/** A vCPU's request bits (only KVM_REQ_UNBLOCK is modelled) and its loaded state. */
export class VcpuState {
  readonly reqUnblock: Field;
  readonly loaded: Field;
  constructor(
    sys: System,
    readonly name: string,
    /** The CPU the vCPU thread runs (and loads the vCPU) on. */
    readonly cpu: number,
  ) {
    this.reqUnblock = sys.layout.bool(`${name}.req_unblock`);
    this.loaded = sys.layout.bool(`${name}.loaded`);
  }

  /** `kvm_make_request(KVM_REQ_UNBLOCK, vcpu); kvm_vcpu_kick(vcpu);` */
  kick(s: Uint8Array): void {
    s[this.reqUnblock.offset] = 1;
  }

  /** kvm_get_running_vcpu() == this vcpu, for a process running on `cpu` in state s. */
  isRunningOn(s: Uint8Array, cpu: number): boolean {
    return cpu === this.cpu && s[this.loaded.offset] === 1;
  }
}

/** `WARN_ON_ONCE(cond)`: an assertion finding; execution continues. */
export function warnOnOnce(ctx: StepCtx, cond: boolean, property: string, message: string): boolean {
  if (cond) ctx.fail(property, message);
  return cond;
}
