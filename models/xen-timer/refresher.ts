/**
 * Another task-context caller of kvm_gpc_refresh() on the shared_info cache (optional actor,
 * parameter `refresher`): a kvm_xen_set_evtchn() for another port whose fast path failed (an
 * irqfd / KVM_XEN_HVM_EVTCHN_SEND / another vCPU's event), or the VMM setting
 * KVM_XEN_ATTR_TYPE_SHARED_INFO again. Up to 6.8 every such path holds kvm->arch.xen.xen_lock
 * around the refresh, so this actor does too: `mutex_lock(&xen_lock); kvm_gpc_refresh(gpc,
 * PAGE_SIZE); mutex_unlock(&xen_lock);`. Since 6.9 (variants with slowPath 'refresh-loop') the
 * slow path, the commonest such caller, refreshes without xen_lock, and so does this actor. It starts only while the cache is invalid (a caller refreshes after a
 * failed kvm_gpc_check), so it runs at most as often as the MMU notifier invalidates.
 *
 * Without it, only the vCPU's own kvm_xen_set_evtchn() slow path ever re-validates shared_info,
 * which is kinder than the kernel in one way (nothing else can make a deferred timer deliverable
 * by the fast path again) and harsher in another; with it, e.g. GET_ATTR's flush can find the
 * cache valid again after the callback deferred.
 */
import { xsrc, type Xen } from './context.js';

const F = 'kvm_xen_set_evtchn';

export function refresher(x: Xen): void {
  const p = x.refresher!;
  const sh = x.shinfo;
  if (x.v.slowPath === 'refresh-loop') {
    // since 6.9 kvm_xen_set_evtchn's slow path refreshes without xen_lock (the cache serialises
    // refreshes on its own refresh_lock, inside kvm_gpc_refresh)
    p.step({
      at: 'idle',
      id: `${p.name}:gpc_check_failed`,
      next: 'refresh',
      src: xsrc(F, 'rc = kvm_xen_set_evtchn_fast(xe, kvm); if (rc != -EWOULDBLOCK) break; /* another caller: kvm_gpc_check(shinfo_cache) failed */'),
      guard: (s) => !sh.valid(s),
      access: { reads: [sh.validField] },
    });
    sh.refresh(p, 'refresh', 'idle', xsrc(F, 'idx = srcu_read_lock(&kvm->srcu); rc = kvm_gpc_refresh(gpc, PAGE_SIZE); srcu_read_unlock(&kvm->srcu, idx); /* shinfo_cache, another caller */'), undefined, { returns: F });
    return;
  }
  // one step: the caller's failed kvm_gpc_check and its mutex_lock(&xen_lock)
  x.xenLock.lock(p, 'idle', 'refresh', xsrc(F, 'mutex_lock(&kvm->arch.xen.xen_lock); /* another caller: kvm_gpc_check(shinfo_cache) failed */'), {
    id: `${p.name}:xen_lock`,
    guard: (s) => !sh.valid(s),
    access: { reads: [sh.validField] },
  });
  sh.refresh(p, 'refresh', 'xen_unlock', xsrc(F, 'rc = kvm_gpc_refresh(gpc, PAGE_SIZE); /* shinfo_cache, another caller */'));
  x.xenLock.unlock(p, 'xen_unlock', 'idle', xsrc(F, 'mutex_unlock(&kvm->arch.xen.xen_lock); /* another caller */'), { returns: F });
}
