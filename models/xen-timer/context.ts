/**
 * The Xen timer model's shared state: per-VM objects (xen_lock, the shared_info cache), per-vCPU
 * objects (vcpu->mutex, the timer fields, the hrtimer, the vcpu_info cache) and the ghost state
 * the guest contract is checked against.
 *
 * Ghost state (not in the kernel; bookkeeping for the properties):
 * - `gen`: id of the vCPU's current timer arm (bumped when kvm_xen_start_timer is called);
 * - `dead`: every arm with id <= dead has been stopped or replaced *and that stop / re-arm has
 *   returned* (to the guest, or to the VMM for SET_ATTR): an event raised for it is stale;
 * - `expired`: the current arm has expired — its hrtimer callback has started, or
 *   kvm_xen_start_timer() called the callback directly (delta_ns <= 0);
 * - `served`: the guest will see an event after the current arm expired: it was notified — the
 *   port bit set and the upcall pending in its vcpu_info — and had not consumed it, at some moment
 *   at or after that expiry (see `expire`, `raise`, `notifyGuest`).
 * - `unseen`: an upcall (or its in-kernel copy) was set that the guest has not yet entered with;
 *   cleared when a KVM_RUN iteration enters the guest with nothing left in the in-kernel copy, or
 *   when the guest consumes the event. The guest learns of events through a level, the port bit, and its handler reads
 *   the clock when it runs, so one pending event serves every arm that expires while it is
 *   pending (models/xen-timer/README.md, the contract);
 * - `hr_gen`, `cb_gen`: which arm the enqueued hrtimer and the running callback are for. The
 *   vCPU thread's own deliveries need no arm id: the direct call is for the current arm, and
 *   inject's deferred delivery is judged by whether the current arm has expired (`raise`).
 */
import type { Field } from '../../src/engine/schema.js';
import type { Property, SourceRef, StepCtx } from '../../src/engine/model.js';
import { ExclusiveLock, Gpc, HrTimer, mutex, Proc, System, VcpuState, type Access, type Placement } from '../../src/kernel/index.js';
import type { Variant } from './variants.js';

export const XEN_C = 'arch/x86/kvm/xen.c';

export function xsrc(func: string, line: string, file = XEN_C): SourceRef {
  return { file, func, line };
}

interface GhostOffsets {
  gen: number;
  expired: number;
  served: number;
  portBit: number;
  viSel: number;
}

/**
 * The guest has been notified of the timer port and has not consumed it: the port bit is set in
 * shared_info and the upcall is pending in its vcpu_info (evtchn_pending_sel + evtchn_upcall_pending).
 * If the current arm has expired, that pending notification serves it (the guest takes the
 * interrupt after the deadline, and its handler reads the clock).
 */
function serveIfNotified(s: Uint8Array, o: GhostOffsets): void {
  if (s[o.expired] === 1 && s[o.portBit] === 1 && s[o.viSel] === 1) s[o.served] = 1;
}

/** The current arm expires (its callback starts, or start_timer calls it directly). */
function expireAt(s: Uint8Array, o: GhostOffsets): void {
  if (s[o.gen] === 0) return;
  s[o.expired] = 1;
  serveIfNotified(s, o);
}

/** Return codes of kvm_xen_set_evtchn_fast that matter to the callers. */
export const RC = { EWOULDBLOCK: 0, ALREADY: 1, DELIVERED: 2, DELIVERED_NO_KICK: 3 } as const;

export const PROP = {
  warn: 'xen.warn-running-vcpu',
  lost: 'xen.no-lost-event',
  stale: 'xen.no-stale-event',
  truthful: 'xen.expires-truthful',
  snapshot: 'xen.snapshot-complete',
  consistent: 'xen.snapshot-not-lurking',
  teardown: 'xen.quiet-after-teardown',
  wakeup: 'xen.event-wakeup',
} as const;

export interface Params {
  variant: Variant;
  vcpus: number;
  ops: number;
  invalidations: number;
  /** MMU-notifier invalidations of the vcpu_info caches (M'), counted apart from shared_info's M. */
  vcpuInfoInvalidations: number;
  preemptRt: boolean;
  placement: Placement;
  /** Another task-context caller of kvm_gpc_refresh(shinfo_cache) under xen_lock (refresher.ts). */
  refresher: boolean;
  /** KVM_XEN_HVM_EVTCHN_SEND ioctls the VMM makes to another port of vCPU 0 (sender.ts). */
  sends: number;
}

export interface Vcpu {
  readonly i: number;
  readonly name: string;
  readonly thread: Proc;
  readonly timer: HrTimer;
  readonly cb: Proc;
  readonly st: VcpuState;
  readonly mutex: ExclusiveLock;
  readonly vcpuInfo: Gpc;
  // kernel fields
  readonly expires: Field; // vcpu->arch.xen.timer_expires != 0
  readonly pending: Field; // atomic_t timer_pending
  readonly virq: Field; // timer_virq != 0 (kvm_xen_timer_enabled)
  readonly portBit: Field; // shared_info evtchn_pending bit of the timer port
  readonly viSel: Field; // vcpu_info evtchn_pending_sel bit of the port's word + evtchn_upcall_pending (guest-visible upcall)
  readonly shadowSel: Field; // vcpu->arch.xen.evtchn_pending_sel: the in-kernel copy, waiting for kvm_xen_inject_pending_events()
  readonly otherPort: Field; // shared_info evtchn_pending bit of the VMM sender's port (same word as the timer's)
  readonly senderRc: Field; // the VMM sender's kvm_xen_set_evtchn_fast rc
  // thread locals
  readonly ops: Field;
  readonly delta: Field; // 1: delta_ns <= 0 (already expired)
  readonly saPort: Field; // SET_ATTR data: port != 0
  readonly saExp: Field; // SET_ATTR data: expires_ns != 0
  readonly getPending: Field; // GET_ATTR v2 local `pending`
  readonly rc: Field; // thread's kvm_xen_set_evtchn_fast rc
  readonly cbRc: Field; // callback's rc
  // ghost
  readonly gen: Field;
  readonly dead: Field;
  readonly expired: Field;
  readonly served: Field;
  readonly unseen: Field;
  readonly hrGen: Field;
  readonly cbGen: Field;
  readonly tornDown: Field;
}

export class Xen {
  readonly sys: System;
  readonly v: Variant;
  readonly p: Params;
  readonly xenLock: ExclusiveLock;
  readonly shinfo: Gpc;
  readonly mmu: Proc;
  readonly mmuCount: Field;
  readonly mmuViCount: Field;
  readonly refresher: Proc | null;
  readonly sender: Proc | null;
  readonly sendCount: Field | null;
  readonly vcpus: Vcpu[] = [];
  readonly properties: Property[] = [];
  private readonly covers = new Map<string, { description: string; preds: ((s: Uint8Array) => boolean)[]; source: SourceRef[] }>();

  constructor(p: Params) {
    this.p = p;
    this.v = p.variant;
    const sys = (this.sys = new System({ preemptRt: p.preemptRt }));
    const L = sys.layout;
    const maxGen = p.ops + 1;
    // per-VM
    this.xenLock = mutex(sys, 'kvm->arch.xen.xen_lock', 'xen_lock');
    this.shinfo = new Gpc(sys, 'shinfo_cache');
    for (let i = 0; i < p.vcpus; i++) {
      const name = `vcpu${i}`;
      const thread = sys.task(name, i);
      const vcpuMutex = mutex(sys, `${name}->mutex`, 'vcpu->mutex');
      const st = new VcpuState(sys, name, i);
      const vcpuInfo = new Gpc(sys, `${name}.vcpu_info_cache`);
      const f = {
        expires: L.bool(`${name}.timer_expires`),
        pending: L.int(`${name}.timer_pending`, 0, 3),
        virq: L.bool(`${name}.timer_virq`),
        portBit: L.bool(`${name}.evtchn_pending[timer_virq]`),
        viSel: L.bool(`${name}.vcpu_info.evtchn_upcall_pending`),
        shadowSel: L.bool(`${name}.evtchn_pending_sel`),
        otherPort: L.bool(`${name}.evtchn_pending[other_port]`),
        senderRc: L.int(`${name}.sender.rc`, 0, 3),
        ops: L.int(`${name}.ops`, 0, p.ops),
        delta: L.bool(`${name}.delta_le_0`),
        saPort: L.bool(`${name}.set_attr.port`),
        saExp: L.bool(`${name}.set_attr.expires`),
        getPending: L.bool(`${name}.get_attr.pending`),
        rc: L.int(`${name}.rc`, 0, 3),
        cbRc: L.int(`${name}.timer.callback.rc`, 0, 3),
        gen: L.int(`${name}.ghost.gen`, 0, maxGen),
        dead: L.int(`${name}.ghost.dead`, 0, maxGen),
        expired: L.bool(`${name}.ghost.expired`),
        served: L.bool(`${name}.ghost.served`),
        unseen: L.bool(`${name}.ghost.unseen`),
        hrGen: L.int(`${name}.ghost.hr_gen`, 0, maxGen),
        cbGen: L.int(`${name}.ghost.cb_gen`, 0, maxGen),
        tornDown: L.bool(`${name}.ghost.torn_down`),
      };
      const hrGen = f.hrGen.offset;
      const cbGen = f.cbGen.offset;
      const ghost = { gen: f.gen.offset, expired: f.expired.offset, served: f.served.offset, portBit: f.portBit.offset, viSel: f.viSel.offset };
      const timer = new HrTimer(sys, `${name}.timer`, {
        homeCpu: i,
        otherCpu: p.vcpus + 1 + i,
        placement: p.placement,
        entry: 'callback.read_pending',
        fireSrc: xsrc('__run_hrtimer', 'restart = fn(timer); /* xen_timer_callback, hard irq (HRTIMER_MODE_ABS_HARD) */', 'kernel/time/hrtimer.c'),
        onFire: (s) => {
          s[cbGen] = s[hrGen]!;
          // the callback's start is the arm's expiry moment (the hrtimer fires at or after it)
          if (s[hrGen] === s[ghost.gen]) expireAt(s, ghost);
        },
        // coarsely, every field of this vCPU's (partial-order reduction; see acc())
        onFireAccess: { reads: Object.values(f), writes: Object.values(f) },
      });
      this.vcpus.push({ i, name, thread, timer, cb: timer.cb, st, mutex: vcpuMutex, vcpuInfo, ...f });
    }
    this.mmu = sys.task('mmu_notifier', p.vcpus);
    this.mmuCount = L.int('mmu_notifier.invalidations', 0, p.invalidations);
    this.mmuViCount = L.int('mmu_notifier.vcpu_info_invalidations', 0, p.vcpuInfoInvalidations);
    // on a CPU of its own, after the vCPUs' other-CPU callbacks
    this.refresher = p.refresher ? sys.task('refresher', 2 * p.vcpus + 1) : null;
    this.sender = p.sends > 0 ? sys.task('vmm_sender', 2 * p.vcpus + 2) : null;
    this.sendCount = p.sends > 0 ? L.int('vmm_sender.sends', 0, p.sends) : null;
  }

  private readonly vcpuFields = new Map<Vcpu, Field[]>();

  /**
   * What the model's own code of vCPU `vc` (thread or callback) may touch, for partial-order
   * reduction: coarsely, every field of the vCPU (timer, caches, locals, ghost) but the program
   * counters, plus the VM-wide fields in `shared`; and the assertions in `fails`. Coarse is sound:
   * it only makes steps of one vCPU dependent on each other; what it buys is independence from
   * the other vCPUs. (`verifyAccesses` checks it against the code in the tests.)
   */
  acc(vc: Vcpu, shared: readonly Field[] = [], fails: readonly string[] = []): Access {
    let own = this.vcpuFields.get(vc);
    if (!own) {
      // not the program counters and the callback's CPU (every task's context check reads those),
      // the interrupt-disable count and vcpu->mutex (the kernel library's steps declare those),
      // nor the vcpu_info cache (the MMU notifier's too: steps that touch it name it in `shared`,
      // so the vCPUs are not all tied together through the notifier)
      const pcs = new Set([vc.thread.pc, vc.cb.pc, vc.cb.cpuField!, vc.thread.irqoff!, vc.mutex.owner]);
      const cache = `${vc.vcpuInfo.name}.`;
      own = this.sys.layout.declared.filter((f) => (f.name.startsWith(`${vc.name}.`) || f.name.startsWith(`${vc.name}->`)) && !pcs.has(f) && !f.name.startsWith(cache));
      this.vcpuFields.set(vc, own);
    }
    const fields = [...own, ...shared];
    return { reads: fields, writes: fields, fails };
  }

  /** kvm_get_running_vcpu() == vcpu for process `proc` in state s. */
  runningVcpuIs(s: Uint8Array, proc: Proc, vc: Vcpu): boolean {
    return vc.st.isRunningOn(s, proc.cpuOf(s));
  }

  /**
   * The event channel port bit is set (test_and_set_bit in kvm_xen_set_evtchn_fast) on behalf of
   * arm `arm`, or of the deferred delivery waiting in timer_pending (`'deferred'`). Ghost
   * bookkeeping:
   * - raised after the current arm expired, the event serves it once the guest is notified (the
   *   upcall in vcpu_info; it usually already is, or the vcpu_info step that follows does it);
   * - newly raised (the bit was clear) for an arm whose stop / re-arm has already returned, it is
   *   stale unless the current arm has expired: then it is indistinguishable from the current
   *   arm's own delivery. With no arm current (stopped) or the current one not yet expired, the
   *   guest takes an interrupt nothing it armed explains. Judged here, not at the notification:
   *   from the raise on, the notification (same call, or the next KVM_RUN iteration) can always
   *   come before the current arm expires, since time is not modelled.
   * A deferred delivery is for the arms whose callbacks deferred or found timer_pending set since
   * it was last zeroed. Inject only runs in the vCPU thread, never during a re-arm, so each of
   * those arms is the current one (then it has expired: its callback ran) or superseded and
   * returned: the delivery is stale exactly when the current arm is not live and expired.
   */
  raise(s: Uint8Array, ctx: StepCtx, vc: Vcpu, arm: number | 'deferred', who: string): boolean {
    const was = s[vc.portBit.offset] === 1;
    const gen = s[vc.gen.offset]!;
    const dead = s[vc.dead.offset]!;
    const currentExpired = gen > dead && s[vc.expired.offset] === 1;
    if (!was && !currentExpired) {
      if (arm === 'deferred') ctx.fail(PROP.stale, `${who} raises a deferred timer event for superseded arms while ${gen > dead ? `the current arm #${gen} has not expired` : 'the timer is stopped'}`);
      else if (arm > 0 && arm <= dead) ctx.fail(PROP.stale, `${who} raises the timer event of arm #${arm} after the stop/re-arm that superseded it returned`);
    }
    s[vc.portBit.offset] = 1;
    serveIfNotified(s, this.ghost(vc));
    return was;
  }

  /** The VMM sender's port bit (another port of the vCPU) is set. Returns whether it was already set. */
  raiseOtherPort(s: Uint8Array, vc: Vcpu): boolean {
    const was = s[vc.otherPort.offset] === 1;
    s[vc.otherPort.offset] = 1;
    return was;
  }

  /**
   * The port's word bit is set in the guest's vcpu_info (with evtchn_upcall_pending): the guest is
   * notified. Returns whether it was already set (then the C does not kick). Ghost: an event the
   * guest has not seen yet (`unseen`, for xen.event-wakeup); a notification after the current arm
   * expired serves it.
   */
  notifyGuest(s: Uint8Array, vc: Vcpu): boolean {
    const was = s[vc.viSel.offset] === 1;
    s[vc.viSel.offset] = 1;
    if (!was) s[vc.unseen.offset] = 1;
    serveIfNotified(s, this.ghost(vc));
    return was;
  }

  /** The bit is set in the in-kernel evtchn_pending_sel (vcpu_info not usable). Returns whether it was already set. */
  pendInKernel(s: Uint8Array, vc: Vcpu): boolean {
    const was = s[vc.shadowSel.offset] === 1;
    s[vc.shadowSel.offset] = 1;
    if (!was) s[vc.unseen.offset] = 1;
    return was;
  }

  /** The current arm expires now (its callback starts, or start_timer calls it directly). */
  expire(s: Uint8Array, vc: Vcpu): void {
    expireAt(s, this.ghost(vc));
  }

  private ghost(vc: Vcpu): GhostOffsets {
    return { gen: vc.gen.offset, expired: vc.expired.offset, served: vc.served.offset, portBit: vc.portBit.offset, viSel: vc.viSel.offset };
  }

  /** Start a new arm (kvm_xen_start_timer is being called). */
  newArm(s: Uint8Array, vc: Vcpu): void {
    s[vc.gen.offset]!++;
    s[vc.expired.offset] = 0;
    s[vc.served.offset] = 0;
  }

  /** Register a branch-reachability (cover) predicate under `id`. */
  cover(id: string, description: string, src: SourceRef, pred: (s: Uint8Array) => boolean): void {
    let c = this.covers.get(id);
    if (!c) this.covers.set(id, (c = { description, preds: [], source: [] }));
    c.preds.push(pred);
    if (!c.source.some((x) => x.func === src.func && x.line === src.line)) c.source.push(src);
  }

  /** Cover: process `p` is at label `at` (created if needed). */
  coverAt(id: string, description: string, src: SourceRef, p: Proc, at: string, extra?: (s: Uint8Array) => boolean): void {
    const pcOff = p.pc.offset;
    const l = p.label(at);
    this.cover(id, description, src, extra ? (s) => s[pcOff] === l && extra(s) : (s) => s[pcOff] === l);
  }

  coverProperties(): Property[] {
    return [...this.covers.entries()]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([id, c]) => ({
        kind: 'sometimes' as const,
        id: `cover.${id}`,
        description: c.description,
        source: c.source,
        check: (s: Uint8Array) => {
          for (const pr of c.preds) if (pr(s)) return true;
          return false;
        },
      }));
  }
}
