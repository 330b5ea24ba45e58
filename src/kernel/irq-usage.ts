/**
 * `kernel.irq-unsafe-lock`: a lock class taken in hard-irq context and also held for writing with
 * interrupts enabled in task context (the interrupt can spin on it forever on that CPU), learned
 * over the whole exploration. A trylock in hard irq does not count (lockdep's mark_usage skips
 * trylocks); on PREEMPT_RT only raw spinlocks are checked (LockClasses.irqAcquires).
 */
import type { TransitionProperty } from '../engine/model.js';
import { KERNEL_PROPERTIES } from './property-ids.js';
import type { LockClasses } from './lock-classes.js';
import { acquiringCheck, type AccumulatingCheck, type AccumulatingCheckSpec } from './lock-order.js';
import type { System } from './system.js';

type Usages = { usedInIrq?: [string, string][]; writeIrqOn?: [string, string][] };

/** The irq-usage check; what it learned lives as long as the model. */
export function irqUsage(t: LockClasses, sys: System, spec: AccumulatingCheckSpec): AccumulatingCheck {
  const usedInIrq = new Map<string, string>();
  const writeIrqOn = new Map<string, string>();
  const irqUsed = new Uint8Array(t.count);
  const irqOnWritten = new Uint8Array(t.count);
  const property: TransitionProperty = {
    ...acquiringCheck(t, spec),
    id: KERNEL_PROPERTIES.irqUnsafe,
    description: 'no lock class is taken in hard-irq context and also held for writing with interrupts enabled in task context',
    facts: () => ({ usedInIrq: [...usedInIrq], writeIrqOn: [...writeIrqOn] }),
    restoreFacts: (f) => {
      const g = f as Usages;
      for (const [c, at] of g.usedInIrq ?? []) {
        usedInIrq.set(c, at);
        const cn = t.number.get(c);
        if (cn !== undefined) irqUsed[cn] = 1;
      }
      for (const [c, at] of g.writeIrqOn ?? []) {
        writeIrqOn.set(c, at);
        const cn = t.number.get(c);
        if (cn !== undefined) irqOnWritten[cn] = 1;
      }
    },
    // what check() would record and could matter: a class taken in hard irq, or held for
    // writing with irqs on — only for a class some hard-irq step takes (no other can conflict)
    // (irqAcquires already leaves out the hrtimer pseudo-locks and, on RT, the sleeping locks)
    // (and only a usage not yet recorded: the usages only grow, as the lock-order edges)
    observes: (_before, step, after) => {
      const p = t.procOf[step]!;
      const acq = t.irqAcquires[step]!;
      for (let j = 0; j < acq.length; j++) {
        const cn = acq[j]!;
        if (p.context === 'hardirq') {
          if (!t.trylock[step] && irqUsed[cn] === 0) return true;
        } else if (irqOnWritten[cn] === 0 && t.inIrq.has(t.names[cn]!) && t.exclusiveHeld(after, p, cn) && !(p.irqoff && after[p.irqoff.offset]! > 0)) return true;
      }
      return false;
    },
    judge: (all) => {
      const irq = new Map<string, string>();
      const on = new Map<string, string>();
      for (const f of all) {
        const g = f as Usages;
        for (const [c, at] of g.usedInIrq ?? []) if (!irq.has(c)) irq.set(c, at);
        for (const [c, at] of g.writeIrqOn ?? []) if (!on.has(c)) on.set(c, at);
      }
      for (const [c, at] of irq) if (on.has(c)) return `inconsistent lock state: ${c} taken in hard irq at ${at} and held for writing with irqs enabled at ${on.get(c)}`;
      return true;
    },
    check: (_before, step, after) => {
      const acq = t.irqAcquires[step]!;
      if (acq.length === 0) return true;
      const p = t.procOf[step]!;
      for (let j = 0; j < acq.length; j++) {
        const cn = acq[j]!;
        const c = t.names[cn]!;
        if (p.context === 'hardirq') {
          if (!t.trylock[step] && irqUsed[cn] === 0) {
            irqUsed[cn] = 1;
            usedInIrq.set(c, sys.steps[step]!.id);
          }
        } else if (irqOnWritten[cn] === 0 && !(p.irqoff && after[p.irqoff.offset]! > 0) && t.exclusiveHeld(after, p, cn)) {
          irqOnWritten[cn] = 1;
          writeIrqOn.set(c, sys.steps[step]!.id);
        }
        if (irqUsed[cn] === 1 && irqOnWritten[cn] === 1) {
          return `inconsistent lock state: ${c} taken in hard irq at ${usedInIrq.get(c)} and held for writing with irqs enabled at ${writeIrqOn.get(c)}`;
        }
      }
      return true;
    },
  };
  const clear = (): void => {
    usedInIrq.clear();
    writeIrqOn.clear();
    irqUsed.fill(0);
    irqOnWritten.fill(0);
  };
  return { property, clear };
}
