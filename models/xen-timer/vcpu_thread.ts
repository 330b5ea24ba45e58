/**
 * The vCPU thread: a nondeterministic script of at most K operations (hypercalls arming with
 * delta > 0 or <= 0 and stopping, KVM_RUN loop iterations, the guest acknowledging the event,
 * GET_ATTR and SET_ATTR from the VMM), optionally ended by teardown. Once the K operations are
 * spent, the vCPU is halted in KVM_RUN and runs one more loop iteration each time it is kicked
 * (KVM_REQ_UNBLOCK), so a deferred event is still delivered.
 */
import type { SourceRef, StepCtx } from '../../src/engine/model.js';
import { xsrc, type Vcpu, type Xen } from './context.js';
import { destroyVcpu } from './kvm_xen_destroy_vcpu.js';
import { injectPendingEvents } from './kvm_xen_inject_pending_events.js';
import { injectEntry, injectTimerIrqs } from './kvm_xen_inject_timer_irqs.js';
import { startTimer, startTimerEntry } from './kvm_xen_start_timer.js';
import { stopTimer, stopTimerEntry } from './kvm_xen_stop_timer.js';
import { getAttr, getAttrEntry, setAttr } from './kvm_xen_vcpu_attr.js';

const KVM_C = 'arch/x86/kvm/x86.c';

/** The vCPU thread of `vc`: one builder per path, in this order (the steps' order is the search order). */
export function vcpuThread(x: Xen, vc: Vcpu): void {
  const t = threadParts(x, vc);
  hypercalls(x, vc, t);
  kvmRun(x, vc, t);
  guestAck(x, vc, t);
  getAttrIoctl(x, vc, t);
  setAttrIoctl(x, vc, t);
  teardown(x, vc, t);
}

/** What every path of the thread uses: its process, field offsets, the script budget, and the ioctl / hypercall entry and return. */
interface ThreadParts {
  readonly p: Vcpu['thread'];
  readonly o: Readonly<Record<'ops' | 'virq' | 'delta' | 'loaded' | 'req' | 'port' | 'upcall' | 'unseen' | 'gen' | 'dead' | 'saPort' | 'saExp', number>>;
  readonly canSpend: (s: Uint8Array) => boolean;
  readonly IOCTL: (line: string) => SourceRef;
  readonly enter: (id: string, next: string, src: SourceRef, guard: (s: Uint8Array) => boolean, run: (s: Uint8Array, ctx: StepCtx) => void, spends?: boolean) => void;
  readonly leave: (at: string, run?: (s: Uint8Array) => void, src?: SourceRef) => void;
}

function threadParts(x: Xen, vc: Vcpu): ThreadParts {
  const p = vc.thread;
  const K = x.p.ops;
  const o = {
    ops: vc.ops.offset,
    virq: vc.virq.offset,
    delta: vc.delta.offset,
    loaded: vc.st.loaded.offset,
    req: vc.st.reqUnblock.offset,
    port: vc.portBit.offset,
    upcall: vc.viSel.offset,
    unseen: vc.unseen.offset,
    gen: vc.gen.offset,
    dead: vc.dead.offset,
    saPort: vc.saPort.offset,
    saExp: vc.saExp.offset,
  };
  const m = vc.mutex;
  const canSpend = (s: Uint8Array): boolean => s[o.ops]! < K;
  const IOCTL = (line: string): SourceRef => xsrc('kvm_vcpu_ioctl', `mutex_lock(&vcpu->mutex); vcpu_load(vcpu); /* ${line} */`, 'virt/kvm/kvm_main.c');
  const IOCTL_RET = xsrc('kvm_vcpu_ioctl', 'vcpu_put(vcpu); mutex_unlock(&vcpu->mutex);', 'virt/kvm/kvm_main.c');
  /** An ioctl / KVM_RUN / hypercall entry from `idle`: takes vcpu->mutex, loads the vCPU, spends one operation. */
  const enter = (id: string, next: string, src: SourceRef, guard: (s: Uint8Array) => boolean, run: (s: Uint8Array, ctx: StepCtx) => void, spends = true): void => {
    m.lock(p, 'idle', next, src, {
      id: `${p.name}:${id}`,
      guard,
      run: (s, ctx) => {
        if (spends) s[o.ops]!++;
        s[o.loaded] = 1;
        run(s, ctx);
      },
      access: x.acc(vc),
    });
  };
  const leave = (at: string, run?: (s: Uint8Array) => void, src: SourceRef = IOCTL_RET): void => {
    m.unlock(p, at, 'idle', src, {
      returns: src.func, // the ioctl or hypercall returns: kernel.lock-held-on-return
      run: (s) => {
        s[o.loaded] = 0;
        run?.(s);
      },
      access: x.acc(vc),
    });
  };
  return { p, o, canSpend, IOCTL, enter, leave };
}

/** The guest's timer hypercalls (inside KVM_RUN). */
function hypercalls(x: Xen, vc: Vcpu, t: ThreadParts): void {
  const { p, o, canSpend, enter, leave } = t;
  // guest hypercalls: set_timer_op(timeout) / VCPUOP_{set,stop}_singleshot_timer. They run inside
  // KVM_RUN (vcpu->mutex held and the vCPU loaded by that ioctl, vcpu_run -> VM exit ->
  // kvm_emulate_hypercall -> kvm_xen_hypercall); the model takes and drops vcpu->mutex around each
  // operation of the script instead of across the whole KVM_RUN, which changes no interleaving
  // with one thread per vCPU (FINDINGS, what the model leaves out)
  const HCALL = (line: string): SourceRef => xsrc('kvm_xen_hcall_set_timer_op', `if (vcpu->arch.xen.timer_virq == 0) return false; ${line} /* from kvm_xen_hypercall(), inside KVM_RUN */`);
  const HCALL_RET = xsrc('kvm_xen_hypercall', 'return kvm_xen_hypercall_set_result(vcpu, r); /* back into the guest; the operation ends (vcpu_put, vcpu->mutex dropped in the model) */');
  const arm = (delta: 0 | 1) => (s: Uint8Array): void => {
    s[o.delta] = delta;
    x.newArm(s, vc);
  };
  const hcallOk = (s: Uint8Array): boolean => canSpend(s) && s[o.virq] === 1;
  // since 6.9 (451a707813ae) start_timer computes delta itself, with the Linux workaround on
  const startCall = x.v.startTimerApi === 'linux_wa' ? 'if (timeout) { kvm_xen_start_timer(vcpu, timeout, true); }' : 'if (timeout) { delta = timeout - guest_now; kvm_xen_start_timer(vcpu, timeout, delta); }';
  enter('hcall.set_timer_op(future)', startTimerEntry(x, 'hcall>'), HCALL(`${startCall} /* delta > 0 */`), hcallOk, arm(0));
  enter('hcall.set_timer_op(expired)', startTimerEntry(x, 'hcall>'), HCALL(`${startCall} /* delta <= 0 */`), hcallOk, arm(1));
  startTimer(x, vc, 'hcall>', 'hcall_arm.return');
  // the re-arm has returned to the guest: every earlier arm is superseded
  leave('hcall_arm.return', (s) => void (s[o.dead] = s[o.gen]! - 1), HCALL_RET);
  enter('hcall.set_timer_op(0)', stopTimerEntry(x, 'hcall>'), HCALL('} else { kvm_xen_stop_timer(vcpu); } /* timeout == 0 */'), hcallOk, () => {});
  stopTimer(x, vc, 'hcall>', 'hcall_stop.return');
  leave('hcall_stop.return', (s) => void (s[o.dead] = s[o.gen]!), HCALL_RET);
}

/** A KVM_RUN loop iteration: pending events, then the pending timer, back into the guest. */
function kvmRun(x: Xen, vc: Vcpu, t: ThreadParts): void {
  const { p, o, canSpend, IOCTL, enter, leave } = t;
  // KVM_RUN loop iteration: an operation of the script; once the script is spent, the halted
  // vCPU still runs one iteration each time it is kicked (not counted as an operation)
  const checkRequest = (s: Uint8Array): void => void (s[o.req] = 0); // kvm_check_request(KVM_REQ_UNBLOCK, vcpu)
  enter('KVM_RUN', 'run.has_pending_events', IOCTL('KVM_RUN: a vcpu_run() loop iteration, kvm_clear_request(KVM_REQ_UNBLOCK, vcpu)'), canSpend, checkRequest);
  enter('KVM_RUN(kicked)', 'run.has_pending_events', IOCTL('KVM_RUN: halted vCPU woken by KVM_REQ_UNBLOCK, kvm_clear_request(KVM_REQ_UNBLOCK, vcpu)'), (s) => !canSpend(s) && s[o.req] === 1, checkRequest, false);
  const injL = p.label(injectEntry(x, 'run>'));
  const runRetL = p.label('run.return');
  const eventsL = p.label('run>inject_events_lock');
  const timerL = p.label('run.has_pending_timer');
  p.step({
    at: 'run.has_pending_events',
    src: xsrc('vcpu_run', 'if (kvm_xen_has_pending_events(vcpu)) kvm_xen_inject_pending_events(vcpu); /* !!READ_ONCE(vcpu->arch.xen.evtchn_pending_sel) */', KVM_C),
    run: (s) => (s[vc.shadowSel.offset] === 1 ? eventsL : timerL),
    access: x.acc(vc),
  });
  injectPendingEvents(x, vc, 'run>', 'run.has_pending_timer');
  p.step({
    at: 'run.has_pending_timer',
    src: xsrc('vcpu_run', 'if (kvm_cpu_has_pending_timer(vcpu)) kvm_inject_pending_timer_irqs(vcpu); /* kvm_xen_has_pending_timer(): atomic_read(&vcpu->arch.xen.timer_pending); -> kvm_xen_inject_timer_irqs(vcpu) */', KVM_C),
    run: (s) => (s[vc.pending.offset]! > 0 ? injL : runRetL),
    access: x.acc(vc),
  });
  injectTimerIrqs(x, vc, 'run>', 'run.return');
  // back into the guest: it sees whatever upcall is pending in its vcpu_info (ghost: nothing
  // unseen, unless a bit still waits in the in-kernel copy — then a kick must follow)
  leave('run.return', (s) => {
    if (s[vc.shadowSel.offset] === 0) s[vc.unseen.offset] = 0;
  });
}

/** The guest acknowledging the timer event. */
function guestAck(x: Xen, vc: Vcpu, t: ThreadParts): void {
  const { p, o, canSpend } = t;
  // the guest consumes the timer event
  p.step({
    at: 'idle',
    id: `${p.name}:guest.ack_event`,
    next: 'idle',
    src: xsrc('guest', 'vcpu_info->evtchn_upcall_pending = 0; xchg(&vcpu_info->evtchn_pending_sel, 0); sync_clear_bit(port, shared_info->evtchn_pending); /* the guest\'s upcall handler handles every pending port of the word, the timer VIRQ among them */', 'guest'),
    guard: (s) => canSpend(s) && s[o.upcall] === 1,
    run: (s) => {
      s[o.ops]!++;
      s[o.port] = 0;
      s[o.upcall] = 0;
      s[o.unseen] = 0;
      s[vc.otherPort.offset] = 0; // the handler scans the whole word
    },
    access: x.acc(vc),
  });
}

/** The VMM's KVM_XEN_VCPU_GET_ATTR(TIMER) ioctl. */
function getAttrIoctl(x: Xen, vc: Vcpu, t: ThreadParts): void {
  const { canSpend, IOCTL, enter, leave } = t;
  // VMM: GET_ATTR(TIMER) (migration save)
  enter('ioctl.GET_ATTR(TIMER)', getAttrEntry(x), IOCTL('KVM_XEN_VCPU_GET_ATTR(TIMER)'), canSpend, () => {});
  getAttr(x, vc, 'get_attr.return');
  leave('get_attr.return');
}

/** The VMM's KVM_XEN_VCPU_SET_ATTR(TIMER) ioctl, for each kind of value. */
function setAttrIoctl(x: Xen, vc: Vcpu, t: ThreadParts): void {
  const { o, canSpend, IOCTL, enter, leave } = t;
  // VMM: SET_ATTR(TIMER) (restore, or arbitrary port / expiry)
  const setAttrData: [string, number, number, number][] = [
    ['port=0', 0, 0, 0],
    ['port, expires=0', 1, 0, 0],
    ['port, expires in the future', 1, 1, 0],
    ['port, expires in the past', 1, 1, 1],
  ];
  for (const [label, port, exp, delta] of setAttrData) {
    enter(`ioctl.SET_ATTR(TIMER ${label})`, 'set_attr.xen_lock', IOCTL(`KVM_XEN_VCPU_SET_ATTR(TIMER) ${label}`), canSpend, (s) => {
      s[o.saPort] = port;
      s[o.saExp] = exp;
      s[o.delta] = delta;
    });
  }
  setAttr(x, vc, 'set_attr.return');
  leave('set_attr.return', (s) => {
    const started = s[o.saPort] && s[o.saExp];
    s[o.dead] = started ? s[o.gen]! - 1 : s[o.gen]!;
    s[o.saPort] = 0;
    s[o.saExp] = 0;
    s[o.delta] = 0;
  });
}

/** Teardown: the VM destroys the vCPU. */
function teardown(x: Xen, vc: Vcpu, t: ThreadParts): void {
  const { p } = t;
  // teardown (VM destruction, vCPU not loaded)
  p.step({
    at: 'idle',
    id: `${p.name}:teardown`,
    next: 'destroy.check_enabled',
    src: xsrc('kvm_arch_vcpu_destroy', 'kvm_xen_destroy_vcpu(vcpu);', KVM_C),
  });
  destroyVcpu(x, vc);
}
