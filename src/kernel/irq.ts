/**
 * local_irq_save / local_irq_restore (and local_irq_disable / local_irq_enable) in task context.
 *
 * Rules encoded (kernel-semantics.md): they disable interrupts on the task's CPU on every kernel,
 * PREEMPT_RT included (unlike `spin_lock_irqsave` of a spinlock_t there). While disabled, an
 * interrupt handler cannot start on that CPU and the task is in atomic context
 * (`kernel.sleep-in-atomic`); returning from an entry with them still disabled is
 * `kernel.lock-held-on-return`. The task's `irqs_off` count is shared with the `_irqsave` locks,
 * so nesting works as `flags` does.
 *
 * Example:
 *   localIrqSave(t, 'f.save', 'f.body', src('f.c', 'f', 'local_irq_save(flags);'));
 *   localIrqRestore(t, 'f.restore', 'idle', src('f.c', 'f', 'local_irq_restore(flags);'), { returns: 'f' });
 */
import type { SourceRef } from '../engine/model.js';
import type { Proc, ReturnOpt } from './system.js';

function irqoffOf(p: Proc): number {
  if (!p.irqoff) throw new Error(`local_irq_save/restore: ${p.name} is an interrupt handler (interrupts are already off; enabling them there is not modelled)`);
  return p.irqoff.offset;
}

/** `local_irq_save(flags)` / `local_irq_disable()`. */
export function localIrqSave(p: Proc, at: string, next: string, src: SourceRef, opt?: ReturnOpt): void {
  const o = irqoffOf(p);
  p.step({ at, next, src, run: (s) => void s[o]!++, returns: opt?.returns, access: { reads: [p.irqoff!], writes: [p.irqoff!] } });
}

/** `local_irq_restore(flags)` / `local_irq_enable()`: undoes the innermost save. */
export function localIrqRestore(p: Proc, at: string, next: string, src: SourceRef, opt?: ReturnOpt): void {
  const o = irqoffOf(p);
  p.step({ at, next, src, run: (s) => void (s[o]! > 0 && s[o]!--), returns: opt?.returns, access: { reads: [p.irqoff!], writes: [p.irqoff!] } });
}
