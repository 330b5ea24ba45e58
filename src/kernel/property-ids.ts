/** The ids of the kernel library's own properties (checks.ts, lock-order.ts, irq-usage.ts). */
export const KERNEL_PROPERTIES = {
  sleepInAtomic: 'kernel.sleep-in-atomic',
  recursiveLock: 'kernel.recursive-lock',
  lockOrder: 'kernel.lock-order',
  irqUnsafe: 'kernel.irq-unsafe-lock',
  badUnlock: 'kernel.bad-unlock',
  cancelSelf: 'kernel.hrtimer-cancel-self',
  rawLockNesting: 'kernel.raw-lock-nesting',
  lockHeldOnReturn: 'kernel.lock-held-on-return',
} as const;
