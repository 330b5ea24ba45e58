/** The guest-visible contract (kernel-semantics.md) and the code's own WARN_ON_ONCEs, as properties. */
import type { Property } from '../../src/engine/model.js';
import { PROP, xsrc, type Xen } from './context.js';

export function contractProperties(x: Xen): Property[] {
  const vcs = x.vcpus;
  return [
    {
      kind: 'assert',
      id: PROP.warn,
      description: 'WARN_ON_ONCE(vcpu != kvm_get_running_vcpu()) in inject / start_timer / stop_timer never fires',
      source: [xsrc('kvm_xen_start_timer', 'WARN_ON_ONCE(vcpu != kvm_get_running_vcpu());')],
    },
    {
      kind: 'terminal',
      id: PROP.lost,
      description: 'a timer the guest armed and did not stop or replace raises its event channel (checked when everything has settled)',
      source: [xsrc('xen_timer_callback', 'rc = kvm_xen_set_evtchn_fast(&e, vcpu->kvm);'), xsrc('kvm_xen_inject_timer_irqs', 'kvm_xen_set_evtchn(&e, vcpu->kvm);')],
      check: (s) => vcs.every((vc) => s[vc.tornDown.offset] === 1 || s[vc.gen.offset]! <= s[vc.dead.offset]! || s[vc.raised.offset] === 1),
    },
    {
      kind: 'assert',
      id: PROP.stale,
      description: 'no event is newly raised for a timer after the stop / re-arm that superseded it returned',
      source: [xsrc('kvm_xen_set_evtchn_fast', 'test_and_set_bit(xe->port, (unsigned long *)shinfo->evtchn_pending)')],
    },
    {
      kind: 'always',
      id: PROP.truthful,
      description: 'whenever the vCPU thread and the callback are idle, timer_expires != 0 exactly when a timer is enqueued or its delivery is pending',
      source: [xsrc('xen_timer_callback', 'vcpu->arch.xen.timer_expires = 0;'), xsrc('kvm_xen_inject_timer_irqs', 'vcpu->arch.xen.timer_expires = 0;')],
      check: (s) =>
        vcs.every((vc) => {
          if (!vc.thread.isIdle(s) || !vc.cb.isIdle(s)) return true;
          const armed = s[vc.timer.enqueued.offset] === 1 || s[vc.pending.offset]! > 0;
          return armed === (s[vc.expires.offset] === 1);
        }),
    },
    {
      kind: 'assert',
      id: PROP.snapshot,
      description: 'GET_ATTR(TIMER) never snapshots expires_ns = 0 while an event is owed and not yet raised (migration would lose it)',
      source: [xsrc('kvm_xen_vcpu_get_attr', 'data->u.timer.expires_ns = vcpu->arch.xen.timer_expires;')],
    },
    {
      kind: 'always',
      id: PROP.teardown,
      description: 'after kvm_xen_destroy_vcpu returned, the timer is neither enqueued nor running its callback',
      source: [xsrc('kvm_xen_destroy_vcpu', 'hrtimer_cancel(&vcpu->arch.xen.timer);')],
      check: (s) => vcs.every((vc) => s[vc.tornDown.offset] === 0 || (s[vc.timer.enqueued.offset] === 0 && vc.cb.isIdle(s))),
    },
  ];
}
