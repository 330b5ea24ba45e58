/** kvm_xen_inject_timer_irqs(): the vCPU thread's deferred delivery (KVM_RUN loop, GET_ATTR). */
import { xsrc, type Vcpu, type Xen } from './context.js';
import { setEvtchn } from './kvm_xen_set_evtchn.js';
import { warnRunningVcpu } from './kvm_xen_stop_timer.js';

const F = 'kvm_xen_inject_timer_irqs';

export function injectEntry(x: Xen, pre: string): string {
  return x.v.warnRunningVcpu ? `${pre}inject.warn` : `${pre}inject.read_pending`;
}

export function injectTimerIrqs(x: Xen, vc: Vcpu, pre: string, exit: string): void {
  const p = vc.thread;
  const n = (k: string): string => `${pre}inject.${k}`;
  if (x.v.warnRunningVcpu) warnRunningVcpu(x, vc, p, n('warn'), n('read_pending'), F);
  const exitL = p.label(exit);
  const deliverL = p.label(`${pre}inject>set_evtchn>set_evtchn_fast.read_lock`);
  p.step({
    at: n('read_pending'),
    src: xsrc(F, 'if (atomic_read(&vcpu->arch.xen.timer_pending) > 0) {'),
    run: (s) => (s[vc.pending.offset]! > 0 ? deliverL : exitL),
    access: x.acc(vc),
  });
  setEvtchn(x, vc, `${pre}inject>`, n('clear_expires'));
  p.step({ at: n('clear_expires'), next: n('clear_pending'), src: xsrc(F, 'vcpu->arch.xen.timer_expires = 0;'), run: (s) => void (s[vc.expires.offset] = 0), access: x.acc(vc) });
  p.step({ at: n('clear_pending'), next: exit, src: xsrc(F, 'atomic_set(&vcpu->arch.xen.timer_pending, 0);'), run: (s) => void (s[vc.pending.offset] = 0), access: x.acc(vc) });
  x.coverAt('inject.delivers', 'kvm_xen_inject_timer_irqs finds timer_pending > 0 and delivers', xsrc(F, 'kvm_xen_set_evtchn(&e, vcpu->kvm);'), p, `${pre}inject>set_evtchn>set_evtchn_fast.read_lock`);
}
