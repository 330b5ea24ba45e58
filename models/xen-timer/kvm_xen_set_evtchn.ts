/**
 * kvm_xen_set_evtchn_fast() (any context) and kvm_xen_set_evtchn() (task context, may sleep),
 * xen-timer-code.md section 5, for the timer port of one vCPU (or, for the VMM sender actor,
 * another port of it in the same evtchn_pending_sel word). Inlined at each call site: the
 * labels carry the call path (`<pre>set_evtchn_fast.read_lock`), the exit is the caller's.
 *
 * The guest never masks the timer port in this model, so the -ENOTCONN branch is not modelled.
 */
import type { Field } from '../../src/engine/schema.js';
import type { Proc } from '../../src/kernel/index.js';
import { PROP, RC, xsrc, type Vcpu, type Xen } from './context.js';

const F = 'kvm_xen_set_evtchn_fast';

/**
 * Which event a call delivers: the timer port for the arm in a ghost field, the timer port for
 * inject's deferred delivery (`null`, see Xen.raise), or another port of the vCPU (`'other-port'`).
 */
export type EventFor = Field | null | 'other-port';

/**
 * kvm_xen_set_evtchn_fast(&e, kvm) executed by `p`. `rcField` receives the result; `genField`
 * says which event it is (EventFor). `ret(s)` picks the label after the return.
 */
export function setEvtchnFast(x: Xen, vc: Vcpu, p: Proc, pre: string, rcField: Field, genField: EventFor, ret: (s: Uint8Array) => number, opts: { mutantNoBit?: boolean; returns?: string } = {}): void {
  const n = (k: string): string => `${pre}set_evtchn_fast.${k}`;
  const sh = x.shinfo;
  const vi = vc.vcpuInfo;
  const rc = rcField.offset;
  const other = genField === 'other-port';
  const gen = genField === null || other ? undefined : genField.offset;
  const irqsave = { irqsave: true };
  const L = {
    check: p.label(n('check_shinfo')),
    unlockOut: p.label(n('out_unlock')),
    tas: p.label(n('test_and_set_bit')),
    unlockShinfo: p.label(n('unlock_shinfo')),
  };
  const always = x.v.gpcTrylock === 'always';
  const trylock = always || (x.v.gpcTrylock === 'in-irq' && p.context === 'hardirq');
  if (trylock) {
    // never wait for gpc->lock (in interrupt context: proposed fix; anywhere: trylock branch); a
    // writer means -EWOULDBLOCK
    const rcOff = rcField.offset;
    const line = always ? 'if (!read_trylock(&gpc->lock)) { rc = -EWOULDBLOCK; goto out_rcu; } /* shinfo_cache, trylock branch */' : 'if (in_interrupt()) { if (!read_trylock(&gpc->lock)) goto out_rcu; } /* shinfo_cache, proposed */';
    sh.lock.readTrylock(p, n('read_lock'), n('check_shinfo'), n('trylock_failed'), xsrc(F, line), irqsave);
    p.step({ at: n('trylock_failed'), returns: opts.returns, src: xsrc(F, 'out_rcu: srcu_read_unlock(&kvm->srcu, idx); /* rc = -EWOULDBLOCK */'), run: (s) => {
      s[rcOff] = RC.EWOULDBLOCK;
      return ret(s);
    }, access: x.acc(vc) });
    x.coverAt('set_evtchn_fast.trylock_failed', 'kvm_xen_set_evtchn_fast\'s read_trylock on the shared_info lock fails (a writer holds it): -EWOULDBLOCK', xsrc(F, line), p, n('trylock_failed'));
  } else {
    sh.lock.readLock(p, n('read_lock'), n('check_shinfo'), xsrc(F, 'idx = srcu_read_lock(&kvm->srcu); read_lock_irqsave(&gpc->lock, flags); /* shinfo_cache */'), irqsave);
  }
  p.step({
    at: n('check_shinfo'),
    src: xsrc(F, 'if (!kvm_gpc_check(gpc, PAGE_SIZE)) goto out_rcu; /* rc = -EWOULDBLOCK */'),
    run: (s) => {
      if (!sh.valid(s)) {
        s[rc] = RC.EWOULDBLOCK;
        return L.unlockOut;
      }
      return L.tas;
    },
    access: x.acc(vc, [sh.validField]),
  });
  p.step({
    at: n('test_and_set_bit'),
    src: xsrc(F, 'if (test_and_set_bit(xe->port, (unsigned long *)shinfo->evtchn_pending)) rc = 0; else ... rc = 1;'),
    run: (s, ctx) => {
      // test mutation: report rc = 1 ("delivered") without touching the port bit
      const was = other ? x.raiseOtherPort(s, vc) : opts.mutantNoBit ? false : x.raise(s, ctx, vc, gen === undefined ? 'deferred' : s[gen]!, `${p.name} (${pre}set_evtchn_fast)`);
      if (was) {
        s[rc] = RC.ALREADY;
        return L.unlockOut;
      }
      s[rc] = RC.DELIVERED;
      return L.unlockShinfo;
    },
    access: x.acc(vc, [], [PROP.stale]),
  });
  sh.lock.readUnlock(p, n('unlock_shinfo'), n('lock_vcpu_info'), xsrc(F, 'read_unlock_irqrestore(&gpc->lock, flags); gpc = &vcpu->arch.xen.vcpu_info_cache;'), irqsave);
  if (trylock) {
    // second lock: if the vcpu_info lock is contended, treat the cache as invalid (the bit is then
    // set in-kernel in evtchn_pending_sel, which needs no gpc lock)
    const line = always ? 'if (!read_trylock(&gpc->lock)) { /* set evtchn_pending_sel in-kernel */ } /* vcpu_info_cache, trylock branch */' : 'if (in_interrupt() && !read_trylock(&gpc->lock)) { /* set evtchn_pending_sel in-kernel */ } /* vcpu_info_cache, proposed */';
    vi.lock.readTrylock(p, n('lock_vcpu_info'), n('check_vcpu_info'), n('vcpu_info_trylock_failed'), xsrc(F, line), irqsave);
    p.step({ at: n('vcpu_info_trylock_failed'), returns: opts.returns, src: xsrc(F, `if (!test_and_set_bit(port_word_bit, &vcpu->arch.xen.evtchn_pending_sel)) kick_vcpu = true; /* ${always ? 'trylock branch' : 'proposed'}; then the kick */`), run: (s) => {
      if (!x.pendInKernel(s, vc) && !x.v.mutantNoKick) vc.st.kick(s);
      return ret(s);
    }, access: x.acc(vc) });
    // a writer on the vcpu_info lock only exists if that cache can be invalidated (M' > 0)
    if (x.p.vcpuInfoInvalidations > 0) x.coverAt('set_evtchn_fast.vcpu_info_trylock_failed', 'kvm_xen_set_evtchn_fast\'s read_trylock on the vcpu_info lock fails: the bit goes to evtchn_pending_sel in-kernel', xsrc(F, line), p, n('vcpu_info_trylock_failed'));
  } else {
    vi.lock.readLock(p, n('lock_vcpu_info'), n('check_vcpu_info'), xsrc(F, 'read_lock_irqsave(&gpc->lock, flags); /* vcpu_info_cache */'), irqsave);
  }
  // the guest is notified through its vcpu_info, or the bit waits in the in-kernel copy for the
  // vCPU's kvm_xen_inject_pending_events(); either way the kick (after the unlock) happens only
  // if this call set the bit (rc DELIVERED) and not if it was already set (DELIVERED_NO_KICK)
  p.step({
    at: n('check_vcpu_info'),
    next: n('out_unlock'),
    src: xsrc(F, 'if (!kvm_gpc_check(gpc, sizeof(struct vcpu_info))) { if (!test_and_set_bit(port_word_bit, &vcpu->arch.xen.evtchn_pending_sel)) kick_vcpu = true; goto out_rcu; } if (!test_and_set_bit(port_word_bit, &vcpu_info->evtchn_pending_sel)) { WRITE_ONCE(vcpu_info->evtchn_upcall_pending, 1); kick_vcpu = true; }'),
    run: (s) => {
      const was = vi.valid(s) ? x.notifyGuest(s, vc) : x.pendInKernel(s, vc);
      if (was || x.v.mutantNoKick) s[rc] = RC.DELIVERED_NO_KICK;
    },
    access: x.acc(vc, [vi.validField]),
  });
  if (x.p.vcpuInfoInvalidations > 0) x.coverAt('set_evtchn_fast.vcpu_info_invalid', 'kvm_xen_set_evtchn_fast finds the vcpu_info cache invalid and sets evtchn_pending_sel in-kernel', xsrc(F, 'if (!kvm_gpc_check(gpc, sizeof(struct vcpu_info)))'), p, n('check_vcpu_info'), (s) => !vi.valid(s));
  // out_rcu: the read lock held is the shinfo one (rc <= 0) or the vcpu_info one (rc == 1)
  const delivered = (s: Uint8Array): boolean => s[rc] === RC.DELIVERED || s[rc] === RC.DELIVERED_NO_KICK;
  p.step({
    at: n('out_unlock'),
    returns: opts.returns,
    src: xsrc(F, 'out_rcu: read_unlock_irqrestore(&gpc->lock, flags); srcu_read_unlock(&kvm->srcu, idx); if (kick_vcpu) { kvm_make_request(KVM_REQ_UNBLOCK, vcpu); kvm_vcpu_kick(vcpu); }'),
    run: (s, ctx) => {
      (delivered(s) ? vi.lock : sh.lock).releaseRead(p, s, ctx, irqsave);
      if (s[rc] === RC.DELIVERED) vc.st.kick(s);
      return ret(s);
    },
    access: x.acc(vc, [...sh.lock.fields, ...vi.lock.fields, ...(p.irqoff ? [p.irqoff] : [])], ['kernel.bad-unlock']),
  });
  x.coverAt('set_evtchn_fast.ewouldblock', 'kvm_xen_set_evtchn_fast finds the shared_info cache invalid (-EWOULDBLOCK)', xsrc(F, 'if (!kvm_gpc_check(gpc, PAGE_SIZE)) goto out_rcu;'), p, n('out_unlock'), (s) => s[rc] === RC.EWOULDBLOCK);
  x.coverAt('set_evtchn_fast.already_pending', 'kvm_xen_set_evtchn_fast finds the port already pending (rc = 0)', xsrc(F, 'if (test_and_set_bit(xe->port, ...)) rc = 0;'), p, n('out_unlock'), (s) => s[rc] === RC.ALREADY);
}

/**
 * kvm_xen_set_evtchn(&e, kvm): the fast path, then retry + kvm_gpc_refresh until it stops failing
 * with -EWOULDBLOCK — under xen_lock up to 6.8, without it since 6.9 (7a36d680658b). Executed in
 * task context by the vCPU thread (inject, the timer port) or the VMM sender (another port).
 */
export function setEvtchn(x: Xen, vc: Vcpu, pre: string, exit: string, by: { p: Proc; rc: Field; event: EventFor; returns?: string } = { p: vc.thread, rc: vc.rc, event: null }): void {
  const p = by.p;
  const F2 = 'kvm_xen_set_evtchn';
  const n = (k: string): string => `${pre}set_evtchn.${k}`;
  const rc = by.rc.offset;
  const locked = x.v.slowPath !== 'refresh-loop';
  const retry = `${pre}set_evtchn>retry>set_evtchn_fast.read_lock`;
  const exitL = p.label(exit);
  const slowL = p.label(locked ? n('mutex_lock') : retry);
  const doneL = locked ? p.label(n('mutex_unlock')) : exitL;
  const refreshL = p.label(n('refresh'));
  // for the timer port only kvm_xen_inject_timer_irqs() calls it, for the deferred delivery
  // waiting in timer_pending (no arm id: Xen.raise judges it by the current arm)
  // `returns` (the VMM sender's ioctl): the steps after which the call may be back in user space
  // hold no lock — not the retry's under xen_lock (up to 6.8), whose return is the mutex_unlock
  setEvtchnFast(x, vc, p, `${pre}set_evtchn>`, by.rc, by.event, (s) => (s[rc] !== RC.EWOULDBLOCK ? exitL : slowL), { returns: by.returns });
  if (locked) x.xenLock.lock(p, n('mutex_lock'), retry, xsrc(F2, 'mutex_lock(&kvm->arch.xen.xen_lock);'));
  setEvtchnFast(x, vc, p, `${pre}set_evtchn>retry>`, by.rc, by.event, (s) => (s[rc] !== RC.EWOULDBLOCK ? doneL : refreshL), { returns: locked ? undefined : by.returns });
  x.shinfo.refresh(p, n('refresh'), retry, xsrc(F2, locked ? 'rc = kvm_gpc_refresh(gpc, PAGE_SIZE); } while (!rc);' : 'idx = srcu_read_lock(&kvm->srcu); rc = kvm_gpc_refresh(gpc, PAGE_SIZE); srcu_read_unlock(&kvm->srcu, idx); } while (!rc); /* no xen_lock since 7a36d680658b */'));
  if (locked) x.xenLock.unlock(p, n('mutex_unlock'), exit, xsrc(F2, 'mutex_unlock(&kvm->arch.xen.xen_lock);'), { returns: by.returns });
  if (locked) x.coverAt('set_evtchn.slow_path', 'kvm_xen_set_evtchn falls back to the slow path (takes xen_lock)', xsrc(F2, 'mutex_lock(&kvm->arch.xen.xen_lock);'), p, n('mutex_lock'));
  else x.coverAt('set_evtchn.slow_path', 'kvm_xen_set_evtchn falls back to the slow path (retry loop, no xen_lock)', xsrc(F2, 'do { rc = kvm_xen_set_evtchn_fast(xe, kvm); if (rc != -EWOULDBLOCK) break;'), p, retry);
  x.coverAt('set_evtchn.refresh', 'kvm_xen_set_evtchn re-validates the shared_info cache (kvm_gpc_refresh)', xsrc(F2, 'rc = kvm_gpc_refresh(gpc, PAGE_SIZE);'), p, n('refresh'));
}
