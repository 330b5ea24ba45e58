/** kvm_xen_stop_timer(), inlined at each call site (hypercall, SET_ATTR, destroy). */
import type { Proc } from '../../src/kernel/index.js';
import { PROP, xsrc, type Vcpu, type Xen } from './context.js';

const F = 'kvm_xen_stop_timer';

export function warnRunningVcpu(x: Xen, vc: Vcpu, p: Proc, at: string, next: string, func: string): void {
  p.step({
    at,
    next,
    src: xsrc(func, 'WARN_ON_ONCE(vcpu != kvm_get_running_vcpu());'),
    run: (s, ctx) => {
      if (!x.runningVcpuIs(s, p, vc)) ctx.fail(PROP.warn, `${func}() called with ${vc.name} not loaded on this CPU`);
    },
    access: x.acc(vc, [], [PROP.warn]),
  });
}

export function stopTimer(x: Xen, vc: Vcpu, pre: string, exit: string): void {
  const p = vc.thread;
  const n = (k: string): string => `${pre}stop_timer.${k}`;
  if (x.v.warnRunningVcpu) warnRunningVcpu(x, vc, p, n('warn'), n('hrtimer_cancel'), F);
  vc.timer.cancel(p, n('hrtimer_cancel'), n('clear_expires'), xsrc(F, 'hrtimer_cancel(&vcpu->arch.xen.timer);'));
  p.step({ at: n('clear_expires'), next: n('clear_pending'), src: xsrc(F, 'vcpu->arch.xen.timer_expires = 0;'), run: (s) => void (s[vc.expires.offset] = 0), access: x.acc(vc) });
  p.step({ at: n('clear_pending'), next: exit, src: xsrc(F, 'atomic_set(&vcpu->arch.xen.timer_pending, 0);'), run: (s) => void (s[vc.pending.offset] = 0), access: x.acc(vc) });
  x.coverAt('stop_timer.waits_for_callback', 'kvm_xen_stop_timer\'s hrtimer_cancel has to wait for a running callback', xsrc(F, 'hrtimer_cancel(&vcpu->arch.xen.timer);'), p, n('hrtimer_cancel'), (s) => vc.timer.running(s));
}

export function stopTimerEntry(x: Xen, pre: string): string {
  return x.v.warnRunningVcpu ? `${pre}stop_timer.warn` : `${pre}stop_timer.hrtimer_cancel`;
}
