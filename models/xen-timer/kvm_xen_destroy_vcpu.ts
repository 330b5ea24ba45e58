/** kvm_xen_destroy_vcpu(): VM teardown, vCPU not loaded, vcpu->mutex not held. */
import { xsrc, type Vcpu, type Xen } from './context.js';
import { stopTimer, stopTimerEntry } from './kvm_xen_stop_timer.js';

const F = 'kvm_xen_destroy_vcpu';

/** From `destroy.check_enabled` to the thread's `done` label. */
export function destroyVcpu(x: Xen, vc: Vcpu): void {
  const p = vc.thread;
  const viaStop = x.v.destroy === 'stop_timer';
  const stopL = p.label(viaStop ? stopTimerEntry(x, 'destroy>') : 'destroy.hrtimer_cancel');
  const deactL = p.label('destroy.gpc_deactivate');
  p.step({
    at: 'destroy.check_enabled',
    src: xsrc(F, viaStop ? 'if (kvm_xen_timer_enabled(vcpu)) kvm_xen_stop_timer(vcpu);' : 'if (kvm_xen_timer_enabled(vcpu)) hrtimer_cancel(&vcpu->arch.xen.timer);'),
    run: (s) => (s[vc.virq.offset] && x.v.destroy !== 'none' ? stopL : deactL),
    access: x.acc(vc),
  });
  if (viaStop) stopTimer(x, vc, 'destroy>', 'destroy.gpc_deactivate');
  else if (x.v.destroy === 'hrtimer_cancel') vc.timer.cancel(p, 'destroy.hrtimer_cancel', 'destroy.gpc_deactivate', xsrc(F, 'hrtimer_cancel(&vcpu->arch.xen.timer);'));
  const vi = vc.vcpuInfo;
  const w = vi.lock.writer.offset;
  const r = vi.lock.readers.offset;
  p.step({
    at: 'destroy.gpc_deactivate',
    next: 'done',
    src: xsrc(F, 'kvm_gpc_deactivate(&vcpu->arch.xen.vcpu_info_cache); /* write_lock_irq(&gpc->lock); gpc->valid = false; ... */'),
    guard: (s) => s[w] === 0 && s[r] === 0,
    run: (s) => {
      s[vi.validField.offset] = 0;
      s[vc.tornDown.offset] = 1;
    },
    waitsFor: (s) => `${vi.lock.name} held by ${vi.lock.holders(s)}`,
    acquires: [vi.lock.cls],
    access: x.acc(vc, [vi.validField, ...vi.lock.fields]),
  });
  x.coverAt('destroy.timer_enabled', 'kvm_xen_destroy_vcpu finds the timer enabled and cancels it', xsrc(F, 'if (kvm_xen_timer_enabled(vcpu))'), p, viaStop ? stopTimerEntry(x, 'destroy>') : 'destroy.hrtimer_cancel');
}
