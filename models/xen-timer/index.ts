/**
 * The Xen timer model: KVM's Xen timer delivery code paths (arch/x86/kvm/xen.c) as guarded atomic
 * steps, in every variant of shared/reference/variants.md. Build with `buildXenTimer(params)` or
 * through the registry as `xen-timer`.
 */
import type { Model, ModelFactory } from '../../src/engine/model.js';
import type { Placement, Proc } from '../../src/kernel/index.js';
import { Xen, type Params } from './context.js';
import { contractProperties } from './contract.js';
import { mmuNotifier } from './mmu_notifier.js';
import { refresher } from './refresher.js';
import { vmmSender } from './sender.js';
import { DEFAULT_VARIANT, VARIANTS, variantByName, type Variant } from './variants.js';
import { vcpuThread } from './vcpu_thread.js';
import { timerCallbackProcess } from './xen_timer_callback.js';

export { VARIANTS, DEFAULT_VARIANT, type Variant } from './variants.js';

export const DEFAULTS = { variant: DEFAULT_VARIANT, vcpus: 1, ops: 4, invalidations: 1, vcpuInfoInvalidations: 0, preemptRt: false, placement: 'both' as Placement, refresher: true, sends: 0 };

/** `variant` is a name from VARIANTS, or a Variant object (tests use that for hand-made mutations). */
export function buildXenTimer(params: Partial<Omit<Params, 'variant'> & { variant: string | Variant }> = {}): Model {
  return buildXenTimerWith(params).model;
}

/** buildXenTimer, with the model's builder context (tests ask it about fields and processes). */
export function buildXenTimerWith(params: Partial<Omit<Params, 'variant'> & { variant: string | Variant }> = {}): { x: Xen; model: Model } {
  const given = params.variant ?? DEFAULTS.variant;
  const variant = typeof given === 'string' ? variantByName(given) : given;
  if (!variant) throw new Error(`unknown variant ${String(given)}`);
  const p: Params = {
    variant,
    vcpus: params.vcpus ?? DEFAULTS.vcpus,
    ops: params.ops ?? DEFAULTS.ops,
    invalidations: params.invalidations ?? DEFAULTS.invalidations,
    vcpuInfoInvalidations: params.vcpuInfoInvalidations ?? DEFAULTS.vcpuInfoInvalidations,
    preemptRt: params.preemptRt ?? DEFAULTS.preemptRt,
    placement: params.placement ?? DEFAULTS.placement,
    refresher: params.refresher ?? DEFAULTS.refresher,
    sends: params.sends ?? DEFAULTS.sends,
  };
  const x = new Xen(p);
  for (const vc of x.vcpus) {
    vcpuThread(x, vc);
    timerCallbackProcess(x, vc);
  }
  mmuNotifier(x);
  if (x.refresher) refresher(x);
  if (x.sender) vmmSender(x);
  const threads = x.vcpus.map((v) => v.thread);
  const done = threads.map((t) => t.label('done'));
  const model = x.sys.finish({
    name: 'xen-timer',
    init: (s) => {
      for (const vc of x.vcpus) {
        s[vc.virq.offset] = 1;
        s[vc.vcpuInfo.validField.offset] = 1;
      }
      s[x.shinfo.validField.offset] = 1;
    },
    validEnd: endLabels(x.sys.procs, threads, done),
    properties: [...contractProperties(x), ...x.coverProperties()],
    info: { variant: variant.name, vcpus: p.vcpus, ops: p.ops, invalidations: p.invalidations, vcpuInfoInvalidations: p.vcpuInfoInvalidations, preemptRt: p.preemptRt, placement: p.placement, refresher: p.refresher, ...(p.sends > 0 ? { sends: p.sends } : {}) },
    // the vCPUs are interchangeable: vCPU i is its thread (CPU i) and its timer callback (CPU i or
    // CPU N+1+i); the MMU notifier (CPU N), xen_lock and shared_info are shared. Every property
    // quantifies over all vCPUs alike, so representatives suffice (the symmetry tests compare
    // verdicts and exact counts with the unreduced search on every variant)
    // (not with the VMM sender, which targets vCPU 0 only)
    ...(x.sender ? {} : { symmetric: { members: x.vcpus.map((v) => [v.thread, v.cb]), cpus: x.vcpus.map((v) => [v.i, p.vcpus + 1 + v.i]), invariantProperties: true } }),
  });
  return { x, model };
}

export const xenTimerFactory: ModelFactory = {
  name: 'xen-timer',
  description: 'KVM Xen timer delivery (arch/x86/kvm/xen.c): callback, start/stop, inject, GET/SET_ATTR, destroy, MMU notifier',
  params: [
    { name: 'variant', description: 'timer code version', type: 'enum', default: DEFAULT_VARIANT, values: VARIANTS.map((v) => v.name) },
    { name: 'vcpus', description: 'number of vCPUs (N)', type: 'int', default: DEFAULTS.vcpus, min: 1, max: 3 },
    { name: 'ops', description: 'operations per vCPU script (K)', type: 'int', default: DEFAULTS.ops, min: 1, max: 12 },
    { name: 'invalidations', description: 'MMU-notifier invalidations of the shared_info cache (M)', type: 'int', default: DEFAULTS.invalidations, min: 0, max: 6 },
    { name: 'vcpuInfoInvalidations', description: 'MMU-notifier invalidations of the vcpu_info caches (M\')', type: 'int', default: DEFAULTS.vcpuInfoInvalidations, min: 0, max: 6 },
    { name: 'preemptRt', description: 'host kernel with PREEMPT_RT (spinlock_t / rwlock_t sleep)', type: 'bool', default: DEFAULTS.preemptRt },
    { name: 'placement', description: 'where the hrtimer callback runs: other CPU, same CPU as the vCPU thread, or both', type: 'enum', default: DEFAULTS.placement, values: ['other', 'same', 'both'] },
    { name: 'sends', description: 'KVM_XEN_HVM_EVTCHN_SEND ioctls from the VMM to another port of vCPU 0 in the timer port\'s evtchn_pending_sel word (0: no sender actor)', type: 'int', default: DEFAULTS.sends, min: 0, max: 3 },
    { name: 'refresher', description: 'another task-context caller of kvm_gpc_refresh(shared_info) under xen_lock (another port\'s slow path, the VMM re-setting shared_info)', type: 'bool', default: DEFAULTS.refresher },
  ],
  build: (p) => buildXenTimer(p as Partial<Params & { variant: string }>),
};

/**
 * The valid end states: every process idle, a vCPU thread also at `done` (after teardown). A loop
 * over flat tables (pc offset, idle label, done label or -1): it runs on every state without an
 * enabled step.
 */
function endLabels(procs: readonly Proc[], threads: readonly Proc[], done: readonly number[]): (s: Uint8Array) => boolean {
  const pcs = Int32Array.from(procs, (q) => q.pc.offset);
  const idle = Int32Array.from(procs, (q) => q.idle);
  const alt = Int32Array.from(procs, (q) => (threads.includes(q) ? done[threads.indexOf(q)]! : -1));
  return (s) => {
    for (let k = 0; k < pcs.length; k++) {
      const pc = s[pcs[k]!]!;
      if (pc !== idle[k] && pc !== alt[k]) return false;
    }
    return true;
  };
}
