/** The guest-visible contract (kernel-semantics.md) and the code's own WARN_ON_ONCEs, as properties. */
import type { Property, PropertyReads } from '../../src/engine/model.js';

import type { Lock } from '../../src/kernel/index.js';
import { compileContractParts } from './contract-compiled.js';
import { PROP, xsrc, type Vcpu, type Xen } from './context.js';

/**
 * `xen.no-lost-event` is checked in the *quiescent* states of a vCPU: those from which nothing in
 * the model can raise its timer event any more, unless the guest or the VMM first stops or
 * replaces the timer (which discharges the obligation). vCPU `vc` is quiescent when
 *
 * - its hrtimer callback is idle and the hrtimer is not enqueued (no expiry can run the callback:
 *   every `xen_timer_callback()` is either finished or never going to start), and
 * - its thread is either
 *   (a) idle, with its script of K operations spent and KVM_REQ_UNBLOCK clear: the only steps it
 *       can still take are teardown and, once kicked, a KVM_RUN iteration — and nothing can kick
 *       it (a kick comes from the callback or the thread itself). `timer_pending` is deliberately
 *       not part of this: with no kick pending, a non-zero `timer_pending` will never be looked
 *       at, so an event waiting in it is lost too; or
 *   (b) waiting for a mutex it holds itself (`kernel.recursive-lock`): it never moves again.
 * With the optional VMM sender (sender.ts), it must also be idle: a send in flight may still
 * notify the guest and kick it (a later send would not kick for a word bit already set).
 * (A thread waiting for a mutex someone else holds, or for a callback to finish, is not
 * quiescent: it moves once the other side does. Teardown is excused: after
 * kvm_xen_destroy_vcpu() the thread is at `done`, not idle, and the VM is going away.)
 *
 * Not too strict: in every such state the only steps left for this vCPU are teardown and the MMU
 * notifier's invalidations (and, in (b), not even those for the thread), none of which raises an
 * event, so an owed event not raised there is never raised. Requiring the script to be spent
 * matters: with operations left, GET_ATTR(TIMER) in v3 may re-arm the hrtimer
 * (`if (timer_expires) hrtimer_start_expires()`), which is a delivery path; a guest that is still
 * running will get to it, a guest halted waiting for its timer (the model's spent script) will not.
 * Not too lax: from any state in which an arm is owed and nothing is in flight, the thread can
 * spend its remaining operations on KVM_RUN iterations (no-ops when timer_pending is 0) and the
 * callback can finish, reaching a quiescent state with the same arm still owed; so every lost
 * event has a quiescent witness, at the price of a few extra KVM_RUN steps in the trace.
 */
export function quiescentState(x: Xen, vc: Vcpu): (s: Uint8Array) => boolean {
  const t = vc.thread;
  const K = x.p.ops;
  const o = { ops: vc.ops.offset, req: vc.st.reqUnblock.offset, enq: vc.timer.enqueued.offset, pc: t.pc.offset };
  // (b): per mutex, the thread's mutex_lock labels (held by it: only it changes that)
  const selfWait = quiescentMutexLabels(x, vc).map(({ lock, pcs }) => ({ pcs: new Set(pcs), held: (s: Uint8Array) => lock.held(s, t) }));
  const sender = x.sender;
  return (s) => {
    if (!vc.cb.isIdle(s) || s[o.enq] === 1) return false;
    // the VMM sender (optional) in the middle of a send may still notify the guest and kick it
    if (sender && !sender.isIdle(s)) return false;
    if (t.isIdle(s)) return s[o.ops] === K && s[o.req] === 0;
    for (const w of selfWait) if (w.pcs.has(s[o.pc]!) && w.held(s)) return true;
    return false;
  };
}

/**
 * The mutexes of quiescence case (b) — xen_lock, then vcpu->mutex — each with the labels of the
 * vCPU thread's mutex_lock steps on it (from the kernel library's step metadata).
 */
export function quiescentMutexLabels(x: Xen, vc: Vcpu): { lock: Lock; pcs: number[] }[] {
  return [x.xenLock, vc.mutex].map((lock) => ({
    lock,
    pcs: [...new Set(x.sys.meta.flatMap((m) => (m.proc === vc.thread && m.mayBlock === 'mutex' && m.acquires.includes(lock.cls) ? [m.at] : [])))],
  }));
}

/** A state check that each of `parts` (one per vCPU) holds; a single part is the check itself. */
function allOf(parts: readonly ((s: Uint8Array) => boolean)[]): (s: Uint8Array) => boolean {
  if (parts.length === 1) return parts[0]!;
  return (s) => {
    for (let i = 0; i < parts.length; i++) if (!parts[i]!(s)) return false;
    return true;
  };
}

/**
 * Partial-order reduction: each contract property is a conjunction over the vCPUs of a part that
 * reads the vCPU's own fields (its timer, ghost and script fields, its thread's and callback's
 * pcs; the VMM sender's pc; the mutexes it waits for only as "held by its thread", `F@P`). Every
 * step that may write one of them checks on its edges whether it flips the part
 * (PropertyReads.components): the vCPU's own steps, and the sender's for vCPU 0.
 */
function perVcpu(x: Xen, parts: readonly ((s: Uint8Array) => boolean)[]): PropertyReads {
  return {
    fields: [],
    components: x.vcpus.map((vc) => ({
      owners: [vc.thread.pc.name, vc.cb.pc.name],
      // the mutexes only as "held by the vCPU's thread" (`F@P`: no other process changes that)
      reads: [...[...(x.acc(vc).reads ?? []), vc.thread.pc, vc.cb.pc, vc.timer.enqueued, ...(x.sender ? [x.sender.pc] : [])].map((f) => f.name), ...[vc.mutex.owner, x.xenLock.owner].map((f) => `${f.name}@${vc.thread.name}`)],
      holds: parts[vc.i]!,
    })),
  };
}

/** The per-vCPU parts of the contract invariants: each holds for vCPU `vc` in state s. */
export interface ContractParts {
  readonly lost: (vc: Vcpu, s: Uint8Array) => boolean;
  readonly truthful: (vc: Vcpu, s: Uint8Array) => boolean;
  readonly wakeup: (vc: Vcpu, s: Uint8Array) => boolean;
  readonly quiet: (vc: Vcpu, s: Uint8Array) => boolean;
}

/** The contract invariants' per-vCPU parts as written in the documentation (the reference for their compiled form). */
export function contractDefinitions(x: Xen): ContractParts {
  const vcs = x.vcpus;
  const quiescent = vcs.map((vc) => quiescentState(x, vc));
  // generation-aware: an hrtimer still queued for an arm that was stopped or replaced is not
  // "a timer armed" in the sense of timer_expires (the field holds the current arm's expiry);
  // it is a stale-event setup, checked by xen.no-stale-event. A delivery pending in
  // timer_pending is the current arm's once that arm has expired: whichever arm deferred it,
  // the event it raises serves the current one (Xen.raise)
  const truthful = (vc: Vcpu, s: Uint8Array): boolean => {
    if (!vc.thread.isIdle(s) || !vc.cb.isIdle(s)) return true;
    const g = s[vc.gen.offset]!;
    const live = g > s[vc.dead.offset]!;
    const queued = s[vc.timer.enqueued.offset] === 1 && s[vc.hrGen.offset] === g;
    const pending = s[vc.pending.offset]! > 0 && s[vc.expired.offset] === 1;
    return (live && (queued || pending)) === (s[vc.expires.offset] === 1);
  };
  const quiet = (vc: Vcpu, s: Uint8Array): boolean => s[vc.tornDown.offset] === 0 || (s[vc.timer.enqueued.offset] === 0 && vc.cb.isIdle(s));
  const quiescentOf = (vc: Vcpu): ((s: Uint8Array) => boolean) => quiescent[vcs.indexOf(vc)]!;
  const wakeup = (vc: Vcpu, s: Uint8Array): boolean => s[vc.unseen.offset] === 0 || !quiescentOf(vc)(s);
  const lost = (vc: Vcpu, s: Uint8Array): boolean => s[vc.gen.offset]! <= s[vc.dead.offset]! || s[vc.served.offset] === 1 || !quiescentOf(vc)(s);
  return { lost, truthful, wakeup, quiet };
}

export function contractProperties(x: Xen): Property[] {
  const vcs = x.vcpus;
  // the parts compiled per vCPU, with the offsets as constants (contract-compiled.ts; the
  // xen-contract test compares them with contractDefinitions on random and reachable states)
  const compiled = vcs.map((vc) => compileContractParts(x, vc));
  return [
    {
      kind: 'assert',
      id: PROP.warn,
      description: 'WARN_ON_ONCE(vcpu != kvm_get_running_vcpu()) in inject / start_timer / stop_timer never fires',
      source: [xsrc('kvm_xen_start_timer', 'WARN_ON_ONCE(vcpu != kvm_get_running_vcpu());')],
    },
    {
      kind: 'always',
      id: PROP.lost,
      description: 'a timer the guest armed and did not stop or replace has been served — the guest was notified (port bit and vcpu_info upcall set) and had not consumed it at some moment at or after its expiry — once nothing is left that could still raise it (quiescent: callback idle, hrtimer not enqueued, vCPU thread idle with its script spent and no KVM_REQ_UNBLOCK, or waiting for a mutex it holds itself)',
      source: [xsrc('xen_timer_callback', 'rc = kvm_xen_set_evtchn_fast(&e, vcpu->kvm);'), xsrc('kvm_xen_inject_timer_irqs', 'kvm_xen_set_evtchn(&e, vcpu->kvm);')],
      check: allOf(compiled.map((c) => c.lost)),
      reads: perVcpu(x, compiled.map((c) => c.lost)),
    },
    {
      kind: 'assert',
      id: PROP.stale,
      description: 'no event is newly raised for a timer after the stop / re-arm that superseded it returned, unless the current arm has already expired (then the guest cannot tell it from the current arm\'s own delivery)',
      source: [xsrc('kvm_xen_set_evtchn_fast', 'test_and_set_bit(xe->port, (unsigned long *)shinfo->evtchn_pending)')],
    },
    {
      kind: 'always',
      id: PROP.truthful,
      description: 'whenever the vCPU thread and the callback are idle, timer_expires != 0 exactly when the current arm (not stopped or replaced) is enqueued or its delivery is pending',
      source: [xsrc('xen_timer_callback', 'vcpu->arch.xen.timer_expires = 0;'), xsrc('kvm_xen_inject_timer_irqs', 'vcpu->arch.xen.timer_expires = 0;')],
      // generation-aware: an hrtimer still queued for an arm that was stopped or replaced is not
      // "a timer armed" in the sense of timer_expires (the field holds the current arm's expiry);
      // it is a stale-event setup, checked by xen.no-stale-event. A delivery pending in
      // timer_pending is the current arm's once that arm has expired: whichever arm deferred it,
      // the event it raises serves the current one (Xen.raise)
      check: allOf(compiled.map((c) => c.truthful)),
      reads: perVcpu(x, compiled.map((c) => c.truthful)),
    },
    {
      kind: 'assert',
      id: PROP.snapshot,
      description: 'GET_ATTR(TIMER) never snapshots expires_ns = 0 while an event is owed and not yet raised (migration would lose it)',
      source: [xsrc('kvm_xen_vcpu_get_attr', 'data->u.timer.expires_ns = vcpu->arch.xen.timer_expires;')],
    },
    {
      kind: 'assert',
      id: PROP.consistent,
      description: 'GET_ATTR(TIMER) reads the timer state with nothing lurking in timer_pending for deferred delivery (the seed\'s own comment: "either being pending, or fully delivered")',
      source: [xsrc('kvm_xen_vcpu_get_attr', 'Ensure a consistent snapshot of state is captures, with a timer either being pending, or fully delivered. Not still lurking in the timer_pending flag for deferred delivery.'), xsrc('kvm_xen_vcpu_get_attr', 'data->u.timer.expires_ns = vcpu->arch.xen.timer_expires;')],
    },
    {
      kind: 'always',
      id: PROP.wakeup,
      description: 'in a quiescent state (as for xen.no-lost-event) no event waits unseen: every upcall set in vcpu_info, and every bit left in the in-kernel evtchn_pending_sel, has been followed by a KVM_RUN entry into the guest (the guest saw it) — a raise that forgets its kick leaves a halted vCPU asleep',
      source: [xsrc('kvm_xen_set_evtchn_fast', 'if (kick_vcpu) { kvm_make_request(KVM_REQ_UNBLOCK, vcpu); kvm_vcpu_kick(vcpu); }'), xsrc('kvm_xen_inject_pending_events', 'WRITE_ONCE(vi->evtchn_upcall_pending, 1);')],
      check: allOf(compiled.map((c) => c.wakeup)),
      reads: perVcpu(x, compiled.map((c) => c.wakeup)),
    },
    {
      kind: 'always',
      id: PROP.teardown,
      description: 'after kvm_xen_destroy_vcpu returned, the timer is neither enqueued nor running its callback',
      source: [xsrc('kvm_xen_destroy_vcpu', 'hrtimer_cancel(&vcpu->arch.xen.timer);')],
      check: allOf(compiled.map((c) => c.quiet)),
      reads: perVcpu(x, compiled.map((c) => c.quiet)),
    },
  ];
}
