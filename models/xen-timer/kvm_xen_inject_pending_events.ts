/**
 * kvm_xen_inject_pending_events(): the vCPU thread copies the event bits that kvm_xen_set_evtchn_fast
 * could only set in the in-kernel evtchn_pending_sel (its vcpu_info cache was invalid, or — trylock
 * variants — its lock contended) into the guest's vcpu_info and raises the upcall. Called from the
 * KVM_RUN loop (`if (kvm_xen_has_pending_events(vcpu))`), before the pending-timer check.
 */
import { readValidated } from '../../src/kernel/index.js';
import { xsrc, type Vcpu, type Xen } from './context.js';

const F = 'kvm_xen_inject_pending_events';

/** From `${pre}inject_events_lock` to `exit`. */
export function injectPendingEvents(x: Xen, vc: Vcpu, pre: string, exit: string): void {
  const p = vc.thread;
  const sel = vc.shadowSel.offset;
  readValidated(vc.vcpuInfo, p, `${pre}inject_events`, exit, {
    lock: xsrc(F, 'unsigned long evtchn_pending_sel = READ_ONCE(vcpu->arch.xen.evtchn_pending_sel); read_lock_irqsave(&gpc->lock, flags); /* vcpu_info_cache */'),
    check: xsrc(F, 'while (!kvm_gpc_check(gpc, sizeof(struct vcpu_info))) {'),
    unlock: xsrc(F, 'read_unlock_irqrestore(&gpc->lock, flags);'),
    refresh: xsrc(F, 'if (kvm_gpc_refresh(gpc, sizeof(struct vcpu_info))) return; read_lock_irqsave(&gpc->lock, flags); }'),
    read: xsrc(F, 'vi->evtchn_pending_sel |= evtchn_pending_sel; WRITE_ONCE(vi->evtchn_upcall_pending, 1); atomic_long_andnot(evtchn_pending_sel, &vcpu->arch.xen.evtchn_pending_sel); read_unlock_irqrestore(&gpc->lock, flags);'),
  }, (s) => {
    if (s[sel] === 0) return;
    s[sel] = 0;
    x.notifyGuest(s, vc);
  }, x.acc(vc));
  // reachable only if the vcpu_info cache can be invalidated (M' > 0): no cover to miss otherwise
  if (x.p.vcpuInfoInvalidations === 0) return;
  x.coverAt('inject_events.copies', 'kvm_xen_inject_pending_events copies the in-kernel evtchn_pending_sel into vcpu_info', xsrc(F, 'WRITE_ONCE(vi->evtchn_upcall_pending, 1);'), p, `${pre}inject_events_read`);
  x.coverAt('inject_events.refresh', 'kvm_xen_inject_pending_events refreshes the vcpu_info cache', xsrc(F, 'if (kvm_gpc_refresh(gpc, sizeof(struct vcpu_info))) return;'), p, `${pre}inject_events_refresh`);
}
