/**
 * The Xen model marks where its entries return (kernel.lock-held-on-return): the hypercalls and
 * ioctls of the vCPU thread, the hrtimer callback, the refresher, the MMU notifier. Each return step is applied to
 * a hand-made state where its process is about to return: as the model reaches it (no report),
 * then with a lock leaked or interrupts left off (one report, naming the entry).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Model, StepCtx } from '../../src/engine/model.js';
import { replay } from '../../src/engine/trace.js';
import { KERNEL_PROPERTIES } from '../../src/kernel/index.js';
import { buildXenTimer, VARIANTS, type Variant } from '../../models/xen-timer/index.js';

const RET = KERNEL_PROPERTIES.lockHeldOnReturn;

/**
 * [step id, process, entry named in the report, the lock fields the process owns just before the
 * step, its irqs_off there (the notifier's write_unlock_irq restores the 1 its write_lock_irq set),
 * the lock leaked in the bad case (shared_info's, taken by read_lock_irqsave in the fast path;
 * the refresh waits for that one to be free, so the refresher leaks vcpu_info's)]
 */
type Row = [string, string, string, string[], number, string];
function returnsOf(v: Variant): Row[] {
  const sh = 'shinfo_cache.lock';
  return [
    ['vcpu0:hcall_arm.return', 'vcpu0', 'kvm_xen_hypercall', ['vcpu0->mutex.owner'], 0, sh],
    ['vcpu0:hcall_stop.return', 'vcpu0', 'kvm_xen_hypercall', ['vcpu0->mutex.owner'], 0, sh],
    ['vcpu0:run.return', 'vcpu0', 'kvm_vcpu_ioctl', ['vcpu0->mutex.owner'], 0, sh],
    ['vcpu0:get_attr.return', 'vcpu0', 'kvm_vcpu_ioctl', ['vcpu0->mutex.owner'], 0, sh],
    ['vcpu0:set_attr.return', 'vcpu0', 'kvm_vcpu_ioctl', ['vcpu0->mutex.owner'], 0, sh],
    ['vcpu0.timer.callback:callback.return', 'vcpu0.timer.callback', 'the vcpu0.timer hrtimer callback', [], 0, sh],
    // since 6.9 the other caller refreshes without xen_lock and returns with the refresh itself
    v.slowPath === 'refresh-loop'
      ? ['refresher:refresh', 'refresher', 'kvm_xen_set_evtchn', [], 0, 'vcpu0.vcpu_info_cache.lock']
      : ['refresher:xen_unlock', 'refresher', 'kvm_xen_set_evtchn', ['kvm->arch.xen.xen_lock.owner'], 0, sh],
    ['mmu_notifier:invalidate vcpu0.vcpu_info_cache.unlock', 'mmu_notifier', 'kvm_mmu_notifier_invalidate_range_start', ['vcpu0.vcpu_info_cache.lock.writer'], 1, sh],
  ];
}

type Fields = Record<string, string | number | boolean>;

/** Apply step `id` to the initial state changed by `set`; the failures it raises. */
function applyReturn(model: Model, id: string, set: Fields): [string, string | undefined][] {
  const init = replay(model, []).trace.states[0] as Fields;
  const s = model.schema.encode({ ...init, ...set });
  const step = model.steps.find((st) => st.id === id);
  assert.ok(step, id);
  assert.ok(step.guard(s), `${id} enabled`);
  const fails: [string, string | undefined][] = [];
  const ctx: StepCtx = { fail: (p, m) => void fails.push([p, m]) };
  step.apply(s.slice(), ctx);
  return fails;
}

test('xen-timer: every return of an ioctl, hypercall, hrtimer callback and the refresher is checked, in every variant', () => {
  for (const v of VARIANTS) {
    const model = buildXenTimer({ variant: v.name });
    const owner = (proc: string): number => model.processes.indexOf(proc) + 1;
    for (const [id, proc, entry, holds, irqs, leaked] of returnsOf(v)) {
      const what = `${v.name} ${id}`;
      const pc = { [`${proc}.pc`]: id.slice(proc.length + 1) };
      const held: Fields = Object.fromEntries(holds.map((f) => [f, owner(proc)]));
      if (irqs) held[`${proc}.irqs_off`] = irqs;
      // as the model reaches it: the step releases what it holds, nothing is reported
      assert.deepEqual(applyReturn(model, id, { ...pc, ...held }), [], what);
      // a gpc read lock leaked
      const leak = { [`${leaked}.readers`]: 1 << (owner(proc) - 1) };
      assert.deepEqual(applyReturn(model, id, { ...pc, ...held, ...leak }), [[RET, `${proc} returns from ${entry} holding ${leaked}`]], what);
      // a task's interrupts left disabled (a handler has no such field: they are off in hard irq)
      if (model.schema.fields.some((f) => f.name === `${proc}.irqs_off`)) {
        const off = { [`${proc}.irqs_off`]: irqs + 1 };
        assert.deepEqual(applyReturn(model, id, { ...pc, ...held, ...off }), [[RET, `${proc} returns from ${entry} with interrupts disabled (1 irqsave/irq section not restored)`]], what);
      }
    }
  }
});
