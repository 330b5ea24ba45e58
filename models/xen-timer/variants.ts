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
  /** kvm_xen_set_evtchn_fast uses read_trylock on gpc->lock in interrupt context (proposed fix). */
  readonly trylockInIrq?: boolean;
  /** kvm_xen_destroy_vcpu: via kvm_xen_stop_timer() or hrtimer_cancel() directly ('none': a test mutation that forgets the timer). */
  readonly destroy: 'stop_timer' | 'hrtimer_cancel' | 'none';
  /** Test mutation (no variant uses it): the callback's `atomic_inc(&timer_pending)` does nothing (the kick stays). */
  readonly mutantNoPendingInc?: boolean;
  /** Test mutation: the callback's kvm_xen_set_evtchn_fast claims delivery (rc = 1) without setting the port bit. */
  readonly mutantFastPathNoBit?: boolean;
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
    trylockInIrq: true,
  },
];

export const DEFAULT_VARIANT = 'seed-v2';

export function variantByName(name: string): Variant | undefined {
  return VARIANTS.find((v) => v.name === name);
}
