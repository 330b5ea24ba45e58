/**
 * The MMU notifier: invalidates the shared_info cache at any time, at most M times
 * (`invalidations`), and the vcpu_info caches, at most M' times in all (`vcpuInfoInvalidations`).
 */
import type { Gpc } from '../../src/kernel/index.js';
import type { Xen } from './context.js';

export function mmuNotifier(x: Xen): void {
  const p = x.mmu;
  const caches: [Gpc, number, number][] = [
    [x.shinfo, x.mmuCount.offset, x.p.invalidations],
    ...x.vcpus.map((v): [Gpc, number, number] => [v.vcpuInfo, x.mmuViCount.offset, x.p.vcpuInfoInvalidations]),
  ];
  for (const [gpc, cnt, max] of caches) {
    const at = `invalidate ${gpc.name}`;
    p.step({
      at: 'idle',
      id: `${p.name}:${at}`,
      next: `${at}.lock`,
      src: { file: 'virt/kvm/kvm_main.c', func: 'kvm_mmu_notifier_invalidate_range_start', line: `gfn_to_pfn_cache_invalidate_start(kvm, range->start, range->end); /* ${gpc.name} */` },
      guard: (s) => s[cnt]! < max && gpc.valid(s),
      run: (s) => void s[cnt]!++,
      access: gpc === x.shinfo ? { reads: [x.mmuCount, gpc.validField], writes: [x.mmuCount] } : { reads: [x.mmuViCount, gpc.validField], writes: [x.mmuViCount] },
    });
    gpc.invalidate(p, `${at}.lock`, `${at}.unlock`, 'idle', undefined, { returns: 'kvm_mmu_notifier_invalidate_range_start' });
  }
}
