/**
 * KVM_XEN_VCPU_GET_ATTR / SET_ATTR for KVM_XEN_VCPU_ATTR_TYPE_TIMER, from the VMM thread with
 * the vCPU loaded (vcpu->mutex held by kvm_vcpu_ioctl) and kvm->arch.xen.xen_lock held around
 * the whole attribute switch.
 */
import { PROP, xsrc, type Vcpu, type Xen } from './context.js';
import { injectEntry, injectTimerIrqs } from './kvm_xen_inject_timer_irqs.js';
import { startTimer, startTimerEntry } from './kvm_xen_start_timer.js';
import { stopTimer, stopTimerEntry } from './kvm_xen_stop_timer.js';

const G = 'kvm_xen_vcpu_get_attr';
const S = 'kvm_xen_vcpu_set_attr';

/** The first label of GET_ATTR(TIMER) after the ioctl entry. */
export function getAttrEntry(x: Xen): string {
  if (x.v.flushOutsideXenLock && x.v.getAttr !== 'read') return 'get_attr.check_expires';
  return 'get_attr.xen_lock';
}

/**
 * GET_ATTR(TIMER) body: from getAttrEntry() to `exit` (xen_lock released). The timer flush
 * (`if (timer_expires) { cancel; inject }`) runs under xen_lock as in the patch, or before taking
 * it when the variant says so (the proposed fix).
 */
export function getAttr(x: Xen, vc: Vcpu, exit: string): void {
  const p = vc.thread;
  const v = x.v;
  const n = (k: string): string => `get_attr.${k}`;
  const exp = vc.expires.offset;
  const gp = vc.getPending.offset;
  const flushes = v.getAttr !== 'read';
  const outside = flushes && v.flushOutsideXenLock;
  // where the flush ends, and what follows taking xen_lock
  const afterFlush = outside ? n('xen_lock') : n('read');
  const afterLock = flushes && !outside ? n('check_expires') : n('read');
  x.xenLock.lock(p, n('xen_lock'), afterLock, xsrc(G, 'mutex_lock(&vcpu->kvm->arch.xen.xen_lock);'));
  const unlock = n('xen_unlock');
  if (flushes) {
    const cancel = v.getAttr === 'v2-no-cancel' ? injectEntry(x, 'get_attr>') : n('hrtimer_cancel');
    const cancelL = p.label(cancel);
    const skipL = p.label(afterFlush);
    p.step({
      at: n('check_expires'),
      src: xsrc(G, 'if (vcpu->arch.xen.timer_expires) {'),
      run: (s) => (s[exp] ? cancelL : skipL),
      access: x.acc(vc),
    });
    if (v.getAttr !== 'v2-no-cancel') {
      vc.timer.cancel(p, n('hrtimer_cancel'), injectEntry(x, 'get_attr>'), xsrc(G, v.getAttr === 'v2' ? 'pending = hrtimer_cancel(&vcpu->arch.xen.timer);' : 'hrtimer_cancel(&vcpu->arch.xen.timer);'), (s, ret) => {
        if (v.getAttr === 'v2') s[gp] = ret;
      }, x.acc(vc));
    }
    injectTimerIrqs(x, vc, 'get_attr>', afterFlush);
    x.coverAt('get_attr.timer_set', 'GET_ATTR(TIMER) finds timer_expires set and flushes the timer', xsrc(G, 'if (vcpu->arch.xen.timer_expires) {'), p, cancel);
    // the flush's kvm_xen_set_evtchn() returned: the deferred event was delivered by GET_ATTR
    x.coverAt('get_attr.flush_delivered', 'GET_ATTR(TIMER)\'s flush delivers the deferred event (kvm_xen_inject_timer_irqs -> kvm_xen_set_evtchn returns)', xsrc('kvm_xen_inject_timer_irqs', 'kvm_xen_set_evtchn(&e, vcpu->kvm);'), p, 'get_attr>inject.clear_expires');
  }
  const restartL = p.label(n('restart'));
  const unlockL = p.label(unlock);
  p.step({
    at: n('read'),
    src: xsrc(G, 'data->u.timer.expires_ns = vcpu->arch.xen.timer_expires;'),
    run: (s, ctx) => {
      // the snapshot feeds migration: it must not say "no timer" while an event is still owed.
      // Owed means: not served, and the port bit (shared_info, guest memory, which migrates) not
      // set since the arm expired — a bit set now while the arm has expired was set at a moment
      // after the expiry. An upcall still waiting in the in-kernel evtchn_pending_sel belongs to
      // the event channel's migration, not the timer's (FINDINGS, what the model leaves out)
      const raisedSinceExpiry = s[vc.expired.offset] === 1 && s[vc.portBit.offset] === 1;
      if (!s[exp] && s[vc.gen.offset]! > s[vc.dead.offset]! && !s[vc.served.offset] && !raisedSinceExpiry) {
        ctx.fail(PROP.snapshot, `GET_ATTR(TIMER) snapshot has expires_ns = 0 while arm #${s[vc.gen.offset]} is owed and not served`);
      }
      // the seed's comment: the flush leaves the timer "either being pending, or fully delivered.
      // Not still lurking in the timer_pending flag". Only timer_pending is required: a callback
      // may still be running on another CPU (v2's is between timer_expires = 0 and its return),
      // which is neither pending delivery nor lurking in the flag
      if (s[vc.pending.offset]! > 0) {
        ctx.fail(PROP.consistent, `GET_ATTR(TIMER) reads the timer state while timer_pending = ${s[vc.pending.offset]} (a delivery still deferred)`);
      }
      if (v.getAttr === 'v2') return s[gp] ? restartL : unlockL;
      if (v.getAttr === 'v3') return s[exp] ? restartL : unlockL;
      return unlockL;
    },
    access: x.acc(vc, [], [PROP.snapshot, PROP.consistent]),
  });
  if (v.getAttr === 'v2' || v.getAttr === 'v3') {
    vc.timer.start(p, n('restart'), unlock, xsrc(G, v.getAttr === 'v2' ? 'if (pending) hrtimer_start_expires(&vcpu->arch.xen.timer, HRTIMER_MODE_ABS_HARD);' : 'if (vcpu->arch.xen.timer_expires) hrtimer_start_expires(&vcpu->arch.xen.timer, HRTIMER_MODE_ABS_HARD);'), (s) => {
      s[gp] = 0;
    }, x.acc(vc));
    x.coverAt('get_attr.restart', 'GET_ATTR(TIMER) restarts the cancelled timer', xsrc(G, 'hrtimer_start_expires(&vcpu->arch.xen.timer, HRTIMER_MODE_ABS_HARD);'), p, n('restart'));
  }
  x.xenLock.unlock(p, unlock, exit, xsrc(G, 'mutex_unlock(&vcpu->kvm->arch.xen.xen_lock);'));
}

/** SET_ATTR(TIMER) body: from `set_attr.xen_lock` to `exit`. Data chosen at the ioctl entry. */
export function setAttr(x: Xen, vc: Vcpu, exit: string): void {
  const p = vc.thread;
  const n = (k: string): string => `set_attr.${k}`;
  x.xenLock.lock(p, n('xen_lock'), stopTimerEntry(x, 'set_attr>'), xsrc(S, 'mutex_lock(&vcpu->kvm->arch.xen.xen_lock);'));
  stopTimer(x, vc, 'set_attr>', n('set_virq'));
  const startL = p.label(startTimerEntry(x, 'set_attr>'));
  const unlockL = p.label(n('xen_unlock'));
  p.step({
    at: n('set_virq'),
    src: xsrc(S, `vcpu->arch.xen.timer_virq = data->u.timer.port; if (data->u.timer.port && data->u.timer.expires_ns) kvm_xen_start_timer(${x.v.startTimerApi === 'linux_wa' ? 'vcpu, data->u.timer.expires_ns, false' : 'vcpu, data->u.timer.expires_ns, data->u.timer.expires_ns - get_kvmclock_ns(vcpu->kvm)'});`),
    run: (s) => {
      s[vc.virq.offset] = s[vc.saPort.offset]!;
      if (s[vc.saPort.offset] && s[vc.saExp.offset]) {
        x.newArm(s, vc);
        return startL;
      }
      return unlockL;
    },
    access: x.acc(vc),
  });
  startTimer(x, vc, 'set_attr>', n('xen_unlock'));
  x.xenLock.unlock(p, n('xen_unlock'), exit, xsrc(S, 'mutex_unlock(&vcpu->kvm->arch.xen.xen_lock);'));
}
