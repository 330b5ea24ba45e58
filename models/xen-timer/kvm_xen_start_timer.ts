/**
 * kvm_xen_start_timer(vcpu, guest_abs, delta_ns), inlined at each call site (hypercall, SET_ATTR).
 * The caller has chosen delta_ns <= 0 or > 0 (thread local `delta_le_0`) and started a new arm.
 */
import { xsrc, type Vcpu, type Xen } from './context.js';
import { warnRunningVcpu } from './kvm_xen_stop_timer.js';
import { xenTimerCallback } from './xen_timer_callback.js';

const F = 'kvm_xen_start_timer';

export function startTimerEntry(x: Xen, pre: string): string {
  if (x.v.warnRunningVcpu) return `${pre}start_timer.warn`;
  return x.v.cancelInStart ? `${pre}start_timer.check_expires` : `${pre}start_timer.clear_pending`;
}

export function startTimer(x: Xen, vc: Vcpu, pre: string, exit: string): void {
  const p = vc.thread;
  const v = x.v;
  const n = (k: string): string => `${pre}start_timer.${k}`;
  if (v.warnRunningVcpu) warnRunningVcpu(x, vc, p, n('warn'), v.cancelInStart ? n('check_expires') : n('clear_pending'), F);
  if (v.cancelInStart) {
    const cancelL = p.label(n('hrtimer_cancel'));
    const clearL = p.label(n('clear_pending'));
    p.step({
      at: n('check_expires'),
      src: xsrc(F, 'if (vcpu->arch.xen.timer_expires)'),
      run: (s) => (s[vc.expires.offset] ? cancelL : clearL),
      access: x.acc(vc),
    });
    vc.timer.cancel(p, n('hrtimer_cancel'), n('clear_pending'), xsrc(F, 'hrtimer_cancel(&vcpu->arch.xen.timer);'));
    x.coverAt('start_timer.cancel_old', 'kvm_xen_start_timer cancels the old timer (timer_expires was set)', xsrc(F, 'hrtimer_cancel(&vcpu->arch.xen.timer);'), p, n('hrtimer_cancel'));
    x.coverAt('start_timer.cancel_waits', 'kvm_xen_start_timer\'s hrtimer_cancel has to wait for a running callback', xsrc(F, 'hrtimer_cancel(&vcpu->arch.xen.timer);'), p, n('hrtimer_cancel'), (s) => vc.timer.running(s));
  }
  p.step({ at: n('clear_pending'), next: n('set_expires'), src: xsrc(F, 'atomic_set(&vcpu->arch.xen.timer_pending, 0);'), run: (s) => void (s[vc.pending.offset] = 0), access: x.acc(vc) });
  const directL = p.label(`${pre}start_timer>callback.read_pending`);
  const hrL = p.label(n('hrtimer_start'));
  const thGen = vc.thGen.offset;
  const gen = vc.gen.offset;
  p.step({
    at: n('set_expires'),
    src: xsrc(F, 'vcpu->arch.xen.timer_expires = guest_abs; if (delta_ns <= 0) {'),
    run: (s) => {
      s[vc.expires.offset] = 1;
      if (s[vc.delta.offset]) {
        s[thGen] = s[gen]!;
        return directL;
      }
      return hrL;
    },
    access: x.acc(vc),
  });
  // delta_ns <= 0: xen_timer_callback(&vcpu->arch.xen.timer) called directly, in task context
  xenTimerCallback(x, vc, p, `${pre}start_timer>`, exit, vc.rc, vc.thGen);
  x.coverAt('start_timer.direct_callback', 'kvm_xen_start_timer calls xen_timer_callback directly (delta_ns <= 0)', xsrc(F, 'xen_timer_callback(&vcpu->arch.xen.timer);'), p, `${pre}start_timer>callback.read_pending`);
  const hrGen = vc.hrGen.offset;
  vc.timer.start(p, n('hrtimer_start'), exit, xsrc(F, 'hrtimer_start(&vcpu->arch.xen.timer, ktime_add_ns(ktime_now, delta_ns), HRTIMER_MODE_ABS_HARD);'), (s) => {
    s[hrGen] = s[gen]!;
  }, x.acc(vc));
}
