/**
 * xen_timer_callback(): run by the hrtimer in hard-irq context (the vCPU's timer handler process),
 * or called directly by kvm_xen_start_timer() in task context when delta_ns <= 0 (inlined into
 * the vCPU thread). Three versions: baseline (always defer), 2022 fast path, v2/v3 fast path.
 */
import type { Field } from '../../src/engine/schema.js';
import type { Proc } from '../../src/kernel/index.js';
import { RC, xsrc, type Vcpu, type Xen } from './context.js';
import { setEvtchnFast } from './kvm_xen_set_evtchn.js';

const F = 'xen_timer_callback';

/**
 * Emit the callback's steps for executor `p` starting at `${pre}callback.read_pending`, ending at
 * `exit` (for the hrtimer: the `return HRTIMER_NORESTART` step). `genField` names the arm the
 * delivery is for (ghost). Returning because timer_pending is already set needs no ghost
 * bookkeeping: this arm expired as the callback started, so the pending delivery serves it when it
 * sets the port bit, or already did if the bit was set then (Xen.raise, expireAt).
 */
export function xenTimerCallback(x: Xen, vc: Vcpu, p: Proc, pre: string, exit: string, rcField: Field, genField: Field): void {
  const n = (k: string): string => `${pre}callback.${k}`;
  const v = x.v;
  const exitL = p.label(exit);
  const pend = vc.pending.offset;
  const rc = rcField.offset;
  const afterCheck = v.callback === 'defer' ? n('atomic_inc') : `${pre}callback>set_evtchn_fast.read_lock`;
  const afterL = p.label(afterCheck);
  p.step({
    at: n('read_pending'),
    src: xsrc(F, 'if (atomic_read(&vcpu->arch.xen.timer_pending)) return HRTIMER_NORESTART;'),
    run: (s) => (s[pend]! > 0 ? exitL : afterL),
    access: x.acc(vc),
  });
  x.coverAt('callback.already_pending', 'xen_timer_callback finds timer_pending already set and returns', xsrc(F, 'if (atomic_read(&vcpu->arch.xen.timer_pending)) return HRTIMER_NORESTART;'), p, n('read_pending'), (s) => s[pend]! > 0);
  if (v.callback !== 'defer') {
    const incL = p.label(n('atomic_inc'));
    const clearL = v.callback === 'fast-v2' ? p.label(n('clear_expires')) : exitL;
    setEvtchnFast(x, vc, p, `${pre}callback>`, rcField, genField, (s) => (s[rc] === RC.EWOULDBLOCK ? incL : clearL), { mutantNoBit: v.mutantFastPathNoBit });
    x.coverAt('callback.fast_path_delivered', 'xen_timer_callback delivers through kvm_xen_set_evtchn_fast (rc != -EWOULDBLOCK)', xsrc(F, 'rc = kvm_xen_set_evtchn_fast(&e, vcpu->kvm);'), p, `${pre}callback>set_evtchn_fast.out_unlock`, (s) => s[rc] !== RC.EWOULDBLOCK);
    x.coverAt('callback.fast_path_deferred', 'xen_timer_callback falls back to deferred delivery (-EWOULDBLOCK)', xsrc(F, 'if (rc == -EWOULDBLOCK) {'), p, n('atomic_inc'));
    if (v.callback === 'fast-v2') {
      p.step({ at: n('clear_expires'), next: exit, src: xsrc(F, '} else { vcpu->arch.xen.timer_expires = 0; }'), run: (s) => void (s[vc.expires.offset] = 0), access: x.acc(vc) });
    }
  }
  p.step({
    at: n('atomic_inc'),
    next: n('kick'),
    src: xsrc(F, 'atomic_inc(&vcpu->arch.xen.timer_pending);'),
    run: (s) => {
      if (v.mutantNoPendingInc) return; // test mutation: the increment is lost
      s[pend]!++;
    },
    access: x.acc(vc),
  });
  p.step({
    at: n('kick'),
    next: exit,
    src: xsrc(F, 'kvm_make_request(KVM_REQ_UNBLOCK, vcpu); kvm_vcpu_kick(vcpu);'),
    run: (s) => vc.st.kick(s),
    access: x.acc(vc),
  });
}

/** The hrtimer's callback process: fire -> callback code -> return HRTIMER_NORESTART. */
export function timerCallbackProcess(x: Xen, vc: Vcpu): void {
  xenTimerCallback(x, vc, vc.cb, '', 'callback.return', vc.cbRc, vc.cbGen);
  vc.timer.callbackReturn('callback.return', xsrc(F, 'return HRTIMER_NORESTART;'));
}
