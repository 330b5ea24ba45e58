/**
 * The VMM as another sender (optional actor, parameter `sends`, default 0): the
 * KVM_XEN_HVM_EVTCHN_SEND ioctl delivering an event to *another* port of vCPU 0, one whose bit
 * is in the same evtchn_pending_sel word as the timer's, through the same kvm_xen_set_evtchn():
 * it contends for the shared_info and vcpu_info cache locks, takes xen_lock in its slow path up
 * to 6.8, refreshes the cache, and sets (or finds set) the word bit and the upcall that the
 * timer's notification uses too. Each send is one ioctl, at most `sends` of them.
 */
import { xsrc, type Xen } from './context.js';
import { setEvtchn } from './kvm_xen_set_evtchn.js';

export function vmmSender(x: Xen): void {
  const p = x.sender!;
  const cnt = x.sendCount!.offset;
  const max = x.p.sends;
  const vc = x.vcpus[0]!;
  p.step({
    at: 'idle',
    id: `${p.name}:KVM_XEN_HVM_EVTCHN_SEND`,
    next: 'send>set_evtchn>set_evtchn_fast.read_lock',
    src: xsrc('kvm_xen_hvm_evtchn_send', 'return kvm_xen_set_evtchn(&e, kvm); /* KVM_XEN_HVM_EVTCHN_SEND: another port of vCPU 0, same evtchn_pending_sel word */'),
    guard: (s) => s[cnt]! < max,
    run: (s) => void s[cnt]!++,
    access: { reads: [x.sendCount!], writes: [x.sendCount!] },
  });
  setEvtchn(x, vc, 'send>', 'idle', { p, rc: vc.senderRc, event: 'other-port', returns: 'kvm_arch_vm_ioctl' });
}
