/**
 * The variants of the timer code (shared/reference/variants.md). Each is a set of switches read by
 * the function models; adding a variant is one row here.
 */
export interface Variant {
  readonly name: string;
  readonly description: string;
  /** xen_timer_callback: always defer (baseline), fast path leaving timer_expires (2022), fast path clearing it (v2/v3). */
  readonly callback: 'defer' | 'fast-2022' | 'fast-v2';
  /** WARN_ON_ONCE(vcpu != kvm_get_running_vcpu()) in inject / start / stop (seed v2 only). */
  readonly warnRunningVcpu: boolean;
  /** kvm_xen_start_timer: `if (timer_expires) hrtimer_cancel()` before touching the state. */
  readonly cancelInStart: boolean;
  /** GET_ATTR(TIMER): plain read (before the seed), v2 (`pending = hrtimer_cancel()` ... `if (pending) restart`), v3 (`if (timer_expires) restart`), or v2 without the cancel/restart. */
  readonly getAttr: 'read' | 'v2' | 'v3' | 'v2-no-cancel';
  /** GET_ATTR(TIMER) flushes the timer (cancel + inject) before taking xen_lock (proposed fix). */
  readonly flushOutsideXenLock?: boolean;
  /**
   * kvm_xen_set_evtchn_fast takes gpc->lock with read_trylock instead of read_lock_irqsave: in
   * interrupt context only (our proposed fix; Durrant's v11-v13 posting), or always (a maintainer's
   * branch, upstream-after-seed.md). A failed trylock on shared_info is -EWOULDBLOCK; on vcpu_info
   * it sets the bit in the in-kernel evtchn_pending_sel and kicks, as an invalid cache does.
   */
  readonly gpcTrylock?: 'in-irq' | 'always';
  /**
   * kvm_xen_set_evtchn's slow path: under kvm->arch.xen.xen_lock (up to 6.8), or a loop of fast
   * path / kvm_gpc_refresh without it (6.9, 7a36d680658b "fix recursive deadlock in timer
   * injection"; the refresh serialises on the cache's own refresh_lock, 6addfcf27139). Default
   * 'xen_lock'. The refresher actor takes xen_lock exactly when the slow path does.
   */
  readonly slowPath?: 'xen_lock' | 'refresh-loop';
  /**
   * kvm_xen_start_timer's signature: (vcpu, guest_abs, delta_ns) with the caller computing delta
   * (up to 6.8), or (vcpu, guest_abs, linux_wa) computing "guest now" itself (6.9, 451a707813ae).
   * Changes only the cited C lines: delta <= 0 stays the script's choice. Default 'delta_ns'.
   */
  readonly startTimerApi?: 'delta_ns' | 'linux_wa';
  /**
   * kvm_xen_start_timer reads the guest's pvclock through the vcpu_info cache before touching the
   * timer: read_lock_irqsave(&gpc->lock), and while the cache is invalid unlock, kvm_gpc_refresh()
   * (may sleep), relock (mainline, ~6.14).
   */
  readonly startTimerPvclock?: boolean;
  /** kvm_xen_destroy_vcpu: via kvm_xen_stop_timer() or hrtimer_cancel() directly ('none': a test mutation that forgets the timer). */
  readonly destroy: 'stop_timer' | 'hrtimer_cancel' | 'none';
  /** Test mutation (no variant uses it): the callback's `atomic_inc(&timer_pending)` does nothing (the kick stays). */
  readonly mutantNoPendingInc?: boolean;
  /** Test mutation: the callback's kvm_xen_set_evtchn_fast claims delivery (rc = 1) without setting the port bit. */
  readonly mutantFastPathNoBit?: boolean;
  /** Test mutation: kvm_xen_set_evtchn_fast sets the vcpu_info / in-kernel bit but never kicks the vCPU. */
  readonly mutantNoKick?: boolean;
}

const seed: Variant = {
  name: 'seed-v2',
  description: 'the seed patch v2 exactly: fast path in the callback, cancel in start_timer and GET_ATTR, WARN_ON_ONCE sanity checks, destroy via hrtimer_cancel',
  callback: 'fast-v2',
  warnRunningVcpu: true,
  cancelInStart: true,
  getAttr: 'v2',
  destroy: 'hrtimer_cancel',
};

/** Linux 6.9: upstream-v3 plus 7a36d680658b (no xen_lock in kvm_xen_set_evtchn) and the start_timer(guest_abs, linux_wa) shape. */
const v69: Variant = {
  name: 'upstream-v6.9',
  description: 'Linux 6.9: upstream-v3 plus 7a36d680658b (kvm_xen_set_evtchn\'s slow path loops fast path / kvm_gpc_refresh without xen_lock) and kvm_xen_start_timer(vcpu, guest_abs, linux_wa)',
  callback: 'fast-v2',
  warnRunningVcpu: false,
  cancelInStart: true,
  getAttr: 'v3',
  destroy: 'stop_timer',
  slowPath: 'refresh-loop',
  startTimerApi: 'linux_wa',
};

/** The newest mainline of the reference (~7.0): 6.9 plus start_timer reading the pvclock through the vcpu_info cache. */
const mainline: Variant = {
  ...v69,
  name: 'mainline',
  description: 'newest mainline (~7.0): upstream-v6.9 plus kvm_xen_start_timer reading the guest pvclock through the vcpu_info cache (read_lock_irqsave, kvm_gpc_refresh while invalid) before touching the timer; hrtimer set up at vCPU creation',
  startTimerPvclock: true,
};

export const VARIANTS: readonly Variant[] = [
  {
    name: 'baseline',
    description: 'before the seed (v6.5/6.6): the callback always defers to the vCPU thread',
    callback: 'defer',
    warnRunningVcpu: false,
    cancelInStart: false,
    getAttr: 'read',
    destroy: 'stop_timer',
  },
  {
    name: 'fastpath-2022',
    description: 'the first fast path (2022, dropped as racy): no cancels, timer_expires left set after fast delivery',
    callback: 'fast-2022',
    warnRunningVcpu: false,
    cancelInStart: false,
    getAttr: 'read',
    destroy: 'stop_timer',
  },
  seed,
  {
    name: 'upstream-v3',
    description: 'as merged in Linux 6.7: v2 without the WARN_ON_ONCEs, GET_ATTR re-checks timer_expires, destroy via stop_timer',
    callback: 'fast-v2',
    warnRunningVcpu: false,
    cancelInStart: true,
    getAttr: 'v3',
    destroy: 'stop_timer',
  },
  { ...seed, name: 'no-cancel-in-start', description: 'seed-v2 without the hrtimer_cancel() in kvm_xen_start_timer', cancelInStart: false },
  { ...seed, name: 'no-cancel-in-get-attr', description: 'seed-v2 without the hrtimer_cancel() (and the matching restart) in GET_ATTR(TIMER); the inject stays', getAttr: 'v2-no-cancel' },
  { ...seed, name: 'destroy-via-stop-timer', description: 'seed-v2 with kvm_xen_destroy_vcpu() still calling kvm_xen_stop_timer()', destroy: 'stop_timer' },
  {
    name: 'proposed-fix',
    description: 'our proposal on top of upstream-v3: GET_ATTR(TIMER) flushes the timer before taking xen_lock; kvm_xen_set_evtchn_fast uses read_trylock in hard irq (see FINDINGS.md)',
    callback: 'fast-v2',
    warnRunningVcpu: false,
    cancelInStart: true,
    getAttr: 'v3',
    destroy: 'stop_timer',
    flushOutsideXenLock: true,
    gpcTrylock: 'in-irq',
  },
  v69,
  mainline,
  {
    ...mainline,
    name: 'trylock-branch',
    description: 'mainline with the unconditional read_trylock() fast path of a maintainer\'s development branch (not in mainline): a failed trylock on shared_info is -EWOULDBLOCK, on vcpu_info it sets evtchn_pending_sel in-kernel and kicks',
    gpcTrylock: 'always',
  },
];

export const DEFAULT_VARIANT = 'seed-v2';

export function variantByName(name: string): Variant | undefined {
  return VARIANTS.find((v) => v.name === name);
}
