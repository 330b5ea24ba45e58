/**
 * kvm_xen_start_timer(vcpu, guest_abs, delta_ns) — since 6.9 (vcpu, guest_abs, linux_wa), computing
 * delta itself — inlined at each call site (hypercall, SET_ATTR). The script has chosen delta <= 0
 * or > 0 (thread local `delta_le_0`: time is not modelled) and started a new arm.
 */
import { readValidated } from '../../src/kernel/index.js';
import { xsrc, type Vcpu, type Xen } from './context.js';
import { warnRunningVcpu } from './kvm_xen_stop_timer.js';
import { xenTimerCallback } from './xen_timer_callback.js';

const F = 'kvm_xen_start_timer';

export function startTimerEntry(x: Xen, pre: string): string {
  if (x.v.startTimerPvclock) return `${pre}start_timer.pvclock_lock`;
  return afterClockRead(x, pre);
}

/** The first step that touches the timer. */
function afterClockRead(x: Xen, pre: string): string {
  if (x.v.warnRunningVcpu) return `${pre}start_timer.warn`;
  return x.v.cancelInStart ? `${pre}start_timer.check_expires` : `${pre}start_timer.clear_pending`;
}

/**
 * Mainline: "guest now" from the guest's own pvclock copy in vcpu_info, read under the vcpu_info
 * cache's lock; while the cache is invalid, unlock, kvm_gpc_refresh() (may sleep) and relock.
 * The time itself is not modelled: only the lock, the check and the refresh.
 */
function readGuestPvclock(x: Xen, vc: Vcpu, pre: string): void {
  const p = vc.thread;
  const at = `${pre}start_timer.pvclock`;
  readValidated(vc.vcpuInfo, p, at, afterClockRead(x, pre), {
    lock: xsrc(F, 'read_lock_irqsave(&gpc->lock, flags); /* gpc = &vcpu->arch.xen.vcpu_info_cache: the guest\'s pvclock copy */'),
    check: xsrc(F, 'while (!kvm_gpc_check(gpc, sizeof(struct vcpu_info))) {'),
    unlock: xsrc(F, 'read_unlock_irqrestore(&gpc->lock, flags);'),
    refresh: xsrc(F, 'if (kvm_gpc_refresh(gpc, sizeof(struct vcpu_info))) goto fallback; read_lock_irqsave(&gpc->lock, flags); }'),
    read: xsrc(F, 'guest_now = __pvclock_read_cycles(&vcpu_info->time, host_tsc); read_unlock_irqrestore(&gpc->lock, flags); delta = guest_abs - guest_now;'),
  });
  if (x.p.vcpuInfoInvalidations > 0) x.coverAt('start_timer.pvclock_refresh', 'kvm_xen_start_timer finds the vcpu_info cache invalid and refreshes it before reading the guest clock', xsrc(F, 'if (kvm_gpc_refresh(gpc, sizeof(struct vcpu_info))) goto fallback;'), p, `${at}_refresh`);
}

export function startTimer(x: Xen, vc: Vcpu, pre: string, exit: string): void {
  const p = vc.thread;
  const v = x.v;
  const n = (k: string): string => `${pre}start_timer.${k}`;
  if (v.startTimerPvclock) readGuestPvclock(x, vc, pre);
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
  const gen = vc.gen.offset;
  p.step({
    at: n('set_expires'),
    src: xsrc(F, v.startTimerApi === 'linux_wa' ? 'vcpu->arch.xen.timer_expires = guest_abs; if (delta <= 0) {' : 'vcpu->arch.xen.timer_expires = guest_abs; if (delta_ns <= 0) {'),
    run: (s) => {
      s[vc.expires.offset] = 1;
      if (s[vc.delta.offset]) {
        // the deadline is already past: the arm expires as the callback is called directly
        x.expire(s, vc);
        return directL;
      }
      return hrL;
    },
    access: x.acc(vc),
  });
  // delta_ns <= 0: xen_timer_callback(&vcpu->arch.xen.timer) called directly, in task context
  // the direct call is for the current arm (only this thread starts arms)
  xenTimerCallback(x, vc, p, `${pre}start_timer>`, exit, vc.rc, vc.gen);
  x.coverAt('start_timer.direct_callback', 'kvm_xen_start_timer calls xen_timer_callback directly (delta_ns <= 0)', xsrc(F, 'xen_timer_callback(&vcpu->arch.xen.timer);'), p, `${pre}start_timer>callback.read_pending`);
  const hrGen = vc.hrGen.offset;
  const startLine = v.startTimerApi === 'linux_wa' ? 'hrtimer_start(&vcpu->arch.xen.timer, ktime_add_ns(kernel_now, delta), HRTIMER_MODE_ABS_HARD);' : 'hrtimer_start(&vcpu->arch.xen.timer, ktime_add_ns(ktime_now, delta_ns), HRTIMER_MODE_ABS_HARD);';
  vc.timer.start(p, n('hrtimer_start'), exit, xsrc(F, startLine), (s) => {
    s[hrGen] = s[gen]!;
  }, x.acc(vc));
}
