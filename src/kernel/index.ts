/**
 * Linux concurrency primitives as reusable step builders, with lockdep-style checks.
 * See system.ts for an example; locks.ts, hrtimer.ts and kvm.ts document each primitive's rules.
 */
export { System, Proc, src, withHook, type Access, type Context, type StepSpec, type BlockKind, type FinishOptions, type ReturnOpt } from './system.js';
export { ExclusiveLock, RwLock, Lock, type IrqOpt, type LockStepOpt, type StepExtra } from './locks.js';
export { localIrqSave, localIrqRestore } from './irq.js';
export { HrTimer, type Placement, type HrTimerOptions } from './hrtimer.js';
export { Gpc, readValidated, VcpuState, warnOnOnce, type ReadValidatedSrc } from './kvm.js';
export { KernelChecks, KERNEL_PROPERTIES } from './checks.js';
import { ExclusiveLock, RwLock } from './locks.js';
import type { System } from './system.js';

export function mutex(sys: System, name: string, cls = name): ExclusiveLock {
  return new ExclusiveLock(sys, name, cls, 'mutex');
}
export function spinlock(sys: System, name: string, cls = name): ExclusiveLock {
  return new ExclusiveLock(sys, name, cls, 'spinlock');
}
export function rawSpinlock(sys: System, name: string, cls = name): ExclusiveLock {
  return new ExclusiveLock(sys, name, cls, 'raw_spinlock');
}
export function rwlock(sys: System, name: string, cls = name): RwLock {
  return new RwLock(sys, name, cls);
}
