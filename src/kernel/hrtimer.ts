/**
 * struct hrtimer: inactive / enqueued / running, with the callback as a hard-irq handler process.
 *
 * Rules encoded (kernel-semantics.md):
 * - hrtimer_start / hrtimer_start_expires (re)arm: enqueued, allowed while the callback runs.
 * - The timer fires whenever enqueued (time is not modelled): the callback process starts, in hard
 *   interrupt context, on the timer's home CPU (only while interrupts are enabled there; the task on
 *   that CPU is frozen until it returns) or on another CPU (interleaving step by step), per
 *   `placement`.
 * - hrtimer_try_to_cancel: 1 dequeued, 0 inactive, -1 callback running (nothing changed).
 * - hrtimer_cancel: waits for a running callback, then dequeues; returns 1 iff it dequeued. It may
 *   block, so it is a bug in atomic context, and from the timer's own callback it never returns
 *   (`kernel.hrtimer-cancel-self`).
 * - The callback returns HRTIMER_NORESTART: the timer stays inactive unless re-armed meanwhile,
 *   and holding no lock it took (`kernel.lock-held-on-return`).
 *
 * Example:
 *   const t = new HrTimer(sys, 'xen.timer', { homeCpu: 0, otherCpu: 2, placement: 'both', entry: 'cb.start',
 *     fireSrc: src('kernel/time/hrtimer.c', '__run_hrtimer', 'restart = fn(timer);') });
 *   t.start(thread, 'f.arm', 'idle', src('f.c', 'f', 'hrtimer_start(&t, exp, HRTIMER_MODE_ABS_HARD);'));
 */
import type { Field } from '../engine/schema.js';
import type { SourceRef, StepCtx } from '../engine/model.js';
import { withHook, type Access, type Proc, type System } from './system.js';

export type Placement = 'other' | 'same' | 'both';

export interface HrTimerOptions {
  /** CPU the timer is queued on (the arming task's CPU). */
  homeCpu: number;
  /** A CPU where nothing else of the model runs. */
  otherCpu: number;
  placement: Placement;
  /** Label where the callback's code starts (in the callback process). */
  entry: string;
  fireSrc: SourceRef;
  /** Effect when the timer fires (e.g. ghost bookkeeping), before the callback's first step. */
  onFire?: (s: Uint8Array) => void;
  /** What onFire reads and writes (without it the fire steps are undeclared). */
  onFireAccess?: Access;
}

export class HrTimer {
  readonly enqueued: Field;
  /** The callback, a hard-irq handler process; running iff not idle. */
  readonly cb: Proc;
  readonly cls: string;

  constructor(
    readonly sys: System,
    readonly name: string,
    readonly opts: HrTimerOptions,
  ) {
    this.enqueued = sys.layout.bool(`${name}.enqueued`);
    this.cb = sys.handler(`${name}.callback`, opts.homeCpu);
    this.cls = `hrtimer ${name}`;
    sys.checks.registerPseudoLock(this.cls, (s, p) => p === this.cb && this.running(s), [this.cb.pc], this.cb);
    const e = this.enqueued.offset;
    const cpuOff = this.cb.cpuField!.offset;
    const onFire = opts.onFire;
    // the expiry interrupt: on the home CPU only while interrupts are enabled there
    const fire = (cpu: number, needIrqsOn: boolean): void => {
      sys.handlerMayRunOn(this.cb, cpu);
      this.cb.step({
        at: 'idle',
        id: `${this.cb.name}:fire@cpu${cpu}`,
        next: opts.entry,
        src: opts.fireSrc,
        guard: needIrqsOn ? (s) => s[e] === 1 && !sys.irqsOff(s, cpu) : (s) => s[e] === 1,
        run: (s) => {
          s[e] = 0;
          s[cpuOff] = cpu;
          onFire?.(s);
        },
        acquires: [this.cls],
        access: withHook({ reads: [this.enqueued], writes: [this.enqueued, this.cb.cpuField!], irqsOff: needIrqsOn ? cpu : undefined }, onFire, opts.onFireAccess),
      });
    };
    if (opts.placement !== 'other') fire(opts.homeCpu, true);
    if (opts.placement !== 'same') fire(opts.otherCpu, false);
  }

  running(s: Uint8Array): boolean {
    return !this.cb.isIdle(s);
  }
  isEnqueued(s: Uint8Array): boolean {
    return s[this.enqueued.offset] === 1;
  }

  /** hrtimer_start / hrtimer_start_expires: (re)arm. */
  start(p: Proc, at: string, next: string, src: SourceRef, run?: (s: Uint8Array, ctx: StepCtx) => number | void, runAccess?: Access): void {
    const e = this.enqueued.offset;
    p.step({
      at,
      next,
      src,
      run: (s, ctx) => {
        s[e] = 1;
        return run?.(s, ctx);
      },
      access: withHook({ writes: [this.enqueued] }, run, runAccess),
    });
  }

  /** hrtimer_try_to_cancel: branches to dequeued (1) / inactive (0) / running (-1). */
  tryToCancel(p: Proc, at: string, src: SourceRef, to: { dequeued: string; inactive: string; running: string }): void {
    const e = this.enqueued.offset;
    const d = p.label(to.dequeued);
    const i = p.label(to.inactive);
    const r = p.label(to.running);
    p.step({
      at,
      src,
      run: (s) => {
        if (this.running(s)) return r;
        if (s[e] === 1) {
          s[e] = 0;
          return d;
        }
        return i;
      },
      access: { reads: [this.cb.pc, this.enqueued], writes: [this.enqueued] },
    });
  }

  /**
   * hrtimer_cancel: waits while the callback runs, then dequeues. `result(s, ret)` sees the return
   * value (1 iff an enqueued timer was dequeued) and may branch.
   */
  cancel(p: Proc, at: string, next: string, src: SourceRef, result?: (s: Uint8Array, ret: 0 | 1) => number | void, resultAccess?: Access): void {
    const e = this.enqueued.offset;
    p.step({
      at,
      next,
      src,
      guard: (s) => !this.running(s),
      run: (s) => {
        const ret: 0 | 1 = s[e] === 1 ? 1 : 0;
        s[e] = 0;
        return result?.(s, ret);
      },
      mayBlock: 'hrtimer_cancel',
      waitsFor: () => `${this.name} callback to finish`,
      acquires: [this.cls],
      access: withHook({ reads: [this.cb.pc, this.enqueued], writes: [this.enqueued] }, result, resultAccess),
    });
    if (p === this.cb) this.sys.checks.cancelSelfPoint(p, at, this.name);
  }

  /**
   * The callback's `return HRTIMER_NORESTART;`: the handler ends (the timer stays enqueued only if
   * re-armed). It returns from the callback: holding a lock there is `kernel.lock-held-on-return`.
   */
  callbackReturn(at: string, src: SourceRef, run?: (s: Uint8Array, ctx: StepCtx) => void, runAccess?: Access): void {
    this.cb.step({ at, next: 'idle', src, run, returns: `the ${this.name} hrtimer callback`, access: withHook({}, run, runAccess) });
  }
}
